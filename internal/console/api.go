package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
)

type tokenRow struct {
	ID                                        crmguard.ID
	Kind, User, Client, Scopes, Created, When string
}

// tokenRows renders live tokens, refresh tokens (with their last use)
// first.
func (c *Console) tokenRows(r *request, user crmguard.ID) ([]tokenRow, error) {
	refresh, access, err := c.svc.ListTokens(r.Context(), r.user.OrgID, user)
	if err != nil {
		return nil, err
	}
	clients, err := c.svc.ListClients(r.Context(), r.user.OrgID)
	if err != nil {
		return nil, err
	}
	cname := map[string]string{}
	for _, cl := range clients {
		cname[cl.ClientID] = cl.Name
	}
	var ids []crmguard.ID
	for _, t := range refresh {
		ids = append(ids, t.UserID)
	}
	for _, t := range access {
		ids = append(ids, t.UserID)
	}
	names, err := c.svc.UserNames(r.Context(), r.user.OrgID, ids)
	if err != nil {
		return nil, err
	}
	const layout = "2006-01-02 15:04 UTC"
	var out []tokenRow
	for _, t := range refresh {
		when := "never used"
		if t.LastUsed != nil {
			when = "used " + t.LastUsed.UTC().Format(layout)
		}
		out = append(out, tokenRow{ID: t.ID, Kind: "refresh", User: names[t.UserID], Client: cname[t.ClientID], Scopes: t.Scopes,
			Created: t.CreatedTime.UTC().Format(layout), When: when})
	}
	for _, t := range access {
		out = append(out, tokenRow{ID: t.ID, Kind: "access", User: names[t.UserID], Client: cname[t.ClientID], Scopes: t.Scopes,
			Created: t.CreatedTime.UTC().Format(layout), When: "expires " + t.ExpiresAt.UTC().Format(layout)})
	}
	return out, nil
}

// api is Setup › API console: clients, Self Client grant codes, tokens.
func (c *Console) api(w http.ResponseWriter, r *request) {
	c.apiPage(w, r, http.StatusOK, r.URL.Query().Get("done"), "", nil)
}

func (c *Console) apiPage(w http.ResponseWriter, r *request, status int, flash, errMsg string, secret map[string]string) {
	clients, err := c.svc.ListClients(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base("API console", "setup")
	d.Flash, d.Error, d.Secret, d.Clients = flash, errMsg, secret, clients
	if d.Tokens, err = c.tokenRows(r, 0); err != nil {
		c.internal(w, r, err)
		return
	}
	c.render(w, status, "api", d)
}

// apiError shows a service error on the page; other errors are internal.
func (c *Console) apiError(w http.ResponseWriter, r *request, err error) {
	if ce, ok := crmguard.AsError(err); ok {
		c.apiPage(w, r, http.StatusBadRequest, "", ce.Message, nil)
		return
	}
	if oe, ok := err.(*crmguard.OAuthError); ok {
		c.apiPage(w, r, http.StatusBadRequest, "", oe.Description, nil)
		return
	}
	c.internal(w, r, err)
}

func (c *Console) registerClient(w http.ResponseWriter, r *request) {
	var uris []string
	for _, u := range strings.Split(r.PostForm.Get("redirect_uris"), "\n") {
		if u = strings.TrimSpace(u); u != "" {
			uris = append(uris, u)
		}
	}
	cl, secret, err := c.svc.CreateClient(r.Context(), r.actor(c), r.PostForm.Get("name"), r.PostForm.Get("type"), uris)
	if err != nil {
		c.apiError(w, r, err)
		return
	}
	c.apiPage(w, r, http.StatusCreated, "Registered "+cl.Name+".", "", map[string]string{"client_id": cl.ClientID, "client_secret": secret})
}

// grant makes a Self Client grant code for the signed-in user.
func (c *Console) grant(w http.ResponseWriter, r *request) {
	minutes, err := strconv.Atoi(r.PostForm.Get("ttl"))
	if err != nil || minutes < 1 || minutes > 10 {
		c.apiPage(w, r, http.StatusBadRequest, "", "Choose a duration of 3 to 10 minutes.", nil)
		return
	}
	self, err := c.svc.SelfClient(r.Context(), r.user.OrgID)
	if err != nil {
		c.apiError(w, r, err)
		return
	}
	code, err := c.svc.CreateGrant(r.Context(), r.actor(c), service.GrantRequest{Client: self, UserID: r.user.ID,
		Scopes: r.PostForm.Get("scopes"), TTL: time.Duration(minutes) * time.Minute, Offline: true})
	if err != nil {
		c.apiError(w, r, err)
		return
	}
	c.apiPage(w, r, http.StatusCreated, fmt.Sprintf("Grant code made; it works once, for %d minutes.", minutes), "",
		map[string]string{"code": code, "client_id": self.ClientID})
}

// revokeToken revokes one token once confirmed, then goes back to the
// page the form came from.
func (c *Console) revokeToken(w http.ResponseWriter, r *request) {
	id, _ := crmguard.ParseID(r.PathValue("id"))
	back := safeBack(r.PostForm.Get("back"), "/console/setup/api")
	if !confirmed(r) {
		c.confirmRevokeToken(w, r, id, back)
		return
	}
	if err := c.svc.RevokeTokenID(r.Context(), r.actor(c), id); err != nil {
		c.apiError(w, r, err)
		return
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r.Request, back+sep+"done="+url.QueryEscape("The token is revoked."), http.StatusSeeOther)
}

// confirmRevokeToken says whose token goes, for which client and scopes.
// Only those who may revoke it see them.
func (c *Console) confirmRevokeToken(w http.ResponseWriter, r *request, id crmguard.ID, back string) {
	if !r.profile.Permissions.Has(crmguard.PermManageSecurity) && !r.profile.Permissions.Has(crmguard.PermManageUsers) {
		c.fail(w, r, http.StatusForbidden, "Permission denied", "Revoking tokens needs Manage Security, or Manage Users for another user's token.")
		return
	}
	rows, err := c.tokenRows(r, 0)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	cf := confirmation{Title: "Revoke this token?", Fields: map[string]string{"back": back}, Cancel: back,
		Text: "Token " + id.String() + " stops working at once. This cannot be undone."}
	for _, t := range rows {
		if t.ID != id {
			continue
		}
		cf.Title = "Revoke this " + t.Kind + " token of " + t.User + "?"
		cf.Text = "The " + t.Kind + " token of " + t.User + " for " + t.Client + " (scopes " + t.Scopes + ") stops working at once"
		if t.Kind == "refresh" {
			cf.Text += ", with the access tokens made from it; the app must be authorised again"
		}
		cf.Text += ". This cannot be undone."
	}
	c.confirm(w, r, cf)
}

// safeBack returns back when it is a console page of this server, else
// fallback. http.Redirect cleans the path, so "/console/../\evil.test"
// would leave as "/\evil.test", which browsers read as //evil.test, a
// different host; percent-encoded dots and slashes are read as such by
// browsers too. Only plain console paths pass: no "..", no "//", no
// backslash, no escapes, no characters a page link does not use.
func safeBack(back, fallback string) string {
	if !strings.HasPrefix(back, "/console/") || strings.Contains(back, "//") || strings.Contains(back, "..") {
		return fallback
	}
	for _, ch := range back {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', strings.ContainsRune("/-_.?=&", ch):
		default:
			return fallback
		}
	}
	return back
}
