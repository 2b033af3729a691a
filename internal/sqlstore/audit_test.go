package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

func TestAuditFilter(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("OldMatch", func(t *testing.T) {
				s := open(t)
				testAuditOldMatch(t, s, seed(t, s))
			})
			t.Run("Fields", func(t *testing.T) {
				s := open(t)
				testAuditFilterFields(t, s, seed(t, s))
			})
		})
	}
}

// appendAudit appends events in one transaction and returns their seqs.
func appendAudit(t *testing.T, s crmguard.Store, evs ...*crmguard.AuditEvent) []int64 {
	t.Helper()
	ctx := context.Background()
	seqs := make([]int64, len(evs))
	err := s.InTx(ctx, func(tx crmguard.Store) error {
		for i, e := range evs {
			if e.Source == "" {
				e.Source = crmguard.SourceAPI
			}
			if e.TargetType == "" {
				e.TargetType = "user"
			}
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
			seqs[i] = e.Seq
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// seqsOf lists the seqs of events, in the order given.
func seqsOf(evs []*crmguard.AuditEvent) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

// testAuditOldMatch: the one event that matches sits behind 10,000 newer
// ones that do not, as a year-old profile change would behind daily token
// traffic. Each filter finds it: none reads a window of recent events.
func testAuditOldMatch(t *testing.T, s crmguard.Store, f *fixture) {
	ctx := context.Background()
	old := f.now.Add(-365 * 24 * time.Hour)
	target, admin := f.ids.New(), f.ids.New()
	want := appendAudit(t, s, &crmguard.AuditEvent{OrgID: f.org.ID, Time: old, ActorID: admin,
		Action: "profile.update", TargetType: "profile", TargetID: target, Source: crmguard.SourceConsole})[0]
	newer := make([]*crmguard.AuditEvent, 10_000)
	for i := range newer {
		newer[i] = &crmguard.AuditEvent{OrgID: f.org.ID, Time: f.now.Add(time.Duration(i-len(newer)) * time.Second),
			ActorID: f.user.ID, Action: "token.issue", TargetType: "token", TargetID: f.ids.New(), Source: crmguard.SourceAPI}
	}
	appendAudit(t, s, newer...)

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
		evs, err := s.ListAudit(ctx, f.org.ID, filter)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(evs) != 1 || evs[0].Seq != want || evs[0].TargetID != target || !evs[0].Time.Equal(old) {
			t.Errorf("%s: got seqs %v, want [%d]", name, seqsOf(evs), want)
		}
	}
}

// testAuditFilterFields checks each field of the filter on its own.
func testAuditFilterFields(t *testing.T, s crmguard.Store, f *fixture) {
	ctx := context.Background()
	org, other := f.org.ID, f.ids.New()
	ann, bob := f.user.ID, f.ids.New()
	t1, t2 := f.ids.New(), f.ids.New()
	at := func(sec int) time.Time { return f.now.Add(time.Duration(sec) * time.Second) }
	seq := appendAudit(t, s,
		&crmguard.AuditEvent{OrgID: org, Time: at(0), ActorID: ann, Action: "user.add", TargetID: t1},                // 0
		&crmguard.AuditEvent{OrgID: org, Time: at(1), ActorID: bob, Action: "user.update", TargetID: t1},             // 1
		&crmguard.AuditEvent{OrgID: org, Time: at(2), ActorID: ann, Action: "users.export", TargetID: t2},            // 2
		&crmguard.AuditEvent{OrgID: org, Time: at(3), ActorID: 0, Action: "user", TargetID: t2},                      // 3
		&crmguard.AuditEvent{OrgID: org, Time: at(4), ActorID: bob, Action: "userXadd", TargetID: t1},                // 4
		&crmguard.AuditEvent{OrgID: org, Time: at(5), ActorID: ann, Action: "user_add", TargetID: t2},                // 5
		&crmguard.AuditEvent{OrgID: other, Time: at(6), ActorID: ann, Action: "user.add", TargetID: t1},              // 6
		&crmguard.AuditEvent{OrgID: org, Time: at(7), ActorID: ann, Action: "profile.update", TargetID: f.ids.New()}, // 7
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
		{"no filter: this org's events, newest first", crmguard.AuditFilter{}, want(0, 1, 2, 3, 4, 5, 7)},
		{"exact action", crmguard.AuditFilter{Action: "user.add"}, want(0)},
		{"exact action without a dot is not a prefix", crmguard.AuditFilter{Action: "user"}, want(3)},
		{"prefix: the dot is literal and required", crmguard.AuditFilter{Action: "user."}, want(0, 1)},
		{"underscore is no wildcard", crmguard.AuditFilter{Action: "user_add"}, want(5)},
		{"actions are case-sensitive", crmguard.AuditFilter{Action: "User."}, want()},
		{"unknown action", crmguard.AuditFilter{Action: "role."}, want()},
		{"actor", crmguard.AuditFilter{Actor: bob}, want(1, 4)},
		{"target", crmguard.AuditFilter{Target: t2}, want(2, 3, 5)},
		{"since is inclusive", crmguard.AuditFilter{Since: at(5)}, want(5, 7)},
		{"until is exclusive", crmguard.AuditFilter{Until: at(2)}, want(0, 1)},
		{"a range", crmguard.AuditFilter{Since: at(1), Until: at(4)}, want(1, 2, 3)},
		{"bounds between milliseconds", crmguard.AuditFilter{Since: at(1).Add(-time.Microsecond), Until: at(2).Add(time.Microsecond)}, want(1, 2)},
		{"since after until", crmguard.AuditFilter{Since: at(4), Until: at(2)}, want()},
		{"before", crmguard.AuditFilter{Before: seq[3]}, want(0, 1, 2)},
		{"limit keeps the newest", crmguard.AuditFilter{Limit: 2}, want(5, 7)},
		{"fields combine", crmguard.AuditFilter{Action: "user.", Actor: ann, Target: t1}, want(0)},
	} {
		evs, err := s.ListAudit(ctx, org, c.filter)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := seqsOf(evs); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got seqs %v, want %v", c.name, got, c.want)
		}
	}

	// Paging with the cursor visits every match once, newest first, and an
	// event appended meanwhile does not shift the pages.
	var paged []int64
	page := crmguard.AuditFilter{Actor: ann, Limit: 1}
	for range 10 {
		evs, err := s.ListAudit(ctx, org, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		paged = append(paged, seqsOf(evs)...)
		page.Before = evs[len(evs)-1].Seq
		appendAudit(t, s, &crmguard.AuditEvent{OrgID: org, Time: at(9), ActorID: ann, Action: "user.update", TargetID: t1})
	}
	if fmt.Sprint(paged) != fmt.Sprint(want(0, 2, 5, 7)) {
		t.Errorf("paging by actor: %v, want %v", paged, want(0, 2, 5, 7))
	}

	// No limit means the default page.
	many := make([]*crmguard.AuditEvent, crmguard.DefaultAuditLimit+5)
	for i := range many {
		many[i] = &crmguard.AuditEvent{OrgID: org, Time: at(10), Action: "token.issue"}
	}
	appendAudit(t, s, many...)
	if evs, err := s.ListAudit(ctx, org, crmguard.AuditFilter{Action: "token.issue"}); err != nil || len(evs) != crmguard.DefaultAuditLimit {
		t.Errorf("without a limit: %d events, %v; want %d", len(evs), err, crmguard.DefaultAuditLimit)
	}
}
