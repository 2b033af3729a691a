package oauth_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmguard/crmguard/internal/testenv"
)

// padded is a urlencoded form with a field of n bytes added: under the
// 10 MiB net/http reads into memory by default, far over what any of these
// forms needs.
func padded(v url.Values, n int) io.Reader {
	return io.MultiReader(strings.NewReader(v.Encode()+"&pad="), &repeat{n: n})
}

// repeat reads n bytes of 'a' without holding them.
type repeat struct{ n int }

func (r *repeat) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return k, nil
}

const eightMiB = 8 << 20

func postBody(t *testing.T, hc *http.Client, u, ct string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

const formCT = "application/x-www-form-urlencoded"

// withFile is a multipart form of v's fields and a file part.
func withFile(t *testing.T, v url.Values) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k := range v {
		_ = mw.WriteField(k, v.Get(k))
	}
	fw, err := mw.CreateFormFile("upload", "data.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte{'x'}, 4096))
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// TestTokenEndpointBodyLimit: a valid refresh padded to 8 MiB, or sent as
// multipart with a file part, is invalid_request; multipart without a file
// still works (TestParameterForms).
func TestTokenEndpointBodyLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	q := url.Values{"grant_type": {"refresh_token"}, "client_id": {env.Boot.SelfClient.ClientID},
		"client_secret": {env.Boot.ClientSecret}, "refresh_token": {issueRefresh(t, env)}}
	resp, body := postBody(t, http.DefaultClient, env.URL+"/oauth/v2/token", formCT, padded(q, eightMiB))
	if resp.StatusCode != 200 || body != `{"error":"invalid_request"}` {
		t.Errorf("8 MiB body: %d %.200s", resp.StatusCode, body)
	}
	ct, mp := withFile(t, q)
	resp, body = postBody(t, http.DefaultClient, env.URL+"/oauth/v2/token", ct, mp)
	if resp.StatusCode != 200 || body != `{"error":"invalid_request"}` {
		t.Errorf("multipart with a file: %d %.200s", resp.StatusCode, body)
	}
}

// TestRevokeBodyLimit: revoking with an 8 MiB body or a file part is
// refused and revokes nothing.
func TestRevokeBodyLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	rt := issueRefresh(t, env)
	v := url.Values{"token": {rt}}
	resp, body := postBody(t, http.DefaultClient, env.URL+"/oauth/v2/token/revoke", formCT, padded(v, eightMiB))
	if resp.StatusCode != 400 || !strings.Contains(body, `"error":"invalid_request"`) {
		t.Errorf("8 MiB body: %d %.200s", resp.StatusCode, body)
	}
	ct, mp := withFile(t, v)
	resp, body = postBody(t, http.DefaultClient, env.URL+"/oauth/v2/token/revoke", ct, mp)
	if resp.StatusCode != 400 || !strings.Contains(body, `"error":"invalid_request"`) {
		t.Errorf("multipart with a file: %d %.200s", resp.StatusCode, body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {env.Boot.SelfClient.ClientID},
		"client_secret": {env.Boot.ClientSecret}, "refresh_token": {rt}}
	if resp, body := postBody(t, http.DefaultClient, env.URL+"/oauth/v2/token", formCT, strings.NewReader(refresh.Encode())); !strings.Contains(body, `"access_token"`) {
		t.Errorf("the refresh token after the refused revokes: %d %s", resp.StatusCode, body)
	}
}

// TestAccountsLoginBodyLimit: a complete sign-in padded to 8 MiB is a 413
// and signs nobody in; a file part is a 400.
func TestAccountsLoginBodyLimit(t *testing.T) {
	env := ownPasswordEnv(t)
	b := newAccounts(t, env)
	_, page := b.page()
	f := formFields(t, page)
	f.Set("email", env.Boot.Admin.Email)
	f.Set("password", ownPassword)
	resp, body := postBody(t, b.hc, env.URL+"/oauth/v2/auth/login", formCT, padded(f, eightMiB))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") || b.session() {
		t.Errorf("8 MiB body: %d, session %v", resp.StatusCode, b.session())
	}
	ct, mp := withFile(t, f)
	resp, _ = postBody(t, b.hc, env.URL+"/oauth/v2/auth/login", ct, mp)
	if resp.StatusCode != http.StatusBadRequest || b.session() {
		t.Errorf("multipart with a file: %d, session %v", resp.StatusCode, b.session())
	}
}

// TestInviteBodyLimit: accepting an invitation with an 8 MiB body is a
// 413 and leaves the invitation open.
func TestInviteBodyLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	ctx := context.Background()
	link, err := env.Svc.Reinvite(ctx, env.Admin, env.User(t, "priya.raman@example.com").ID) // not confirmed in the demo
	if err != nil {
		t.Fatal(err)
	}
	path := link[strings.Index(link, "/invite/"):]
	v := url.Values{"password": {"priya's password"}, "confirm": {"priya's password"}}
	resp, body := postBody(t, http.DefaultClient, env.URL+path, formCT, padded(v, eightMiB))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") {
		t.Errorf("8 MiB body: %d", resp.StatusCode)
	}
	if _, err := env.Svc.InvitedUser(ctx, path[len("/invite/"):]); err != nil {
		t.Errorf("the invitation after the refused post: %v", err)
	}
}
