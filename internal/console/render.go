package console

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

//go:embed templates/*.html
var templateFS embed.FS

// funcs are the helpers the templates share.
var funcs = template.FuncMap{"num": thousands}

// thousands writes n with a comma between groups of three digits
// (110,001), as Zoho's Setup shows counts.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// pages are parsed once: the layout with each page's content.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "password", "me", "error", "setup", "security", "profile", "users", "user", "invite",
		"roles", "groups", "territories", "ips", "audit", "compare", "api", "report", "confirm"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/tabs.html", "templates/"+name+".html"))
	}
	return out
}()

func (c *Console) render(w http.ResponseWriter, status int, name string, d data) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	// Console URLs carry user and token IDs and search terms: no page
	// passes them on to another site.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pages[name].ExecuteTemplate(w, "layout", d); err != nil {
		c.log.Error("render", "page", name, "err", err)
	}
}

func (c *Console) fail(w http.ResponseWriter, r *request, status int, title, msg string) {
	d := data{Title: title, Error: msg}
	if r != nil {
		d.User, d.CSRF, d.Admin = r.user, csrfToken(r.session), isAdmin(r.profile)
	}
	c.render(w, status, "error", d)
}

// finish answers a form post: a Zoho-style error from the service shows on
// the page again (page renders it with a 400); success redirects to to
// with a flash message; anything else is an internal error.
func (c *Console) finish(w http.ResponseWriter, r *request, err error, page func(status int, flash, errMsg string), to, flash string) {
	if err != nil {
		if ce, ok := crmguard.AsError(err); ok {
			page(http.StatusBadRequest, "", ce.Message)
			return
		}
		c.internal(w, r, err)
		return
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r.Request, to+sep+"done="+url.QueryEscape(flash), http.StatusSeeOther)
}

func (c *Console) internal(w http.ResponseWriter, r *request, err error) {
	c.log.Error("console", "path", r.URL.Path, "err", err)
	c.fail(w, r, http.StatusInternalServerError, "Error", "Something went wrong. Try again later.")
}
