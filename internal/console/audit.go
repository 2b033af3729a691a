package console

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
)

type eventRow struct {
	Seq                                                    int64
	Time, Actor, Source, Action, Target, IP, Before, After string
}

// auditPage is how many events the audit page and its CSV show at once.
const auditPage = 500

// auditQuery reads the audit filters of a request; an error names the bad
// field.
func (c *Console) auditQuery(r *request) (crmguard.AuditFilter, map[string]string, string) {
	q := r.URL.Query()
	form := map[string]string{}
	for _, k := range []string{"action", "actor", "target", "since", "until", "before"} {
		form[k] = strings.TrimSpace(q.Get(k))
	}
	f := crmguard.AuditFilter{Action: form["action"], Limit: auditPage}
	if form["before"] != "" {
		seq, ok := crmguard.ParseID(form["before"])
		if !ok {
			return f, form, "The page cursor must be a number."
		}
		f.Before = int64(seq)
	}
	if form["target"] != "" {
		id, ok := crmguard.ParseID(form["target"])
		if !ok {
			return f, form, "The target must be an ID."
		}
		f.Target = id
	}
	if form["actor"] != "" {
		u, err := c.svc.UserByEmail(r.Context(), r.user.OrgID, form["actor"])
		if err != nil {
			return f, form, "No user has the e-mail " + form["actor"] + "."
		}
		f.Actor = u.ID
	}
	for _, k := range []string{"since", "until"} {
		if form[k] == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", form[k])
		if err != nil {
			return f, form, "Dates are YYYY-MM-DD."
		}
		if k == "since" {
			f.Since = t
		} else {
			f.Until = t.Add(24 * time.Hour)
		}
	}
	return f, form, ""
}

// events lists the audit events a filter selects, with actor e-mails.
func (c *Console) events(r *request, f crmguard.AuditFilter) ([]eventRow, error) {
	evs, err := c.svc.Audit(r.Context(), r.actor(c), f)
	if err != nil {
		return nil, err
	}
	var ids []crmguard.ID
	for _, e := range evs {
		ids = append(ids, e.ActorID)
	}
	names, err := c.svc.UserNames(r.Context(), r.user.OrgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]eventRow, len(evs))
	for i, e := range evs {
		actor := "system"
		if e.ActorID != 0 {
			actor = names[e.ActorID]
		}
		out[i] = eventRow{Seq: e.Seq, Time: e.Time.UTC().Format("2006-01-02 15:04:05"), Actor: actor, Source: e.Source, Action: e.Action,
			Target: e.TargetType + " " + e.TargetID.String(), IP: e.ClientIP, Before: string(e.Before), After: string(e.After)}
	}
	return out, nil
}

// audit shows the audit log, newest first, filtered by action, actor,
// target and time, a page at a time: "Older" carries the last shown
// event's seq as the before cursor, so paging goes back through every
// match, and events appended meanwhile do not shift the pages.
func (c *Console) audit(w http.ResponseWriter, r *request) {
	f, form, msg := c.auditQuery(r)
	d := r.base("Audit log", "setup")
	d.Form, d.Error, d.CSVLink = form, msg, "/console/setup/audit.csv?"+r.URL.RawQuery
	if msg == "" {
		f.Limit = auditPage + 1 // one more than shown tells whether there are older ones
		var err error
		if d.Events, err = c.events(r, f); err != nil {
			c.auditFailed(w, r, err)
			return
		}
		link := func(before int64) string {
			q := r.URL.Query()
			q.Del("before")
			if before != 0 {
				q.Set("before", strconv.FormatInt(before, 10))
			}
			return "/console/setup/audit?" + q.Encode()
		}
		if len(d.Events) > auditPage {
			d.Events = d.Events[:auditPage]
			d.Next = link(d.Events[auditPage-1].Seq)
		}
		if f.Before != 0 {
			d.Prev = link(0)
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	c.render(w, status, "audit", d)
}

// auditCSV exports the filtered audit log with the values before and after
// (secrets such as invitation links, tokens and passwords are never
// audited, so none can leave this way).
func (c *Console) auditCSV(w http.ResponseWriter, r *request) {
	f, _, msg := c.auditQuery(r)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	rows, err := c.events(r, f)
	if err != nil {
		c.auditFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="crmguard-audit.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time_utc", "actor", "source", "action", "target", "client_ip", "before", "after"})
	for _, e := range rows {
		_ = cw.Write([]string{e.Time, csvSafe(e.Actor), e.Source, e.Action, e.Target, e.IP, csvSafe(e.Before), csvSafe(e.After)})
	}
	cw.Flush()
}

// auditFailed answers a refusal by the service (the route checks the same
// permission first, so this is a profile changed between the two) as 403,
// anything else as an internal error.
func (c *Console) auditFailed(w http.ResponseWriter, r *request, err error) {
	if e, ok := crmguard.AsError(err); ok && e.Code == crmguard.CodeNoPermission {
		c.fail(w, r, http.StatusForbidden, "Permission denied", "Reading the audit log needs the Manage Security permission.")
		return
	}
	c.internal(w, r, err)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
