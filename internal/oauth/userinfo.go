package oauth

import (
	"errors"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// userInfo is Zoho Accounts' answer to GET /oauth/user/info: a flat
// object, keys in the order Zoho sends them, ZUID a JSON number. Zoho's
// API pages do not document it; its shape is what login libraries read
// from the live server:
//   - oozou/omniauth-zoho, README.md: extra.raw_info is {"First_Name",
//     "Email", "Last_Name", "Display_Name", "ZUID": 123446};
//   - nextauthjs/next-auth, src/providers/zoho.js: profile.ZUID,
//     First_Name, Last_Name, Email;
//   - scalary/passport-zohocrm-eu, lib/profile.js: String(json.ZUID),
//     json.Display_Name.
//
// Zoho's community answer on the minimal scope
// (https://help.zoho.com/portal/pt/community/topic/what-is-minimal-oauth-scope-to-know-users-zuid-and-zoid)
// names AaaServer.profile.READ.
type userInfo struct {
	FirstName   string `json:"First_Name"`
	Email       string `json:"Email"`
	LastName    string `json:"Last_Name"`
	DisplayName string `json:"Display_Name"`
	ZUID        int64  `json:"ZUID"`
}

// codeInvalidOAuthScope is Zoho Accounts' code for a token without
// AaaServer.profile.READ, as zoho/zcrm-python-sdk#10 reports it (Zoho's
// own SDK failed there reading "Email"). The CRM API says
// OAUTH_SCOPE_MISMATCH for the same thing; Accounts words it its own way.
// Zoho's status for it is not on record (a 2018 report, zoho/zcrm-php-sdk#5,
// shows HTTP 200 with {"status_code":405}); crmguard answers 401 with the
// RFC 6750 insufficient_scope challenge, so a client sees a refusal and
// which scope to ask for.
const codeInvalidOAuthScope = "INVALID_OAUTHSCOPE"

var (
	errUserInfoScope = guard.ScopeDenial(codeInvalidOAuthScope,
		"the access token lacks the scope AaaServer.profile.READ that /oauth/user/info needs",
		access.ScopeAccountsProfileRead.String())
	// The CRM API's answer to an inactive user's token, which the user's
	// own details are no exception to.
	errUserInfoInactive = crmguard.NewError(crmguard.CodeInactiveUser, "Inactive user cannot access the API.", nil)
)

// userInfo answers GET /oauth/user/info for the access token in the
// Authorization header, Zoho-oauthtoken or Bearer alike: a login library
// calls it right after the code exchange to learn who signed in.
func (e *Endpoints) userInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := e.lookUpUser(w, r); err != nil {
		web.WriteError(w, r, e.log, err)
	}
}

func (e *Endpoints) lookUpUser(w http.ResponseWriter, r *http.Request) error {
	tok, err := guard.RequestToken(r)
	if err != nil {
		return err
	}
	// A token not signed by this server is refused before the database is
	// asked, as the API's pipeline does.
	signed, err := e.svc.TokenSigned(r.Context(), tok)
	if err != nil {
		return err
	} else if !signed {
		return guard.ErrTokenRefused
	}
	t, u, err := e.svc.TokenUser(r.Context(), service.HashToken(tok))
	if errors.Is(err, service.ErrInvalidToken) {
		return guard.ErrTokenRefused // unknown, expired or revoked alike
	} else if err != nil {
		return err
	}
	// The user's status before the scope, in the API pipeline's order.
	if !u.Active() {
		return errUserInfoInactive
	}
	if !access.CompileScopes(t.Scopes).Covers(access.ScopeAccountsProfileRead) {
		return errUserInfoScope
	}
	return web.WriteJSON(w, http.StatusOK, userInfo{
		FirstName: u.FirstName, Email: u.Email, LastName: u.LastName,
		DisplayName: u.FullName(), ZUID: u.ZUID,
	})
}
