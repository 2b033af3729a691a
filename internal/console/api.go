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

func (c *Console) revokeToken(w http.ResponseWriter, r *request) {
	id, _ := crmguard.ParseID(r.PathValue("id"))
	if err := c.svc.RevokeTokenID(r.Context(), r.actor(c), id); err != nil {
		c.apiError(w, r, err)
		return
	}
	back := r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/console/") {
		back = "/console/setup/api"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r.Request, back+sep+"done="+url.QueryEscape("The token is revoked."), http.StatusSeeOther)
}
