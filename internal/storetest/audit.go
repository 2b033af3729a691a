package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

var auditTests = []test{
	{"RoundTripAndSeq", testAuditRoundTrip},
	{"FilterFields", testAuditFilterFields},
	{"BeforeCursor", testAuditCursor},
	{"DefaultLimit", testAuditDefaultLimit},
	{"OldMatch", testAuditOldMatch},
}

// appendAudit appends events in one transaction and returns their seqs.
func appendAudit(t *testing.T, s crmguard.Store, f *fx, evs ...*crmguard.AuditEvent) []int64 {
	t.Helper()
	seqs := make([]int64, len(evs))
	err := s.InTx(f.ctx, func(tx crmguard.Store) error {
		for i, e := range evs {
			if e.Source == "" {
				e.Source = crmguard.SourceAPI
			}
			if e.TargetType == "" {
				e.TargetType = "user"
			}
			if err := tx.AppendAudit(f.ctx, e); err != nil {
				return err
			}
			seqs[i] = e.Seq
		}
		return nil
	})
	must(t, err, "AppendAudit")
	return seqs
}

func seqsOf(evs []*crmguard.AuditEvent) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func testAuditRoundTrip(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	if seq, err := s.LastAuditSeq(f.ctx); err != nil || seq != 0 {
		t.Errorf("LastAuditSeq with no events = %d, %v; want 0", seq, err)
	}
	full := &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, ActorID: f.user.ID, Source: crmguard.SourceConsole,
		ClientIP: "2001:db8::1", Action: "user.update", TargetType: "user", TargetID: f.user.ID,
		Before: json.RawMessage(`{"status":"active","name":"Ann ✓"}`), After: json.RawMessage(`{"status":"disabled","n":[1,2]}`)}
	added := &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.at(time.Second), Source: crmguard.SourceSystem,
		Action: "user.add", TargetType: "user", TargetID: f.ids.New(), After: json.RawMessage(`{"a":1}`)}
	removed := &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.at(2 * time.Second), Source: crmguard.SourceCLI,
		Action: "iprule.delete", TargetType: "iprule", TargetID: f.ids.New(), Before: json.RawMessage(`{"b":true}`)}
	var last int64
	for _, e := range []*crmguard.AuditEvent{full, added, removed} {
		must(t, s.AppendAudit(f.ctx, e), "AppendAudit")
		if e.Seq <= last {
			t.Errorf("AppendAudit gave seq %d after %d: want increasing", e.Seq, last)
		}
		last = e.Seq
	}
	other := f.addTenant("Other", "o@other.test")
	theirs := &crmguard.AuditEvent{OrgID: other.org.ID, Time: f.now, Source: crmguard.SourceAPI, Action: "user.add", TargetType: "user"}
	must(t, s.AppendAudit(f.ctx, theirs), "AppendAudit in another org")
	if theirs.Seq <= last {
		t.Errorf("another org's event got seq %d after %d: one sequence for the installation", theirs.Seq, last)
	}
	if seq, err := s.LastAuditSeq(f.ctx); err != nil || seq != theirs.Seq {
		t.Errorf("LastAuditSeq = %d, %v; want %d (the highest of any org)", seq, err, theirs.Seq)
	}
	got, err := s.ListAudit(f.ctx, f.org.ID, crmguard.AuditFilter{})
	must(t, err, "ListAudit")
	same(t, "ListAudit (newest first, every field)", got, []*crmguard.AuditEvent{removed, added, full})
}

// testAuditFilterFields checks each field of the filter on its own and
// together.
func testAuditFilterFields(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	org, other := f.org.ID, f.addTenant("Other", "o@other.test").org.ID
	ann, bob := f.user.ID, f.ids.New()
	t1, t2 := f.ids.New(), f.ids.New()
	at := func(sec int) time.Time { return f.at(time.Duration(sec) * time.Second) }
	seq := appendAudit(t, s, f,
		&crmguard.AuditEvent{OrgID: org, Time: at(0), ActorID: ann, Action: "user.add", TargetID: t1},                // 0
		&crmguard.AuditEvent{OrgID: org, Time: at(1), ActorID: bob, Action: "user.update", TargetID: t1},             // 1
		&crmguard.AuditEvent{OrgID: org, Time: at(2), ActorID: ann, Action: "users.export", TargetID: t2},            // 2
		&crmguard.AuditEvent{OrgID: org, Time: at(3), ActorID: 0, Action: "user", TargetID: t2},                      // 3
		&crmguard.AuditEvent{OrgID: org, Time: at(4), ActorID: bob, Action: "userXadd", TargetID: t1},                // 4
		&crmguard.AuditEvent{OrgID: org, Time: at(5), ActorID: ann, Action: "user_add", TargetID: t2},                // 5
		&crmguard.AuditEvent{OrgID: other, Time: at(6), ActorID: ann, Action: "user.add", TargetID: t1},              // 6
		&crmguard.AuditEvent{OrgID: org, Time: at(7), ActorID: ann, Action: "profile.update", TargetID: f.ids.New()}, // 7
		&crmguard.AuditEvent{OrgID: org, Time: at(8), ActorID: ann, Action: "user%.x", TargetID: t1},                 // 8
	)
	want := func(idx ...int) []int64 { // newest first
		out := make([]int64, len(idx))
		for i, j := range idx {
			out[len(idx)-1-i] = seq[j]
		}
		return out
	}
	for _, c := range []struct {
		name   string
		filter crmguard.AuditFilter
		want   []int64
	}{
		{"no filter: this org's events, newest first", crmguard.AuditFilter{}, want(0, 1, 2, 3, 4, 5, 7, 8)},
		{"exact action", crmguard.AuditFilter{Action: "user.add"}, want(0)},
		{"exact action without a dot is not a prefix", crmguard.AuditFilter{Action: "user"}, want(3)},
		{"prefix: the dot is literal and required", crmguard.AuditFilter{Action: "user."}, want(0, 1)},
		{"underscore is no wildcard", crmguard.AuditFilter{Action: "user_add"}, want(5)},
		{"percent is no wildcard", crmguard.AuditFilter{Action: "user%."}, want(8)},
		{"actions are case-sensitive", crmguard.AuditFilter{Action: "User."}, want()},
		{"exact actions are case-sensitive", crmguard.AuditFilter{Action: "USER.ADD"}, want()},
		{"unknown action", crmguard.AuditFilter{Action: "role."}, want()},
		{"actor", crmguard.AuditFilter{Actor: bob}, want(1, 4)},
		{"target", crmguard.AuditFilter{Target: t2}, want(2, 3, 5)},
		{"since is inclusive", crmguard.AuditFilter{Since: at(5)}, want(5, 7, 8)},
		{"until is exclusive", crmguard.AuditFilter{Until: at(2)}, want(0, 1)},
		{"a range", crmguard.AuditFilter{Since: at(1), Until: at(4)}, want(1, 2, 3)},
		{"bounds between milliseconds", crmguard.AuditFilter{Since: at(1).Add(-time.Microsecond), Until: at(2).Add(time.Microsecond)}, want(1, 2)},
		{"bounds just after milliseconds", crmguard.AuditFilter{Since: at(1).Add(time.Microsecond), Until: at(3).Add(-time.Microsecond)}, want(2)},
		{"since after until", crmguard.AuditFilter{Since: at(4), Until: at(2)}, want()},
		{"before", crmguard.AuditFilter{Before: seq[3]}, want(0, 1, 2)},
		{"limit keeps the newest", crmguard.AuditFilter{Limit: 2}, want(7, 8)},
		{"a negative limit is the default", crmguard.AuditFilter{Limit: -1}, want(0, 1, 2, 3, 4, 5, 7, 8)},
		{"fields combine", crmguard.AuditFilter{Action: "user.", Actor: ann, Target: t1}, want(0)},
		{"every field", crmguard.AuditFilter{Action: "user.", Actor: bob, Target: t1, Since: at(1), Until: at(2),
			Before: seq[7], Limit: 5}, want(1)},
	} {
		evs, err := s.ListAudit(f.ctx, org, c.filter)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := seqsOf(evs); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ListAudit %s: got seqs %v, want %v", c.name, got, c.want)
		}
	}
}

// testAuditCursor: paging with Before visits every match once, newest
// first, and an event appended meanwhile does not shift the pages.
func testAuditCursor(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	var evs []*crmguard.AuditEvent
	for i := range 7 {
		actor := f.user.ID
		if i%3 == 2 {
			actor = f.ids.New()
		}
		evs = append(evs, &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.at(time.Duration(i) * time.Second), ActorID: actor, Action: "user.update"})
	}
	seq := appendAudit(t, s, f, evs...)
	want := []int64{seq[6], seq[4], seq[3], seq[1], seq[0]}
	for _, limit := range []int{1, 2, 3} {
		var paged []int64
		// The first page starts after the events appended by the paging
		// before; a zero Before is the newest, as FilterFields checks.
		page := crmguard.AuditFilter{Actor: f.user.ID, Limit: limit}
		if limit > 1 {
			page.Before = seq[6] + 1
		}
		for range 10 {
			got, err := s.ListAudit(f.ctx, f.org.ID, page)
			must(t, err, "ListAudit")
			if len(got) > limit {
				t.Errorf("a page of limit %d held %d events", limit, len(got))
			}
			if len(got) == 0 {
				break
			}
			paged = append(paged, seqsOf(got)...)
			page.Before = got[len(got)-1].Seq
			appendAudit(t, s, f, &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.at(time.Minute), ActorID: f.user.ID, Action: "user.update"})
		}
		if fmt.Sprint(paged) != fmt.Sprint(want) {
			t.Errorf("paging by actor, limit %d: %v, want %v", limit, paged, want)
		}
	}
}

// testAuditDefaultLimit: no limit means DefaultAuditLimit events, the
// newest.
func testAuditDefaultLimit(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	many := make([]*crmguard.AuditEvent, crmguard.DefaultAuditLimit+5)
	for i := range many {
		many[i] = &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now, Action: "token.issue"}
	}
	seq := appendAudit(t, s, f, many...)
	evs, err := s.ListAudit(f.ctx, f.org.ID, crmguard.AuditFilter{Action: "token.issue"})
	if err != nil || len(evs) != crmguard.DefaultAuditLimit || evs[0].Seq != seq[len(seq)-1] {
		t.Errorf("ListAudit without a limit: %d events, %v; want the newest %d", len(evs), err, crmguard.DefaultAuditLimit)
	}
}

// testAuditOldMatch: the one event that matches sits behind many newer
// ones that do not. Each filter finds it: none reads a window of recent
// events.
func testAuditOldMatch(t *testing.T, s crmguard.Store) {
	f := seed(t, s)
	old := f.at(-365 * 24 * time.Hour)
	target, admin := f.ids.New(), f.ids.New()
	want := appendAudit(t, s, f, &crmguard.AuditEvent{OrgID: f.org.ID, Time: old, ActorID: admin,
		Action: "profile.update", TargetType: "profile", TargetID: target, Source: crmguard.SourceConsole})[0]
	newer := make([]*crmguard.AuditEvent, 3*crmguard.DefaultAuditLimit)
	for i := range newer {
		newer[i] = &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.at(time.Duration(i-len(newer)) * time.Second),
			ActorID: f.user.ID, Action: "token.issue", TargetType: "token", TargetID: f.ids.New()}
	}
	appendAudit(t, s, f, newer...)
	for name, filter := range map[string]crmguard.AuditFilter{
		"action":        {Action: "profile.update"},
		"action prefix": {Action: "profile."},
		"actor":         {Actor: admin},
		"target":        {Target: target},
		"time range":    {Since: old.Add(-time.Hour), Until: old.Add(time.Hour)},
		"until":         {Until: old.Add(time.Millisecond), Limit: 5},
		"all of them": {Action: "profile.update", Actor: admin, Target: target,
			Since: old, Until: old.Add(time.Millisecond), Limit: 1},
	} {
		evs, err := s.ListAudit(f.ctx, f.org.ID, filter)
		must(t, err, name)
		if len(evs) != 1 || evs[0].Seq != want || evs[0].TargetID != target || !evs[0].Time.Equal(old) {
			t.Errorf("ListAudit %s: got seqs %v, want [%d]", name, seqsOf(evs), want)
		}
	}
}
