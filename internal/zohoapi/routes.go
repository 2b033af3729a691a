package zohoapi

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// handlerFunc is an API handler: a method of API that runs after the
// pipeline granted the request, with the caller's principal.
type handlerFunc func(a *API, w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error

type route struct {
	method string
	path   string // below /crm/{version}/
	scope  access.RouteScope
	h      handlerFunc
}

// routes is every API route crmguard serves, with the scope each needs.
var routes = []route{
	{"GET", "org", access.ScopeOrgRead, (*API).getOrg},
	{"GET", "org/photo", access.ScopeOrgRead, (*API).getOrgPhoto},
	{"POST", "org/photo", access.ScopeOrgCreate, (*API).uploadOrgPhoto},
	{"DELETE", "org/photo", access.ScopeOrgDelete, (*API).deleteOrgPhoto},
	{"GET", "users", access.ScopeUsersRead, (*API).listUsers},
	{"POST", "users", access.ScopeUsersCreate, (*API).addUser},
	{"PUT", "users", access.ScopeUsersUpdate, (*API).updateUsers},
	{"DELETE", "users", access.ScopeUsersDelete, (*API).deleteUser},
	{"GET", "users/{id}", access.ScopeUsersRead, (*API).getUser},
	{"PUT", "users/{id}", access.ScopeUsersUpdate, (*API).updateUsers},
	{"DELETE", "users/{id}", access.ScopeUsersDelete, (*API).deleteUser},
	{"GET", "users/actions/count", access.ScopeUsersRead, (*API).countUsers},
	{"GET", "users/search", access.ScopeUsersRead, (*API).searchUsers},
	{"POST", "users/actions/transfer_and_delete", access.ScopeUsersDelete, (*API).transferAndDelete},
	{"GET", "users/actions/transfer_and_delete", access.ScopeUsersRead, (*API).transferStatus},
	{"POST", "users/{id}/actions/transfer_and_delete", access.ScopeUsersDelete, (*API).transferAndDelete},
	{"GET", "settings/fields", access.ScopeFieldsRead, (*API).listFields},
	{"GET", "settings/profiles", access.ScopeProfilesRead, (*API).listProfiles},
	{"GET", "settings/profiles/{id}", access.ScopeProfilesRead, (*API).getProfile},
	{"PUT", "settings/profiles/{id}", access.ScopeProfilesUpdate, (*API).updateProfile},
	{"DELETE", "settings/profiles/{id}", access.ScopeProfilesDelete, (*API).deleteProfile},
	{"POST", "settings/profiles/{id}/actions/clone", access.ScopeProfilesCreate, (*API).cloneProfile},
	{"GET", "settings/roles", access.ScopeRolesRead, (*API).listRoles},
	{"POST", "settings/roles", access.ScopeRolesCreate, (*API).addRoles},
	{"PUT", "settings/roles", access.ScopeRolesUpdate, (*API).updateRoles},
	{"GET", "settings/roles/{id}", access.ScopeRolesRead, (*API).getRole},
	{"PUT", "settings/roles/{id}", access.ScopeRolesUpdate, (*API).updateRoles},
	{"DELETE", "settings/roles/{id}", access.ScopeRolesDelete, (*API).deleteRole},
	{"GET", "settings/territories", access.ScopeTerritoriesRead, (*API).listTerritories},
	{"POST", "settings/territories", access.ScopeTerritoriesCreate, (*API).addTerritories},
	{"PUT", "settings/territories", access.ScopeTerritoriesUpdate, (*API).updateTerritories},
	{"GET", "settings/territories/{id}", access.ScopeTerritoriesRead, (*API).getTerritory},
	{"PUT", "settings/territories/{id}", access.ScopeTerritoriesUpdate, (*API).updateTerritories},
	{"DELETE", "settings/territories/{id}", access.ScopeTerritoriesDelete, (*API).deleteTerritory},
	{"GET", "users/{id}/territories", access.ScopeUsersRead, (*API).getUserTerritories},
	{"PUT", "users/{id}/territories", access.ScopeUsersUpdate, (*API).putUserTerritories},
	{"DELETE", "users/{id}/territories", access.ScopeUsersDelete, (*API).deleteUserTerritories},
	{"GET", "users/{id}/territories/{territory_id}", access.ScopeUsersRead, (*API).getUserTerritories},
	{"DELETE", "users/{id}/territories/{territory_id}", access.ScopeUsersDelete, (*API).deleteUserTerritories},
	{"GET", "settings/territories/{id}/users", access.ScopeUsersRead, (*API).getTerritoryUsers},
	{"PUT", "settings/territories/{id}/users", access.ScopeTerritoriesUpdate, (*API).putTerritoryUsers},
	{"DELETE", "settings/territories/{id}/users", access.ScopeTerritoriesDelete, (*API).deleteTerritoryUsers},
	{"GET", "settings/territories/{id}/users/{user_id}", access.ScopeUsersRead, (*API).getTerritoryUsers},
	{"PUT", "settings/territories/{id}/users/{user_id}", access.ScopeTerritoriesUpdate, (*API).putTerritoryUsers},
	{"DELETE", "settings/territories/{id}/users/{user_id}", access.ScopeTerritoriesDelete, (*API).deleteTerritoryUsers},
	{"GET", "settings/user_groups", access.ScopeUserGroupsRead, (*API).listGroups},
	{"POST", "settings/user_groups", access.ScopeUserGroupsCreate, (*API).addGroups},
	{"PUT", "settings/user_groups", access.ScopeUserGroupsUpdate, (*API).updateGroups},
	{"GET", "settings/user_groups/{id}", access.ScopeUserGroupsRead, (*API).getGroup},
	{"PUT", "settings/user_groups/{id}", access.ScopeUserGroupsUpdate, (*API).updateGroups},
	{"DELETE", "settings/user_groups/{id}", access.ScopeUserGroupsDelete, (*API).deleteGroup},
	{"GET", "settings/user_groups/{id}/sources", access.ScopeUserGroupsRead, (*API).groupSources},
	{"GET", "settings/user_groups/{id}/actions/sources_count", access.ScopeUserGroupsRead, (*API).groupSourcesCount},
	{"GET", "users/{id}/actions/associated_groups", access.ScopeUserGroupsRead, (*API).userGroupsOfUser},
}

// Versions are the API versions served; all serve the same resources.
var Versions = map[string]bool{
	"v2": true, "v2.1": true, "v3": true, "v4": true, "v5": true, "v6": true, "v7": true, "v8": true,
}

// API holds what the handlers need.
type API struct {
	svc   *service.Service
	guard *guard.Guard
	log   *slog.Logger
	orgs  sync.Map // org ID → *cachedOrg
	metas sync.Map // org ID → *orgMeta
	users *userCache
}

// New returns the API. userCacheBytes bounds the cache of encoded users:
// 0 means DefaultUserCacheBytes, a negative value turns it off.
func New(svc *service.Service, g *guard.Guard, log *slog.Logger, userCacheBytes int) *API {
	if userCacheBytes == 0 {
		userCacheBytes = DefaultUserCacheBytes
	}
	a := &API{svc: svc, guard: g, log: log, users: newUserCache(userCacheBytes)}
	// The caches of users and names drop what each change touches.
	svc.SubscribeChanges(a.dropChanged)
	return a
}

var (
	// ErrURLPattern answers a URL crmguard does not serve.
	ErrURLPattern = crmguard.NewError(crmguard.CodeInvalidURLPattern, "Please check if the URL trying to access is a correct one", nil)
	errMethod     = crmguard.NewError(crmguard.CodeInvalidRequestMethod, "The http request method type is not a valid one", nil)
)

// Register adds every route to mux: each method of a path to its handler,
// other methods of a known path to INVALID_REQUEST_METHOD, and any other
// path under /crm/ to INVALID_URL_PATTERN.
func (a *API) Register(mux *http.ServeMux) {
	served := map[string]bool{} // "METHOD path"
	var paths []string
	for _, rt := range routes {
		mux.Handle(rt.method+" /crm/{version}/"+rt.path, a.wrap(rt))
		if !served["GET "+rt.path] && !served["POST "+rt.path] && !served["PUT "+rt.path] && !served["DELETE "+rt.path] {
			paths = append(paths, rt.path)
		}
		served[rt.method+" "+rt.path] = true
	}
	// Method-specific fallbacks, not one pattern per path: a methodless
	// users/search would clash with GET users/{id}.
	for _, path := range paths {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			if !served[m+" "+path] {
				mux.Handle(m+" /crm/{version}/"+path, a.fail(errMethod))
			}
		}
	}
	mux.Handle("/crm/", a.fail(ErrURLPattern))
}

// refused reports whether a status refuses the caller (401, 403, 429):
// such a call spends no API credit.
func refused(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests
}

func (a *API) fail(e *crmguard.Error) http.Handler {
	return web.Handler{Log: a.log, Fn: func(w http.ResponseWriter, r *http.Request) error {
		if e == errMethod && !Versions[r.PathValue("version")] {
			return ErrURLPattern
		}
		return e
	}}
}

// since holds the first API version of routes Zoho added after v2, keyed
// "METHOD path" as in the route table; a route not listed is served from
// v2 on. An earlier version answers INVALID_URL_PATTERN, as Zoho answers a
// URL its version does not have.
var since = map[string]string{
	// Zoho documents the org photo's upload from v2, its deletion from v3
	// (https://www.zoho.com/crm/developer/docs/api/v3/delete-org-img.html),
	// and reading it only in its v8.0 OpenAPI file.
	"DELETE org/photo": "v3",
	"GET org/photo":    "v8",
	// Territories: GET from v2 (https://www.zoho.com/crm/developer/docs/api/v2/territories.html),
	// writes from v6 (v6/add-territories.html, v6/update-territories.html, the
	// earliest pages); a user's territories from v3 (v3/get-user-territories.html,
	// v3/add-update-user-territories.html), their removal from v6
	// (v6/remove-territories-from-user.html).
	"POST settings/territories":                    "v6",
	"PUT settings/territories":                     "v6",
	"PUT settings/territories/{id}":                "v6",
	"DELETE settings/territories/{id}":             "v6",
	"GET users/{id}/territories":                   "v3",
	"PUT users/{id}/territories":                   "v3",
	"GET users/{id}/territories/{territory_id}":    "v3",
	"DELETE users/{id}/territories":                "v6",
	"DELETE users/{id}/territories/{territory_id}": "v6",
	// The users of a territory from v5 (v5/get-user-territory.html,
	// v5/associate-users-territory.html, and the disassociate page of Zoho's
	// v5 platform docs, developer/docs/vertical-solutions/api/v5/).
	"GET settings/territories/{id}/users":              "v5",
	"PUT settings/territories/{id}/users":              "v5",
	"DELETE settings/territories/{id}/users":           "v5",
	"GET settings/territories/{id}/users/{user_id}":    "v5",
	"PUT settings/territories/{id}/users/{user_id}":    "v5",
	"DELETE settings/territories/{id}/users/{user_id}": "v5",
	// Transfer records and delete user, and its job's status, arrived in v5
	// (https://www.zoho.com/crm/developer/docs/api/v5/transfer_records-delete_user.html).
	"POST users/actions/transfer_and_delete":      "v5",
	"GET users/actions/transfer_and_delete":       "v5",
	"POST users/{id}/actions/transfer_and_delete": "v5",
	// User groups: Zoho's v4 pages are the first to document them
	// (https://www.zoho.com/crm/developer/docs/api/v4/update-user-group.html),
	// v5's the first with a user's associated groups.
	"GET settings/user_groups": "v4", "POST settings/user_groups": "v4", "PUT settings/user_groups": "v4",
	"GET settings/user_groups/{id}": "v4", "PUT settings/user_groups/{id}": "v4", "DELETE settings/user_groups/{id}": "v4",
	"GET settings/user_groups/{id}/sources": "v4", "GET settings/user_groups/{id}/actions/sources_count": "v4",
	"GET users/{id}/actions/associated_groups": "v5",
}

// servedIn reports whether route key is served on version v.
func servedIn(key, v string) bool {
	min, ok := since[key]
	return !ok || compareVersions(v, min) >= 0
}

// wrap runs the pipeline (version, then the Guard) before the handler.
func (a *API) wrap(rt route) http.Handler {
	h := rt.h
	key := rt.method + " " + rt.path
	return web.Handler{Log: a.log, Fn: func(w http.ResponseWriter, r *http.Request) error {
		if v := r.PathValue("version"); !Versions[v] || !servedIn(key, v) {
			return ErrURLPattern
		}
		t, err := a.guard.Authorize(r, rt.scope)
		if err != nil {
			return err
		}
		defer t.Done()
		t.SetRateLimit(w.Header())
		err = h(a, w, r, t.P)
		if ze, ok := crmguard.AsError(err); ok && refused(ze.HTTPStatus()) {
			t.Refund()
			guard.Refused(r, ze)
		}
		return err
	}}
}
