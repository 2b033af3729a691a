package zohoapi

import (
	"slices"
	"strings"
)

// RouteInfo describes one API route for readers outside the package (the
// OpenAPI document, coverage tests) without exposing its handler.
type RouteInfo struct {
	Method string // GET, POST, PUT or DELETE
	// Path is the full pattern as registered, e.g. "/crm/{version}/users/{id}".
	Path string
	// Scope is the OAuth scope the route needs, e.g. "ZohoCRM.users.READ".
	Scope string
}

// Routes lists every API route in the order of the route table, so a
// description generated from it covers exactly what Register serves.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routes))
	for i, rt := range routes {
		out[i] = RouteInfo{Method: rt.method, Path: "/crm/{version}/" + rt.path, Scope: rt.scope.String()}
	}
	return out
}

// VersionList is Versions in ascending order (v2, v2.1, v3, ...).
func VersionList() []string {
	out := make([]string, 0, len(Versions))
	for v := range Versions {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b string) int {
		// "v2" < "v2.1" < "v3": compare the major number, then the rest.
		ma, ra, _ := strings.Cut(strings.TrimPrefix(a, "v"), ".")
		mb, rb, _ := strings.Cut(strings.TrimPrefix(b, "v"), ".")
		if len(ma) != len(mb) {
			return len(ma) - len(mb)
		}
		if c := strings.Compare(ma, mb); c != 0 {
			return c
		}
		return strings.Compare(ra, rb)
	})
	return out
}
