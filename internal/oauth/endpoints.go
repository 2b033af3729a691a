package oauth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Endpoints serves Zoho Accounts' OAuth endpoints under /oauth/v2/.
type Endpoints struct {
	svc     *service.Service
	metrics *web.Metrics
	log     *slog.Logger
	ip      web.ClientIP
}

// NewEndpoints returns the OAuth endpoints.
func NewEndpoints(svc *service.Service, m *web.Metrics, log *slog.Logger, ip web.ClientIP) *Endpoints {
	return &Endpoints{svc: svc, metrics: m, log: log, ip: ip}
}

// Register adds the OAuth routes to mux.
func (e *Endpoints) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth/v2/token", e.token)
	mux.HandleFunc("POST /oauth/v2/token/revoke", e.revoke)
	mux.HandleFunc("GET /oauth/v2/auth", e.auth)
	mux.HandleFunc("POST /oauth/v2/auth/login", e.login)
	mux.HandleFunc("POST /oauth/v2/auth/password", e.changePassword)
	mux.HandleFunc("POST /oauth/v2/auth/consent", e.consent)
	mux.HandleFunc("GET /oauth/user/info", e.userInfo)
	mux.HandleFunc("GET /invite/{token}", e.invite)
	mux.HandleFunc("POST /invite/{token}", e.acceptInvite)
}

func (e *Endpoints) actor(r *http.Request) crmguard.Actor {
	return crmguard.Actor{Source: crmguard.SourceAPI, ClientIP: e.ip.Addr(r).String()}
}

// params merges the query string and a urlencoded or multipart body, as
// Zoho Accounts accepts all three (Zoho's SDKs send multipart). The body is
// bounded and a file part refused (web.ParseForm): these parameters are a
// few hundred bytes, and nothing is ever spooled to disk.
func params(w http.ResponseWriter, r *http.Request) error {
	return web.ParseForm(w, r)
}

// tokenResponse is Zoho's token JSON, keys in Zoho's order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	APIDomain    string `json:"api_domain"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

type errorResponse struct {
	Error string `json:"error"`
}

// token serves POST /oauth/v2/token. Errors are {"error": code} with HTTP
// 200, as Zoho Accounts answers them.
func (e *Endpoints) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := params(w, r); err != nil {
		e.tokenError(w, &crmguard.OAuthError{Code: crmguard.OAuthInvalidRequest, Description: "unreadable parameters"})
		return
	}
	id, secret := r.Form.Get("client_id"), r.Form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	a := e.actor(r)
	gt := r.Form.Get("grant_type")
	var t *service.Tokens
	var err error
	withScope := false
	switch gt {
	case "authorization_code":
		t, err = e.svc.ExchangeCode(r.Context(), a, service.ExchangeRequest{ClientID: id, ClientSecret: secret,
			Code: r.Form.Get("code"), RedirectURI: r.Form.Get("redirect_uri"), CodeVerifier: r.Form.Get("code_verifier")})
	case "refresh_token":
		t, err = e.svc.Refresh(r.Context(), a, id, secret, r.Form.Get("refresh_token"))
		withScope = true
	case "client_credentials":
		t, err = e.svc.ClientCredentials(r.Context(), a, id, secret, r.Form.Get("scope"), r.Form.Get("soid"))
		withScope = true
	default:
		err = &crmguard.OAuthError{Code: crmguard.OAuthUnsupportedGrantType}
	}
	if err != nil {
		e.tokenError(w, err)
		return
	}
	e.metrics.TokenIssued(gt, "access")
	if t.RefreshToken != "" {
		e.metrics.TokenIssued(gt, "refresh")
	}
	resp := tokenResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, APIDomain: t.APIDomain,
		TokenType: "Bearer", ExpiresIn: t.ExpiresIn}
	if withScope {
		resp.Scope = strings.ReplaceAll(t.Scopes, ",", " ")
	}
	_ = web.WriteJSON(w, http.StatusOK, resp)
}

func (e *Endpoints) tokenError(w http.ResponseWriter, err error) {
	var oe *crmguard.OAuthError
	if !errors.As(err, &oe) {
		e.log.Error("token endpoint", "err", err)
		_ = web.WriteJSON(w, http.StatusInternalServerError, errorResponse{"server_error"})
		return
	}
	e.log.Info("token refused", "error", oe.Code, "reason", oe.Description)
	_ = web.WriteJSON(w, http.StatusOK, errorResponse{oe.Code})
}

// revoke serves POST /oauth/v2/token/revoke?token=...: {"status":"success"}
// when a live token was revoked. An unknown or dead token is HTTP 400, as
// Zoho documents it for revocation.
func (e *Endpoints) revoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := params(w, r); err != nil || r.Form.Get("token") == "" {
		_ = web.WriteJSON(w, http.StatusBadRequest, map[string]string{"status": "failure", "error": "invalid_request"})
		return
	}
	ok, err := e.svc.Revoke(r.Context(), e.actor(r), r.Form.Get("token"))
	if err != nil {
		e.log.Error("revoke", "err", err)
		_ = web.WriteJSON(w, http.StatusInternalServerError, errorResponse{"server_error"})
		return
	}
	if !ok {
		_ = web.WriteJSON(w, http.StatusBadRequest, map[string]string{"status": "failure", "error": "invalid_token"})
		return
	}
	e.metrics.TokenRevoked()
	_ = web.WriteJSON(w, http.StatusOK, map[string]string{"status": "success"})
}
