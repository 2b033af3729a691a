package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

//go:embed templates/auth.html
var templateFS embed.FS

// pages are the accounts pages: a plain login, a consent listing the
// scopes, and an error page for requests that cannot be redirected.
var pages = func() map[string]*template.Template {
	bodies := map[string]string{
		"login": `<h1>Sign in to crmguard</h1>
<p>to continue to <b>{{.Client}}</b></p>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<form method="post" action="/oauth/v2/auth/login">
<input type="hidden" name="q" value="{{.Query}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="email">E-mail</label><input id="email" type="email" name="email" value="{{.Email}}" required autofocus>
<label for="password">Password</label><input id="password" type="password" name="password" required>
<button type="submit">Sign in</button></form>`,
		"password": `<h1>Choose a new password</h1>
<p>You signed in as <b>{{.Email}}</b> with a one-time password: choose your own to continue to <b>{{.Client}}</b>.</p>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<form method="post" action="/oauth/v2/auth/password">
<input type="hidden" name="q" value="{{.Query}}"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="email" value="{{.Email}}">
<label for="current">Current password</label><input id="current" type="password" name="current" required autofocus autocomplete="current-password">
<label for="next">New password</label><input id="next" type="password" name="next" minlength="8" required autocomplete="new-password">
<label for="confirm">Confirm new password</label><input id="confirm" type="password" name="confirm" minlength="8" required autocomplete="new-password">
<button type="submit">Save password and continue</button></form>`,
		"consent": `<h1>{{.Client}} wants to access your crmguard account</h1>
<p>Signed in as {{.Email}}. It asks for:</p>
<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
<form method="post" action="/oauth/v2/auth/consent">
<input type="hidden" name="q" value="{{.Query}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="deny" class="deny">Deny</button></form>`,
		"error": `<h1>This request cannot go on</h1><p class="error">{{.Error}}</p>`,
		"invite": `<h1>Join {{.Client}} on crmguard</h1>
<p>Choose a password for <b>{{.Email}}</b>.</p>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<form method="post">
<label for="password">Password</label><input id="password" type="password" name="password" minlength="8" required autofocus>
<label for="confirm">Confirm password</label><input id="confirm" type="password" name="confirm" minlength="8" required>
<button type="submit">Set password</button></form>`,
		"invited": `<h1>You are all set</h1><p>{{.Email}} is confirmed. You can now sign in to crmguard with your new password.</p>`,
	}
	out := map[string]*template.Template{}
	for name, body := range bodies {
		t := template.Must(template.ParseFS(templateFS, "templates/auth.html"))
		template.Must(t.New("body").Parse(body))
		out[name] = t
	}
	return out
}()

type pageData struct {
	Title, Client, Error, Query, Email, CSRF string
	Scopes                                   []string
	// redirectTo is where the consent form's answer redirects: the
	// client's redirect URI, which form-action must allow.
	redirectTo string
}

// Cookie names. The session is the console's too; the sign-in forms'
// double-submit token has its own name and path, so that a console sign-in
// form open in another tab does not overwrite it.
const (
	sessionCookie = "crmguard_session"
	loginCookie   = "crmguard_accounts_login"
	loginPath     = "/oauth/v2/auth"
)

func (e *Endpoints) render(w http.ResponseWriter, status int, name string, d pageData) {
	if d.Title == "" {
		d.Title = "Sign in"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'"+formSource(d.redirectTo)+"; frame-ancestors 'none'")
	// The invitation URL is the invited user's only credential, and the
	// authorization URL names the client and its state: neither goes to
	// another site in a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pages[name].ExecuteTemplate(w, "page", d); err != nil {
		e.log.Error("render", "page", name, "err", err)
	}
}

// formSource is the CSP source of a redirect URI: browsers apply
// form-action to the redirects that answer a form, and the consent form's
// answer redirects to the client. A URI that is not a plain origin adds
// nothing (the browser will then refuse that redirect).
func formSource(redirect string) string {
	if redirect == "" {
		return ""
	}
	u, err := url.Parse(redirect)
	if err != nil || !cspSafe(u.Scheme, "+-.") || !cspSafe(u.Host, ".-:[]") || u.Scheme == "" {
		return ""
	}
	if u.Host == "" {
		return " " + u.Scheme + ":" // an app's own scheme, as mobile clients register
	}
	return " " + u.Scheme + "://" + u.Host
}

func cspSafe(s, extra string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

// authRequest is a validated /oauth/v2/auth request.
type authRequest struct {
	q      url.Values
	client *crmguard.Client
	scopes []string
}

// parseAuth validates the request. A bad client or redirect URI is shown as
// a page (never redirected to); other errors go back to the redirect URI.
func (e *Endpoints) parseAuth(w http.ResponseWriter, r *http.Request, q url.Values) (*authRequest, bool) {
	c, err := e.svc.Client(r.Context(), q.Get("client_id"))
	if err != nil {
		e.render(w, http.StatusBadRequest, "error", pageData{Title: "Error", Error: "Invalid client: no client has the client_id given."})
		return nil, false
	}
	redirect := q.Get("redirect_uri")
	registered := false
	for _, u := range c.RedirectURIs {
		if u == redirect {
			registered = true
		}
	}
	if !registered {
		e.render(w, http.StatusBadRequest, "error", pageData{Title: "Error", Error: "Invalid redirect URI: it is not registered for this client."})
		return nil, false
	}
	if q.Get("response_type") != "code" {
		e.redirectError(w, r, q, "unsupported_response_type")
		return nil, false
	}
	scopes := strings.FieldsFunc(q.Get("scope"), func(r rune) bool { return r == ',' || r == ' ' })
	if len(scopes) == 0 {
		e.redirectError(w, r, q, "invalid_scope")
		return nil, false
	}
	for _, s := range scopes {
		if !knownScope(s) {
			e.redirectError(w, r, q, "invalid_scope")
			return nil, false
		}
	}
	if m := q.Get("code_challenge_method"); m != "" && m != "S256" && m != "plain" {
		e.redirectError(w, r, q, "invalid_request")
		return nil, false
	}
	return &authRequest{q: q, client: c, scopes: scopes}, true
}

func (e *Endpoints) redirectError(w http.ResponseWriter, r *http.Request, q url.Values, code string) {
	v := url.Values{"error": {code}}
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	http.Redirect(w, r, withQuery(q.Get("redirect_uri"), v), http.StatusFound)
}

func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

func (e *Endpoints) sessionUser(r *http.Request) (*crmguard.User, string) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ""
	}
	u, err := e.svc.SessionUser(r.Context(), c.Value)
	if err != nil {
		return nil, ""
	}
	return u, c.Value
}

func csrfToken(session string) string {
	h := sha256.Sum256([]byte("csrf:" + session))
	return hex.EncodeToString(h[:])
}

// auth serves GET /oauth/v2/auth: the login page, or with a session the
// consent page.
func (e *Endpoints) auth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ar, ok := e.parseAuth(w, r, q)
	if !ok {
		return
	}
	u, session := e.sessionUser(r)
	if u == nil {
		e.render(w, http.StatusOK, "login", pageData{Client: ar.client.Name, Query: q.Encode(), CSRF: e.loginToken(w, r)})
		return
	}
	e.render(w, http.StatusOK, "consent", pageData{Title: "Allow access", Client: ar.client.Name, Query: q.Encode(),
		Email: u.Email, CSRF: csrfToken(session), Scopes: ar.scopes, redirectTo: q.Get("redirect_uri")})
}

// postedAuth reads a login or consent form and validates the authorization
// request it carries, as GET /oauth/v2/auth does.
func (e *Endpoints) postedAuth(w http.ResponseWriter, r *http.Request) (*authRequest, bool) {
	if err := web.ParseForm(w, r); err != nil {
		status, msg := formError(err)
		e.render(w, status, "error", pageData{Title: "Error", Error: msg})
		return nil, false
	}
	q, _ := url.ParseQuery(r.PostForm.Get("q"))
	return e.parseAuth(w, r, q)
}

// loginToken sets a fresh double-submit token for the sign-in forms and
// returns it for the hidden field.
func (e *Endpoints) loginToken(w http.ResponseWriter, r *http.Request) string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	tok := hex.EncodeToString(b[:])
	e.setCookie(w, r, loginCookie, tok, loginPath, 3600)
	return tok
}

// setCookie sets a cookie of the accounts pages; it is Secure whenever the
// browser reached us over HTTPS, behind a TLS-terminating proxy too.
func (e *Endpoints) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: e.ip.Secure(r), SameSite: http.SameSiteLaxMode})
}

// loginForm checks a sign-in form's double-submit token. It answers the
// request itself, with again, when it returns false.
func loginForm(r *http.Request, again func(status int, msg string)) bool {
	ck, err := r.Cookie(loginCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(ck.Value)) != 1 {
		again(http.StatusForbidden, "The sign-in form expired or did not come from this page. Try again.")
		return false
	}
	return true
}

// signInRefused answers a refused sign-in, or returns false for an error
// that is not a refusal.
func signInRefused(w http.ResponseWriter, err error, again func(status int, msg string)) bool {
	var te *service.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(te.Seconds()))
		again(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Try again in %d minute(s).", te.Minutes()))
	case errors.Is(err, service.ErrBadCredentials):
		again(http.StatusUnauthorized, "The e-mail or the password is not right.")
	default:
		return false
	}
	return true
}

// login serves POST /oauth/v2/auth/login. The service throttles failures
// (see service.Login), as for the console: both set the same session. A
// one-time password opens no session: the page asks for a new password
// first, which changePassword takes.
func (e *Endpoints) login(w http.ResponseWriter, r *http.Request) {
	ar, ok := e.postedAuth(w, r)
	if !ok {
		return
	}
	q := ar.q
	email := strings.TrimSpace(r.PostForm.Get("email"))
	again := func(status int, msg string) {
		e.render(w, status, "login", pageData{Client: ar.client.Name, Query: q.Encode(), Email: email, CSRF: e.loginToken(w, r), Error: msg})
	}
	if !loginForm(r, again) {
		return
	}
	a := e.actor(r)
	a.OrgID = ar.client.OrgID
	tok, _, err := e.svc.Login(r.Context(), a, email, r.PostForm.Get("password"))
	if errors.Is(err, service.ErrMustChangePassword) {
		e.render(w, http.StatusOK, "password", pageData{Title: "Choose a new password", Client: ar.client.Name, Query: q.Encode(),
			Email: email, CSRF: e.loginToken(w, r)})
		return
	}
	if err != nil {
		if !signInRefused(w, err, again) {
			e.log.Error("login", "err", err)
			e.render(w, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Try again later."})
		}
		return
	}
	e.signedIn(w, r, tok, q)
}

// changePassword serves POST /oauth/v2/auth/password: the current one-time
// password again (throttled like a sign-in), the new one twice. The
// session opens only once the new password is saved.
func (e *Endpoints) changePassword(w http.ResponseWriter, r *http.Request) {
	ar, ok := e.postedAuth(w, r)
	if !ok {
		return
	}
	q := ar.q
	email := strings.TrimSpace(r.PostForm.Get("email"))
	again := func(status int, msg string) {
		e.render(w, status, "password", pageData{Title: "Choose a new password", Client: ar.client.Name, Query: q.Encode(),
			Email: email, CSRF: e.loginToken(w, r), Error: msg})
	}
	if !loginForm(r, again) {
		return
	}
	next := r.PostForm.Get("next")
	if next != r.PostForm.Get("confirm") {
		again(http.StatusBadRequest, "The two new passwords differ.")
		return
	}
	a := e.actor(r)
	a.OrgID = ar.client.OrgID
	tok, _, err := e.svc.LoginChangingPassword(r.Context(), a, email, r.PostForm.Get("current"), next)
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			again(http.StatusBadRequest, ce.Message)
		} else if !signInRefused(w, err, again) {
			e.log.Error("login", "err", err)
			e.render(w, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Try again later."})
		}
		return
	}
	e.signedIn(w, r, tok, q)
}

// signedIn sets the session cookie and goes on to the consent page.
func (e *Endpoints) signedIn(w http.ResponseWriter, r *http.Request, tok string, q url.Values) {
	e.setCookie(w, r, loginCookie, "", loginPath, -1)
	e.setCookie(w, r, sessionCookie, tok, "/", int(service.SessionTTL.Seconds()))
	http.Redirect(w, r, "/oauth/v2/auth?"+q.Encode(), http.StatusSeeOther)
}

// consent serves POST /oauth/v2/auth/consent: Accept makes a grant code and
// redirects to the client with it; Deny redirects with access_denied.
func (e *Endpoints) consent(w http.ResponseWriter, r *http.Request) {
	ar, ok := e.postedAuth(w, r)
	if !ok {
		return
	}
	q := ar.q
	u, session := e.sessionUser(r)
	if u == nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(csrfToken(session))) != 1 {
		e.render(w, http.StatusForbidden, "error", pageData{Title: "Error", Error: "Your session has ended or the form is stale. Start again."})
		return
	}
	if r.PostForm.Get("action") != "accept" {
		e.redirectError(w, r, q, crmguard.OAuthAccessDenied)
		return
	}
	a := e.actor(r)
	a.OrgID, a.UserID = u.OrgID, u.ID
	code, err := e.svc.CreateGrant(r.Context(), a, service.GrantRequest{Client: ar.client, UserID: u.ID,
		Scopes: strings.Join(ar.scopes, ","), RedirectURI: q.Get("redirect_uri"), CodeChallenge: q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"), Offline: q.Get("access_type") == "offline"})
	var oe *crmguard.OAuthError
	if errors.As(err, &oe) {
		e.redirectError(w, r, q, oe.Code)
		return
	} else if err != nil {
		e.log.Error("consent", "err", err)
		e.render(w, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Try again later."})
		return
	}
	v := url.Values{"code": {code}, "location": {"us"}, "accounts-server": {e.svc.Config().PublicURL}}
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	http.Redirect(w, r, withQuery(q.Get("redirect_uri"), v), http.StatusFound)
}

func knownScope(s string) bool { return access.KnownScope(s) }

// formError is the status and message of a form web.ParseForm refused.
func formError(err error) (int, string) {
	switch {
	case errors.Is(err, web.ErrFormTooLarge):
		return http.StatusRequestEntityTooLarge, "The form is too large."
	case errors.Is(err, web.ErrFormFile):
		return http.StatusBadRequest, "The form carries a file; these forms take none."
	}
	return http.StatusBadRequest, "The form could not be read."
}
