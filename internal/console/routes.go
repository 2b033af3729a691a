package console

import (
	"log/slog"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Console serves /console.
type Console struct {
	svc *service.Service
	log *slog.Logger
	ip  web.ClientIP
}

// New returns the console.
func New(svc *service.Service, log *slog.Logger, ip web.ClientIP) *Console {
	return &Console{svc: svc, log: log, ip: ip}
}

// Register adds the console's routes.
func (c *Console) Register(mux *http.ServeMux) {
	mux.Handle("GET /console", c.page(c.home, true))
	mux.Handle("GET /console/{$}", c.page(c.home, true))
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.HandleFunc("POST /console/login/password", c.loginChangingPassword)
	mux.Handle("POST /console/logout", c.page(c.logout, false))
	mux.Handle("GET /console/password", c.page(c.passwordPage, false))
	mux.Handle("POST /console/password", c.page(c.changePassword, false))
	mux.Handle("GET /console/me", c.page(c.me, true))
	mux.Handle("GET /console/setup", c.admin(c.setup, ""))
	mux.Handle("GET /console/setup/security", c.admin(c.security, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles", c.admin(c.cloneProfile, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles/delete", c.admin(c.deleteProfile, crmguard.PermManageProfiles))
	mux.Handle("GET /console/setup/security/profiles/compare", c.admin(c.compare, crmguard.PermManageProfiles))
	mux.Handle("GET /console/setup/security/profiles/{id}", c.admin(c.profile, crmguard.PermManageProfiles))
	mux.Handle("POST /console/setup/security/profiles/{id}", c.admin(c.saveProfile, crmguard.PermManageProfiles))
	mux.Handle("GET /console/users", c.admin(c.users, crmguard.PermManageUsers))
	mux.Handle("GET /console/users/new", c.admin(c.invitePage, crmguard.PermManageUsers))
	mux.Handle("POST /console/users/new", c.admin(c.invite, crmguard.PermManageUsers))
	mux.Handle("GET /console/users/{id}", c.admin(c.user, crmguard.PermManageUsers))
	mux.Handle("POST /console/users/{id}", c.admin(c.userAction, crmguard.PermManageUsers))
	mux.Handle("GET /console/setup/security/roles", c.admin(c.roles, crmguard.PermManageRoles))
	mux.Handle("POST /console/setup/security/roles", c.admin(c.addRole, crmguard.PermManageRoles))
	mux.Handle("POST /console/setup/security/roles/{id}", c.admin(c.roleAction, crmguard.PermManageRoles))
	mux.Handle("GET /console/setup/security/groups", c.admin(c.groups, crmguard.PermManageUsers))
	mux.Handle("POST /console/setup/security/groups", c.admin(c.addGroup, crmguard.PermManageUsers))
	mux.Handle("POST /console/setup/security/groups/{id}", c.admin(c.groupAction, crmguard.PermManageUsers))
	mux.Handle("GET /console/setup/security/territories", c.admin(c.territories, crmguard.PermManageUsers))
	mux.Handle("POST /console/setup/security/territories", c.admin(c.addTerritory, crmguard.PermManageUsers))
	mux.Handle("POST /console/setup/security/territories/{id}", c.admin(c.territoryAction, crmguard.PermManageUsers))
	mux.Handle("GET /console/setup/security/ips", c.admin(c.ips, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/security/ips", c.admin(c.addIP, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/security/ips/{id}/delete", c.admin(c.removeIP, crmguard.PermManageSecurity))
	mux.Handle("GET /console/setup/api", c.admin(c.api, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/clients", c.admin(c.registerClient, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/grant", c.admin(c.grant, crmguard.PermManageSecurity))
	mux.Handle("POST /console/setup/api/tokens/{id}/revoke", c.admin(c.revokeToken, ""))
	mux.Handle("GET /console/setup/api-access", c.admin(c.report, ""))
	mux.Handle("GET /console/setup/audit", c.admin(c.audit, crmguard.PermManageSecurity))
	mux.Handle("GET /console/setup/audit.csv", c.admin(c.auditCSV, crmguard.PermManageSecurity))
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, nil, http.StatusNotFound, "Not found", "There is no such page in the console.")
	})
}

// home sends /console where signing in does: administrators to Setup,
// where their work is, others to their own page (the only one they have).
func (c *Console) home(w http.ResponseWriter, r *request) {
	to := "/console/me"
	if isAdmin(r.profile) {
		to = "/console/setup"
	}
	http.Redirect(w, r.Request, to, http.StatusSeeOther)
}

// setup is the Setup home, the administrators' start page.
func (c *Console) setup(w http.ResponseWriter, r *request) {
	c.render(w, http.StatusOK, "setup", r.base("Setup", "setup"))
}
