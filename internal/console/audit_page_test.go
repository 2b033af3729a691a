package console_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

var olderLink = regexp.MustCompile(`<a href="([^"]+)" id="older">`)

// TestAuditPageFindsOldEventsAndPages: a search finds an event behind
// 10,000 newer ones, and "Older" walks back through every match, 500 to a
// page, each once.
func TestAuditPageFindsOldEventsAndPages(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	c, _ := adminClient(t, env)
	ctx := context.Background()
	now := env.Clock.Now()
	const newer = 10_000
	err := env.Store.InTx(ctx, func(tx crmguard.Store) error {
		old := &crmguard.AuditEvent{OrgID: env.Org.ID, Time: now.Add(-24 * time.Hour), ActorID: env.Boot.Admin.ID,
			Source: crmguard.SourceConsole, Action: "role.rename", TargetType: "role", TargetID: 42}
		if err := tx.AppendAudit(ctx, old); err != nil {
			return err
		}
		for i := range newer {
			if err := tx.AppendAudit(ctx, &crmguard.AuditEvent{OrgID: env.Org.ID, Time: now.Add(time.Duration(i) * time.Millisecond),
				Source: crmguard.SourceAPI, Action: "token.refresh", TargetType: "token", TargetID: crmguard.ID(1000 + i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range []string{"action=role.rename", "action=role.", "target=42", "since=" + now.Add(-24*time.Hour).Format("2006-01-02") + "&until=" + now.Add(-24*time.Hour).Format("2006-01-02")} {
		status, _, page := fetch(t, c, "GET", env.URL+"/console/setup/audit?"+q, nil)
		if status != http.StatusOK || strings.Count(page, "<td>role.rename</td>") != 1 {
			t.Errorf("%s: %d, the old event %s", q, status, map[bool]string{true: "is there", false: "is missing"}[strings.Contains(page, "role.rename")])
		}
		if strings.Contains(page, `id="older"`) {
			t.Errorf("%s: an older page offered after the only match", q)
		}
	}

	next, rows, pages := "/console/setup/audit?action=token.refresh", 0, 0
	for next != "" && pages < 30 {
		status, _, page := fetch(t, c, "GET", env.URL+next, nil)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", next, status)
		}
		n := strings.Count(page, "<td>token.refresh</td>")
		if n != 500 {
			t.Errorf("page %d: %d rows", pages+1, n)
		}
		if pages > 0 && !strings.Contains(page, `id="newest"`) {
			t.Errorf("page %d has no way back to the newest", pages+1)
		}
		if pages == 0 && !strings.Contains(page, "<td>token "+crmguard.ID(1000+newer-1).String()+"</td>") {
			t.Error("the first page does not start with the newest event")
		}
		rows, pages, next = rows+n, pages+1, ""
		if m := olderLink.FindStringSubmatch(page); m != nil {
			next = html.UnescapeString(m[1])
			if !strings.Contains(next, "action=token.refresh") {
				t.Errorf("the older link drops the filter: %s", next)
			}
		}
		if pages == newer/500 && !strings.Contains(page, "<td>token 1000</td>") {
			t.Error("the last page does not end with the oldest event")
		}
	}
	if rows != newer || pages != newer/500 {
		t.Errorf("paged through %d events in %d pages, want %d in %d", rows, pages, newer, newer/500)
	}

	if status, _, _ := fetch(t, c, "GET", env.URL+"/console/setup/audit?before=-3", nil); status != http.StatusBadRequest {
		t.Errorf("a bad cursor: %d", status)
	}
}
