package openapi

// emulatorRoutes are the control routes internal/emulator registers under
// /__emulator/. They exist only when the emulator is on. Every one has the
// Emulator tag and takes the emulator key, set once below.
var emulatorRoutes = emulator([]Route{
	{Method: "POST", Path: "/__emulator/reset",
		Summary: "Reset to the state the server had when it became ready (bootstrap, demo, seed file or import)"},
	{Method: "GET", Path: "/__emulator/snapshots",
		Summary: "List the saved snapshots"},
	{Method: "POST", Path: "/__emulator/snapshots/{name}",
		Summary: "Save the whole state under a name"},
	{Method: "POST", Path: "/__emulator/snapshots/{name}/restore",
		Summary: "Restore a saved snapshot"},
	{Method: "DELETE", Path: "/__emulator/snapshots/{name}",
		Summary: "Delete a saved snapshot"},
	{Method: "GET", Path: "/__emulator/export",
		Summary: "Export the whole state as JSON (the file serve --import reads)"},
	{Method: "POST", Path: "/__emulator/import",
		Summary: "Replace the whole state with an export", Body: "object"},
	{Method: "GET", Path: "/__emulator/clock",
		Summary: "Read the server's clock"},
	{Method: "POST", Path: "/__emulator/clock",
		Summary: "Freeze, set, advance or resume the clock: one of {\"freeze\": true}, {\"set\": RFC 3339}, {\"advance\": \"90m\"}, {\"resume\": true}",
		Body:    "object"},
	{Method: "POST", Path: "/__emulator/seed",
		Summary: "Apply a seed file (YAML or JSON body) in one transaction; ?dry_run=true only checks it. A bad file is 400 with each problem's line",
		Query:   []string{"dry_run"}, Body: "seed"},
	{Method: "POST", Path: "/__emulator/faults",
		Summary: "Add a fault: the next N matching requests (method, route, path prefix, user, client or token) get a Zoho error, a status, a 429 with Retry-After, or a delay",
		Body:    "FaultRule"},
	{Method: "GET", Path: "/__emulator/faults",
		Summary: "List the faults"},
	{Method: "DELETE", Path: "/__emulator/faults",
		Summary: "Clear every fault"},
	{Method: "DELETE", Path: "/__emulator/faults/{id}",
		Summary: "Clear one fault"},
	{Method: "GET", Path: "/__emulator/journal",
		Summary: "The last requests with their principal and the pipeline's decision (which check allowed or denied, and why), newest last",
		Query:   []string{"method", "route", "status", "code", "user", "client", "decision", "faulted", "since", "limit"}},
	{Method: "DELETE", Path: "/__emulator/journal",
		Summary: "Empty the journal"},
})

func emulator(rs []Route) []Route {
	for i := range rs {
		rs[i].Tag, rs[i].Auth = TagEmulator, emulatorAuth
	}
	return rs
}
