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
	// Since is the first API version that serves the route ("v2" for most).
	Since string
}

// Routes lists every API route in the order of the route table, so a
// description generated from it covers exactly what Register serves.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routes))
	for i, rt := range routes {
		first := "v2"
		if v, ok := since[rt.method+" "+rt.path]; ok {
			first = v
		}
		out[i] = RouteInfo{Method: rt.method, Path: "/crm/{version}/" + rt.path, Scope: rt.scope.String(), Since: first}
	}
	return out
}

// VersionList is Versions in ascending order (v2, v2.1, v3, ...).
func VersionList() []string {
	out := make([]string, 0, len(Versions))
	for v := range Versions {
		out = append(out, v)
	}
	slices.SortFunc(out, compareVersions)
	return out
}

// compareVersions orders API versions: "v2" < "v2.1" < "v3" < … < "v8".
func compareVersions(a, b string) int {
	ma, ra, _ := strings.Cut(strings.TrimPrefix(a, "v"), ".")
	mb, rb, _ := strings.Cut(strings.TrimPrefix(b, "v"), ".")
	if len(ma) != len(mb) {
		return len(ma) - len(mb)
	}
	if c := strings.Compare(ma, mb); c != 0 {
		return c
	}
	return strings.Compare(ra, rb)
}
