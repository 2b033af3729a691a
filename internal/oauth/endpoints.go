package oauth

import (
	"log/slog"
	"net/http"

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
}
