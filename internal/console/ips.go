package console

import (
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

type ruleRow struct {
	ID                     crmguard.ID
	Name, Range, AppliesTo string
}

// ips shows Security Control › Allowed IPs.
func (c *Console) ips(w http.ResponseWriter, r *request) {
	c.ipsPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (c *Console) ipsPage(w http.ResponseWriter, r *request, status int, flash, errMsg string) {
	rows, err := c.ruleRows(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base("Allowed IPs · Security Control", "setup")
	d.Tab, d.Flash, d.Error, d.Rules = "ips", flash, errMsg, rows
	c.render(w, status, "ips", d)
}

// ruleRows describes the org's IP rules: whom each applies to by name.
func (c *Console) ruleRows(r *request) ([]ruleRow, error) {
	rules, err := c.svc.ListIPRules(r.Context(), r.user.OrgID)
	if err != nil {
		return nil, err
	}
	_, _, rn, pn, err := c.names(r)
	if err != nil {
		return nil, err
	}
	var out []ruleRow
	for _, ru := range rules {
		applies := "All users"
		switch ru.AppliesTo {
		case crmguard.IPRuleRole:
			applies = "Role " + rn[ru.TargetID]
		case crmguard.IPRuleProfile:
			applies = "Profile " + pn[ru.TargetID]
		case crmguard.IPRuleUser:
			applies = "User " + ru.TargetID.String()
			if u, err := c.svc.GetUser(r.Context(), r.user.OrgID, ru.TargetID); err == nil {
				applies = "User " + u.Email
			}
		}
		out = append(out, ruleRow{ID: ru.ID, Name: ru.Name, Range: ru.Prefix.String(), AppliesTo: applies})
	}
	return out, nil
}

func (c *Console) addIP(w http.ResponseWriter, r *request) {
	in := service.IPRuleInput{Name: r.PostForm.Get("name"), Range: r.PostForm.Get("range"),
		AppliesTo: r.PostForm.Get("applies_to"), Target: r.PostForm.Get("target")}
	_, err := c.svc.AddIPRule(r.Context(), r.actor(c), in)
	c.finish(w, r, err, c.ipsAgain(w, r), "/console/setup/security/ips", "Added the rule.")
}

func (c *Console) ipsAgain(w http.ResponseWriter, r *request) func(int, string, string) {
	return func(status int, flash, msg string) { c.ipsPage(w, r, status, flash, msg) }
}

func (c *Console) removeIP(w http.ResponseWriter, r *request) {
	id, _ := crmguard.ParseID(r.PathValue("id"))
	if !confirmed(r) {
		c.confirmRemoveIP(w, r, id)
		return
	}
	err := c.svc.RemoveIPRule(r.Context(), r.actor(c), id)
	c.finish(w, r, err, c.ipsAgain(w, r), "/console/setup/security/ips", "Removed the rule.")
}

// confirmRemoveIP says whom the rule stops restricting: a user bound by
// other rules keeps their ranges; one bound by no other rule may then call
// from anywhere.
func (c *Console) confirmRemoveIP(w http.ResponseWriter, r *request, id crmguard.ID) {
	rows, err := c.ruleRows(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, ru := range rows {
		if ru.ID != id {
			continue
		}
		title := "Remove the IP rule " + ru.Name + "?"
		if ru.Name == "" {
			title = "Remove the IP rule for " + ru.Range + "?"
		}
		c.confirm(w, r, confirmation{Title: title,
			Text:   "It lets " + strings.ToLower(ru.AppliesTo[:1]) + ru.AppliesTo[1:] + " call the API from " + ru.Range + ". Without it, those users may call only from the ranges of the other rules that apply to them, or from anywhere if none does.",
			Cancel: "/console/setup/security/ips"})
		return
	}
	c.ipsPage(w, r, http.StatusBadRequest, "", "There is no such rule.")
}
