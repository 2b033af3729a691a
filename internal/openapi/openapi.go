package openapi

// Rewrite the committed copy after a route changes:
//go:generate go test -run TestCommittedDocument -update .

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/crmguard/crmguard/internal/zohoapi"
)

// Version of the document's own shape: it changes when the routes or their
// description change, not with every build, so the committed copy stays
// comparable.
const docVersion = "1"

type obj = map[string]any

// Document returns the OpenAPI 3.1 document as indented JSON ending in a
// newline. It is the same bytes on every call and every build.
func Document() []byte {
	docOnce.Do(func() { docBytes = build() })
	return docBytes
}

var (
	docOnce  sync.Once
	docBytes []byte
)

// document is the top level in the order the specification lists it, so
// the file reads from the front; maps below it are sorted by key.
type document struct {
	OpenAPI    string `json:"openapi"`
	Info       obj    `json:"info"`
	Servers    []obj  `json:"servers"`
	Tags       []obj  `json:"tags"`
	Paths      obj    `json:"paths"`
	Components obj    `json:"components"`
}

func build() []byte {
	d := document{
		OpenAPI: "3.1.0",
		Info: obj{
			"title":   "crmguard",
			"version": docVersion,
			"summary": "A self-hostable server for Zoho CRM's Users, Profiles, Roles, Fields and Org APIs and Zoho Accounts' OAuth 2.0",
			"description": "Every /crm/{version}/ route passes crmguard's access pipeline (token, user status, IP rules, " +
				"the profile's \"Zoho CRM API Access\" permission, scope, API credits, concurrency) before it runs; " +
				"the security requirement of each operation names the scope it needs. Send the access token as " +
				"`Authorization: Zoho-oauthtoken <token>`, as Zoho's SDKs do. Errors use Zoho's envelope " +
				"{code, details, message, status}. Routes under /__emulator/ exist only when the server runs with " +
				"--emulator (always in the Go test helper crmguardtest) and need the X-Emulator-Key header.",
			"license": obj{"name": "See the repository's LICENSE"},
		},
		Servers: []obj{{
			"url":         "{base}",
			"description": "A crmguard server; its api_domain in token responses is the same base URL.",
			"variables":   obj{"base": obj{"default": "http://127.0.0.1:8080"}},
		}},
		Tags: []obj{
			{"name": tagUsers, "description": "https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"},
			{"name": tagOrg, "description": "https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html"},
			{"name": tagProfiles, "description": "https://www.zoho.com/crm/developer/docs/api/v8/get-profiles.html"},
			{"name": tagRoles, "description": "https://www.zoho.com/crm/developer/docs/api/v8/get-roles.html"},
			{"name": tagFields, "description": "https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html"},
			{"name": TagOAuth, "description": "Zoho Accounts' OAuth 2.0 endpoints: https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html"},
			{"name": TagInvite, "description": "Pages a user opens from an invitation or password-reset link."},
			{"name": TagOps, "description": "Health, readiness, metrics and this document."},
			{"name": TagEmulator, "description": "The emulator's control API under the reserved prefix /__emulator/: " +
				"reset, snapshots, export and import, seed files, the clock, faults and the request journal. " +
				"Off in plain `serve`; on with `serve --emulator`. Every route needs X-Emulator-Key."},
		},
		Paths:      obj{},
		Components: components(),
	}
	for _, rt := range zohoapi.Routes() {
		addOp(d.Paths, rt.Path, rt.Method, apiOperation(rt))
	}
	for _, group := range [][]Route{oauthRoutes, opsRoutes, emulatorRoutes} {
		for _, rt := range group {
			addOp(d.Paths, rt.Path, rt.Method, operation(rt))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <token> and & readable in descriptions
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		panic("openapi: " + err.Error()) // only maps, strings and slices: cannot fail
	}
	return buf.Bytes()
}

func addOp(paths obj, path, method string, op obj) {
	item, _ := paths[path].(obj)
	if item == nil {
		item = obj{}
		paths[path] = item
	}
	item[strings.ToLower(method)] = op
}

// apiOperation describes one route of zohoapi's table.
func apiOperation(rt zohoapi.RouteInfo) obj {
	rel := strings.TrimPrefix(rt.Path, "/crm/{version}/")
	params := []any{obj{"$ref": "#/components/parameters/version"}}
	if strings.Contains(rel, "{id}") {
		params = append(params, obj{"name": "id", "in": "path", "required": true,
			"description": "The record's ID", "schema": obj{"type": "string", "pattern": "^[0-9]+$"}})
	}
	responses := obj{
		"default": obj{"$ref": "#/components/responses/ZohoError"},
	}
	if rt.Method == "GET" {
		responses["200"] = jsonResponse("The records, in Zoho's shape", "")
		responses["204"] = obj{"description": "Nothing matched"}
		responses["304"] = obj{"description": "Not modified since If-Modified-Since"}
	} else {
		responses["2XX"] = jsonResponse("One result per record (200, 201, or 207 in v8 when some records failed)", "")
	}
	op := obj{
		"operationId": operationID(rt.Method, rel),
		"summary":     apiSummary(rt.Method, rel),
		"tags":        []string{apiTag(rel)},
		"parameters":  params,
		"security":    []any{obj{"zohoOAuth": []string{rt.Scope}}},
		"responses":   responses,
		"description": "Needs the scope " + rt.Scope + " (or its resource's ALL or WRITE) and a profile with API access.",
	}
	if rt.Method == "POST" || rt.Method == "PUT" {
		op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}}
	}
	return op
}

func apiTag(rel string) string {
	switch {
	case strings.HasPrefix(rel, "users"):
		return tagUsers
	case strings.HasPrefix(rel, "org"):
		return tagOrg
	case strings.HasPrefix(rel, "settings/profiles"):
		return tagProfiles
	case strings.HasPrefix(rel, "settings/roles"):
		return tagRoles
	}
	return tagFields
}

// apiSummaries name the operations as Zoho's pages title them; a route
// added to the table without one is described by its method and path.
var apiSummaries = map[string]string{
	"GET org":                                   "Get the organization",
	"GET users":                                 "List users",
	"POST users":                                "Add a user",
	"PUT users":                                 "Update users",
	"DELETE users":                              "Delete a user (ids in the query)",
	"GET users/{id}":                            "Get a user",
	"PUT users/{id}":                            "Update a user",
	"DELETE users/{id}":                         "Delete a user",
	"GET users/actions/count":                   "Count users",
	"GET users/search":                          "Search users",
	"GET settings/fields":                       "List the Users module's fields",
	"GET settings/profiles":                     "List profiles",
	"GET settings/profiles/{id}":                "Get a profile",
	"PUT settings/profiles/{id}":                "Update a profile",
	"DELETE settings/profiles/{id}":             "Delete a profile",
	"POST settings/profiles/{id}/actions/clone": "Clone a profile",
	"GET settings/roles":                        "List roles",
	"POST settings/roles":                       "Add roles",
	"PUT settings/roles":                        "Update roles",
	"GET settings/roles/{id}":                   "Get a role",
	"PUT settings/roles/{id}":                   "Update a role",
	"DELETE settings/roles/{id}":                "Delete a role",
}

func apiSummary(method, rel string) string {
	if s, ok := apiSummaries[method+" "+rel]; ok {
		return s
	}
	return method + " " + rel
}

// operationID is stable and unique: the method and the path's words, e.g.
// get_settings_profiles_id.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '.' || r == '-' }) {
		b.WriteByte('_')
		b.WriteString(part)
	}
	return b.String()
}

// operation describes a route of the hand-kept tables.
func operation(rt Route) obj {
	op := obj{
		"operationId": operationID(rt.Method, rt.Path),
		"summary":     rt.Summary,
		"tags":        []string{rt.Tag},
		"responses":   obj{},
	}
	responses := op["responses"].(obj)
	var params []any
	for _, name := range pathParams(rt.Path) {
		params = append(params, obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "string"}})
	}
	for _, q := range rt.Query {
		params = append(params, obj{"name": q, "in": "query", "schema": obj{"type": "string"}})
	}
	switch rt.Auth {
	case "":
		op["security"] = []any{}
	case "client":
		op["security"] = []any{}
		op["description"] = "The client authenticates with client_id and client_secret in the form (or HTTP Basic), as Zoho Accounts expects."
	case "session":
		op["security"] = []any{}
		op["description"] = "Needs the sign-in cookie set by the authorization page and its form's csrf value."
	case emulatorAuth:
		op["security"] = []any{obj{"emulatorKey": []string{}}}
		responses["401"] = obj{"$ref": "#/components/responses/ZohoError"}
	case userInfoAuth:
		op["security"] = []any{obj{"zohoOAuth": []string{userInfoScope}}}
		op["description"] = "Needs an access token with the scope " + userInfoScope + ", sent as Zoho-oauthtoken or Bearer."
		responses["401"] = obj{"$ref": "#/components/responses/ZohoError"}
		responses["403"] = obj{"$ref": "#/components/responses/ZohoError"}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if len(rt.Form) > 0 {
		props := obj{}
		for _, f := range rt.Form {
			props[f] = obj{"type": "string"}
		}
		form := obj{"schema": obj{"type": "object", "properties": props}}
		op["requestBody"] = obj{"content": obj{"application/x-www-form-urlencoded": form, "multipart/form-data": form}}
	}
	switch rt.Body {
	case "":
	case "seed":
		op["requestBody"] = obj{"required": true, "content": obj{
			"application/yaml": obj{"schema": obj{"type": "string"}},
			"application/json": obj{"schema": obj{"type": "object"}},
		}}
	default:
		op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": schemaRef(rt.Body)}}}
	}
	switch {
	case rt.HTML:
		responses["200"] = obj{"description": "An HTML page", "content": obj{"text/html": obj{"schema": obj{"type": "string"}}}}
		if rt.Method == "POST" {
			responses["303"] = obj{"description": "On to the next page or the client's redirect URI"}
		}
	case rt.Response == "text":
		responses["200"] = obj{"description": "OK", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}
		if rt.Path == "/readyz" {
			responses["503"] = obj{"description": "Not ready yet", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}
		}
	case rt.Response == "metrics":
		responses["200"] = obj{"description": "Prometheus text exposition", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}
	case rt.Response == "openapi":
		responses["200"] = jsonResponse("The OpenAPI 3.1 document", "")
	case rt.Response == "TokenResponse":
		responses["200"] = jsonResponse("Tokens, or {\"error\": ...} with status 200 as Zoho answers", "TokenResponse")
	default:
		responses["200"] = jsonResponse("OK", rt.Response)
	}
	if rt.Tag == TagEmulator && rt.Response == "" {
		responses["default"] = obj{"$ref": "#/components/responses/ZohoError"}
	}
	return op
}

// pathParams lists the {names} of a pattern, without a trailing "...".
func pathParams(path string) []string {
	var out []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSuffix(path[i+1:i+j], "..."))
		path = path[i+j+1:]
	}
}

func jsonResponse(desc, schema string) obj {
	s := obj{"type": "object"}
	if schema != "" {
		s = schemaRef(schema)
	}
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": s}}}
}

// schemaRef refers to a named schema; "object" is any JSON object.
func schemaRef(name string) obj {
	if name == "object" {
		return obj{"type": "object"}
	}
	return obj{"$ref": "#/components/schemas/" + name}
}

func components() obj {
	scopes := obj{}
	for _, s := range allScopes() {
		scopes[s] = "Routes that need " + s
	}
	scopes[userInfoScope] = "GET /oauth/user/info"
	return obj{
		"securitySchemes": obj{
			"zohoOAuth": obj{
				"type": "oauth2",
				"description": "Zoho Accounts OAuth 2.0. Send the access token as `Authorization: Zoho-oauthtoken <token>`. " +
					"A scope also covers its resource's other operations when it ends in .ALL, and CREATE, UPDATE and DELETE when it ends in .WRITE; " +
					"ZohoCRM.settings.<op> covers every settings resource.",
				"flows": obj{
					"authorizationCode": obj{"authorizationUrl": "/oauth/v2/auth", "tokenUrl": "/oauth/v2/token", "refreshUrl": "/oauth/v2/token", "scopes": scopes},
					"clientCredentials": obj{"tokenUrl": "/oauth/v2/token", "refreshUrl": "/oauth/v2/token", "scopes": scopes},
				},
			},
			"emulatorKey": obj{"type": "apiKey", "in": "header", "name": "X-Emulator-Key",
				"description": "The key printed at start (serve --emulator), or set with --emulator-key."},
		},
		"parameters": obj{
			"version": obj{"name": "version", "in": "path", "required": true,
				"description": "Zoho CRM API version; every version serves the same resources, with Zoho's per-version differences.",
				"schema":      obj{"type": "string", "enum": zohoapi.VersionList()}},
		},
		"responses": obj{
			"ZohoError": obj{"description": "A Zoho error envelope; the status is Zoho's for the code",
				"content": obj{"application/json": obj{"schema": schemaRef("ZohoError")}}},
		},
		"schemas": obj{
			"ZohoError": obj{
				"type":     "object",
				"required": []string{"code", "details", "message", "status"},
				"properties": obj{
					"code":    obj{"type": "string", "examples": []string{"OAUTH_SCOPE_MISMATCH"}},
					"details": obj{"type": "object"},
					"message": obj{"type": "string"},
					"status":  obj{"type": "string", "const": "error"},
				},
			},
			"FaultRule": obj{
				"type":     "object",
				"required": []string{"action"},
				"properties": obj{
					"method":      obj{"type": "string"},
					"route":       obj{"type": "string", "description": "A route pattern, e.g. \"GET /crm/{version}/users\""},
					"path_prefix": obj{"type": "string"},
					"user":        obj{"type": "string", "description": "The caller's user ID or e-mail"},
					"client":      obj{"type": "string", "description": "The caller's client ID"},
					"token":       obj{"type": "string", "description": "An access token; kept only as a hash"},
					"count":       obj{"type": "integer", "description": "How many matching requests it takes; 0 is all until cleared"},
					"action":      obj{"type": "string", "enum": []string{"error", "status", "throttle", "delay"}},
					"code":        obj{"type": "string", "description": "error: the Zoho code, answered with its real status and body"},
					"message":     obj{"type": "string"},
					"details":     obj{"type": "object"},
					"status":      obj{"type": "integer"},
					"body":        obj{"type": "string"},
					"retry_after": obj{"type": "integer", "description": "throttle: Retry-After in seconds"},
					"delay_ms":    obj{"type": "integer", "description": "delay: milliseconds before the request proceeds"},
				},
			},
			"TokenResponse": obj{
				"type": "object",
				"properties": obj{
					"access_token":  obj{"type": "string"},
					"refresh_token": obj{"type": "string"},
					"scope":         obj{"type": "string"},
					"api_domain":    obj{"type": "string", "description": "This server's public URL: clients send API calls here"},
					"token_type":    obj{"type": "string", "const": "Bearer"},
					"expires_in":    obj{"type": "integer"},
					"error":         obj{"type": "string", "description": "Set instead of the tokens when the request failed"},
				},
			},
		},
	}
}

// allScopes are the distinct scopes the route table names, sorted.
func allScopes() []string {
	seen := map[string]bool{}
	var out []string
	for _, rt := range zohoapi.Routes() {
		if !seen[rt.Scope] {
			seen[rt.Scope] = true
			out = append(out, rt.Scope)
		}
	}
	sort.Strings(out)
	return out
}
