package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/criteria"
	"github.com/crmguard/crmguard/internal/service"
)

const usersPerPage = 50

type userRow struct {
	ID                       crmguard.ID
	Name, First, Last, Email string
	Role, Profile, Status    string
	RoleID, ProfileID        crmguard.ID
	Confirmed                bool
}

type userAction struct {
	Value, Label string
	Danger       bool // destroys: asks for confirmation, shown in red
}

// names returns role and profile names by ID.
func (c *Console) names(r *request) (roles []*crmguard.Role, profiles []*crmguard.Profile, rn, pn map[crmguard.ID]string, err error) {
	if roles, err = c.svc.ListRoles(r.Context(), r.user.OrgID); err != nil {
		return
	}
	if profiles, err = c.svc.ListProfiles(r.Context(), r.user.OrgID); err != nil {
		return
	}
	rn, pn = map[crmguard.ID]string{}, map[crmguard.ID]string{}
	for _, x := range roles {
		rn[x.ID] = x.Name
	}
	for _, x := range profiles {
		pn[x.ID] = x.Name
	}
	return
}

func row(u *crmguard.User, rn, pn map[crmguard.ID]string) userRow {
	return userRow{ID: u.ID, Name: u.FullName(), First: u.FirstName, Last: u.LastName, Email: u.Email,
		Role: rn[u.RoleID], Profile: pn[u.ProfileID], Status: u.Status, RoleID: u.RoleID, ProfileID: u.ProfileID, Confirmed: u.Confirmed}
}

// users lists users by type, 50 a page, or those whose name or e-mail
// starts with the search text. Paging reads a slice of the type's sorted
// IDs, kept per change, so page 2,000 of 100,000 users costs what page 1
// does.
func (c *Console) users(w http.ResponseWriter, r *request) {
	q := r.URL.Query()
	typ, ok := service.UserType(q.Get("type"))
	if !ok {
		typ = "AllUsers"
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	search := strings.TrimSpace(q.Get("q"))
	d := r.base("Users", "setup")
	d.Types, d.Type, d.Query, d.Page = service.UserTypes, typ, search, page
	_, _, rn, pn, err := c.names(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	var res *service.UserPage
	if search != "" {
		v := criteria.Escape(search)
		crit := fmt.Sprintf("((email:starts_with:%s)or(first_name:starts_with:%s)or(last_name:starts_with:%s)or(full_name:starts_with:%s))", v, v, v, v)
		res, err = c.svc.SearchUsers(r.Context(), r.user.OrgID, crit, page, usersPerPage)
		d.Type, d.Count = "AllUsers", -1 // a search stops at the page: the total is not known
	} else {
		// Counted first, so a page past the end (typed into the jump
		// form) shows the last page instead of an empty list.
		d.Count, err = c.svc.CountUsers(r.Context(), r.user.OrgID, typ, r.user.ID)
		if err == nil {
			d.Pages = max(1, (d.Count+usersPerPage-1)/usersPerPage)
			page = min(page, d.Pages)
			d.Page = page
			res, err = c.svc.ListUsers(r.Context(), r.user.OrgID, service.UserQuery{Type: typ, Page: page, PerPage: usersPerPage, Caller: r.user.ID})
		}
	}
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			d.Error = ce.Message
			c.render(w, http.StatusBadRequest, "users", d)
			return
		}
		c.internal(w, r, err)
		return
	}
	for _, u := range res.Users {
		d.Users = append(d.Users, row(u, rn, pn))
	}
	link := func(p int) string {
		v := url.Values{"type": {d.Type}, "page": {strconv.Itoa(p)}}
		if search != "" {
			v.Set("q", search)
		}
		return "/console/users?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if res.More {
		d.Next = link(page + 1)
	}
	c.render(w, http.StatusOK, "users", d)
}

// userPage shows one user with the edit form and the actions that apply.
// link, shown on this answer only, is a new invitation link for a user
// not yet confirmed, or a password-reset link for a confirmed one.
func (c *Console) userPage(w http.ResponseWriter, r *request, status int, id crmguard.ID, flash, errMsg, link string) {
	u, err := c.svc.GetUser(r.Context(), r.user.OrgID, id)
	if err != nil {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such user.")
		return
	}
	roles, profiles, rn, pn, err := c.names(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	org, err := c.svc.Org(r.Context(), r.user.OrgID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base(u.FullName()+" · Users", "setup")
	t := row(u, rn, pn)
	d.Target, d.Roles, d.ProfileList, d.Flash, d.Error, d.InviteURL = &t, roles, profiles, flash, errMsg, link
	if d.UserGroups, err = c.userGroups(r, u.ID); err != nil {
		c.internal(w, r, err)
		return
	}
	if d.UserTerritories, err = c.userTerritories(r, u.ID); err != nil {
		c.internal(w, r, err)
		return
	}
	if d.Tokens, err = c.tokenRows(r, u.ID); err != nil {
		c.internal(w, r, err)
		return
	}
	primary := u.ID == org.PrimaryUserID
	switch u.Status {
	case crmguard.UserActive:
		if !primary {
			d.Actions = append(d.Actions, userAction{Value: "deactivate", Label: "Deactivate"})
		}
		if u.Confirmed {
			d.Actions = append(d.Actions, userAction{Value: "reset", Label: "Password-reset link"})
		}
	case crmguard.UserDisabled:
		d.Actions = append(d.Actions, userAction{Value: "activate", Label: "Activate"})
	}
	if !u.Confirmed {
		d.Actions = append(d.Actions, userAction{Value: "reinvite", Label: "New invitation link"})
	}
	d.Actions = append(d.Actions, userAction{Value: "revoke", Label: "Revoke all tokens", Danger: true})
	if !primary {
		d.Actions = append(d.Actions, userAction{Value: "delete", Label: "Delete", Danger: true})
	}
	c.render(w, status, "user", d)
}

func (c *Console) user(w http.ResponseWriter, r *request) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such user.")
		return
	}
	c.userPage(w, r, http.StatusOK, id, r.URL.Query().Get("done"), "", "")
}

// formRef sets a user's role or profile from a form value: an ID, or else
// the value as given, which the service refuses as the API would.
func formRef(in *service.UserInput, dst **crmguard.ID, api, v string) {
	if id, ok := crmguard.ParseID(v); ok {
		*dst = &id
		return
	}
	if in.Fields == nil {
		in.Fields = map[string]json.RawMessage{}
	}
	b, _ := json.Marshal(v)
	in.Fields[api] = b
}

// userAction applies one action of the user page through the same service
// as the API.
func (c *Console) userAction(w http.ResponseWriter, r *request) {
	id, ok := crmguard.ParseID(r.PathValue("id"))
	if !ok {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such user.")
		return
	}
	a := r.actor(c)
	var err error
	var done, link string
	update := func(in service.UserInput) error {
		results, err := c.svc.UpdateUsers(r.Context(), a, []service.UserUpdate{{ID: id, HasID: true, Input: in}})
		if err == nil && results[0] != nil {
			err = results[0]
		}
		return err
	}
	action := r.PostForm.Get("action")
	if (action == "delete" || action == "revoke") && !confirmed(r) {
		c.confirmUser(w, r, id, action)
		return
	}
	switch action {
	case "edit":
		done = "Saved."
		first, last := r.PostForm.Get("first_name"), r.PostForm.Get("last_name")
		in := service.UserInput{FirstName: &first, LastName: &last}
		formRef(&in, &in.Role, "role", r.PostForm.Get("role"))
		formRef(&in, &in.Profile, "profile", r.PostForm.Get("profile"))
		err = update(in)
	case "deactivate":
		inactive := "inactive"
		done, err = "The user is deactivated.", update(service.UserInput{Status: &inactive})
	case "activate":
		active := "active"
		done, err = "The user is active.", update(service.UserInput{Status: &active})
	case "delete":
		done, err = "The user is deleted; their tokens are revoked.", c.svc.DeleteUser(r.Context(), a, id)
	case "revoke":
		done, err = "Every token of the user is revoked.", c.svc.RevokeUserTokens(r.Context(), a, id)
	case "reinvite":
		link, err = c.svc.Reinvite(r.Context(), a, id)
	case "reset": // the page shows it as a reset link: the user is confirmed
		link, err = c.svc.PasswordResetLink(r.Context(), a, id)
	default:
		c.userPage(w, r, http.StatusBadRequest, id, "", "Unknown action.", "")
		return
	}
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			c.userPage(w, r, http.StatusBadRequest, id, "", ce.Message, "")
			return
		}
		c.internal(w, r, err)
		return
	}
	if link != "" { // shown once, never put in a URL
		c.userPage(w, r, http.StatusOK, id, "", "", link)
		return
	}
	http.Redirect(w, r.Request, "/console/users/"+id.String()+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// confirmUser asks before deleting a user or revoking all their tokens,
// saying how many live tokens go.
func (c *Console) confirmUser(w http.ResponseWriter, r *request, id crmguard.ID, action string) {
	u, err := c.svc.GetUser(r.Context(), r.user.OrgID, id)
	if err != nil {
		c.fail(w, r, http.StatusNotFound, "Not found", "There is no such user.")
		return
	}
	n, tokens, err := c.liveTokens(r, u.ID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	are, stop := "are", "stop"
	if n == 1 {
		are, stop = "is", "stops"
	}
	cf := confirmation{Fields: map[string]string{"action": action}, Cancel: "/console/users/" + u.ID.String()}
	who := u.FullName() + " (" + u.Email + ")"
	switch action {
	case "delete":
		cf.Title = "Delete " + u.FullName() + "?"
		if n == 0 {
			cf.Text = who + " can no longer sign in or call the API; they hold no live tokens. This cannot be undone."
		} else {
			cf.Text = who + " can no longer sign in or call the API, and their " + tokens + " " + are + " revoked. This cannot be undone."
		}
	case "revoke":
		cf.Title = "Revoke every token of " + u.FullName() + "?"
		if n == 0 {
			cf.Text = who + " holds no live tokens now: nothing changes."
		} else {
			cf.Text = "The " + tokens + " of " + who + " " + stop + " working at once; the apps using them must be authorised again. This cannot be undone."
		}
	}
	c.confirm(w, r, cf)
}

func (c *Console) invitePage(w http.ResponseWriter, r *request) {
	c.inviteForm(w, r, http.StatusOK, nil, "")
}

func (c *Console) inviteForm(w http.ResponseWriter, r *request, status int, form map[string]string, errMsg string) {
	roles, profiles, _, _, err := c.names(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := r.base("Invite a user", "setup")
	d.Roles, d.ProfileList, d.Form, d.Error = roles, profiles, form, errMsg
	c.render(w, status, "invite", d)
}

// invite adds a user as POST /users does and shows the invitation link.
func (c *Console) invite(w http.ResponseWriter, r *request) {
	form := map[string]string{}
	var in service.UserInput
	for k, dst := range map[string]**string{"email": &in.Email, "first_name": &in.FirstName, "last_name": &in.LastName} {
		v := strings.TrimSpace(r.PostForm.Get(k))
		if form[k] = v; v != "" {
			*dst = &v
		}
	}
	for k, dst := range map[string]**crmguard.ID{"role": &in.Role, "profile": &in.Profile} {
		v := strings.TrimSpace(r.PostForm.Get(k))
		if form[k] = v; v != "" {
			formRef(&in, dst, k, v)
		}
	}
	nu, err := c.svc.AddUser(r.Context(), r.actor(c), in)
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			msg := ce.Message
			if f, ok := ce.Details["api_name"].(string); ok {
				msg += " (" + f + ")"
			}
			c.inviteForm(w, r, http.StatusBadRequest, form, msg)
			return
		}
		c.internal(w, r, err)
		return
	}
	c.userPage(w, r, http.StatusCreated, nu.User.ID, "Invited "+nu.User.Email+".", "", nu.InviteURL)
}
