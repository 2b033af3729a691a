package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
)

const addUser = `{"users":[{"first_name":"Ann","last_name":"Added","email":"ann.added@example.test","role":"%s","profile":"%s"}]}`

// addOne adds a user through the API and returns its e-mail.
func addOne(t *testing.T, e *env, token, email string) {
	t.Helper()
	ctx := context.Background()
	org := e.stack.Org
	roles, err := e.stack.Store.ListRoles(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := e.stack.Store.ListProfiles(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(fmt.Sprintf(addUser, roles[len(roles)-1].ID, profiles[len(profiles)-1].ID), "ann.added@example.test", email, 1)
	code, out := e.api(t, "POST", "/crm/v8/users", token, body)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("add user: %d %s", code, out)
	}
}

func TestResetRestoresUsersAndTokens(t *testing.T) {
	e := startEmu(t)
	tok := e.demoToken()
	before := e.users(t, tok)

	// After start: a user is added, a token is minted, and the demo
	// token is revoked.
	addOne(t, e, tok, "after.start@example.test")
	fresh, err := e.stack.Service.IssueTokens(context.Background(), crmguard.Actor{OrgID: e.stack.Org.ID, UserID: e.stack.Org.PrimaryUserID, Source: crmguard.SourceCLI},
		e.stack.Org.PrimaryUserID, "ZohoCRM.users.ALL", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.users(t, fresh.AccessToken); got == before {
		t.Fatal("the added user is not listed")
	}
	if code, body := e.do(t, "POST", "/oauth/v2/token/revoke?token="+e.stack.Demo.Tokens.RefreshToken, ""); code != http.StatusOK {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, body := e.api(t, "GET", "/crm/v8/users", tok, ""); code != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d %s", code, body)
	}

	out := e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if !strings.Contains(out, `"code":"SUCCESS"`) {
		t.Fatalf("reset answered %s", out)
	}
	// The demo token lives again, the list is byte for byte the first
	// one, and the token minted after start is gone.
	if got := e.users(t, tok); got != before {
		t.Fatalf("after reset:\n%s\nwant\n%s", got, before)
	}
	if code, body := e.api(t, "GET", "/crm/v8/users", fresh.AccessToken, ""); code != http.StatusUnauthorized || !strings.Contains(body, "INVALID_TOKEN") {
		t.Fatalf("token minted after start, after reset: %d %s", code, body)
	}
	// The same user can be added again: nothing of it is left.
	addOne(t, e, tok, "after.start@example.test")
}

func TestSnapshotSaveRestoreListDelete(t *testing.T) {
	e := startEmu(t)
	tok := e.demoToken()
	e.emu(t, http.StatusOK, "POST", "/__emulator/snapshots/one", "")
	one := e.users(t, tok)
	addOne(t, e, tok, "second@example.test")
	e.emu(t, http.StatusOK, "POST", "/__emulator/snapshots/two", "")
	two := e.users(t, tok)
	addOne(t, e, tok, "third@example.test")

	var list struct {
		Snapshots []emulator.SnapshotInfo `json:"snapshots"`
	}
	if err := json.Unmarshal([]byte(e.emu(t, http.StatusOK, "GET", "/__emulator/snapshots", "")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Snapshots) != 2 || list.Snapshots[0].Name != "one" || list.Snapshots[1].Name != "two" || list.Snapshots[1].Rows <= list.Snapshots[0].Rows {
		t.Fatalf("list: %+v", list.Snapshots)
	}

	e.emu(t, http.StatusOK, "POST", "/__emulator/snapshots/one/restore", "")
	if got := e.users(t, tok); got != one {
		t.Fatal("restore one: users differ")
	}
	e.emu(t, http.StatusOK, "POST", "/__emulator/snapshots/two/restore", "")
	if got := e.users(t, tok); got != two {
		t.Fatal("restore two: users differ")
	}
	e.emu(t, http.StatusOK, "DELETE", "/__emulator/snapshots/one", "")
	out := e.emu(t, http.StatusNotFound, "POST", "/__emulator/snapshots/one/restore", "")
	if !strings.Contains(out, `"name":"one"`) {
		t.Fatalf("restore of a deleted snapshot: %s", out)
	}
	e.emu(t, http.StatusNotFound, "DELETE", "/__emulator/snapshots/one", "")
	e.emu(t, http.StatusBadRequest, "POST", "/__emulator/snapshots/..hidden", "")
	// Reset still goes to the start, not to a snapshot.
	e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if got := e.users(t, tok); got != one {
		t.Fatal("reset after restores: users differ from the start")
	}
}

func TestExportImportIntoFreshServer(t *testing.T) {
	a := startEmu(t)
	tok := a.demoToken()
	addOne(t, a, tok, "exported@example.test")
	want := a.users(t, tok)
	doc := a.emu(t, http.StatusOK, "GET", "/__emulator/export", "")

	// Over HTTP, into a server that has its own org and token key.
	b := start(t, server.Options{Emulator: &emulator.Config{Key: testKey}})
	if _, err := b.stack.Service.TokenSigned(context.Background(), tok); err != nil { // loads b's own key
		t.Fatal(err)
	}
	b.emu(t, http.StatusOK, "POST", "/__emulator/import", doc)
	if got := b.users(t, tok); got != want {
		t.Fatalf("imported server's users:\n%s\nwant\n%s", got, want)
	}
	if again := b.emu(t, http.StatusOK, "GET", "/__emulator/export", ""); again != doc {
		t.Fatal("export of the imported state differs from the document imported")
	}

	// At start, as serve --import does, with the emulator off: reset then
	// returns to the imported state.
	snap, err := emulator.ReadSnapshot(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, server.Options{Import: snap, Emulator: &emulator.Config{Key: testKey}})
	if got := c.users(t, tok); got != want {
		t.Fatal("server started with the import: users differ")
	}
	addOne(t, c, tok, "later@example.test")
	c.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if got := c.users(t, tok); got != want {
		t.Fatal("reset of a server started with an import: users differ")
	}
}

func TestBadImportChangesNothing(t *testing.T) {
	e := startEmu(t)
	tok := e.demoToken()
	doc := e.emu(t, http.StatusOK, "GET", "/__emulator/export", "")
	users := e.users(t, tok)

	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	table := func(m map[string]any, name string) map[string]any {
		return m["tables"].(map[string]any)[name].(map[string]any)
	}
	col := func(m map[string]any, tab, c string) int {
		for i, n := range table(m, tab)["columns"].([]any) {
			if n == c {
				return i
			}
		}
		t.Fatalf("no column %s.%s", tab, c)
		return -1
	}
	setCell := func(m map[string]any, tab, c string, v any) {
		row := table(m, tab)["rows"].([]any)[0].([]any)
		row[col(m, tab, c)] = v
	}
	bad := map[string]string{
		"not JSON":       `{"format":`,
		"two documents":  doc + doc,
		"another format": edit(func(m map[string]any) { m["format"] = "other/1" }),
		"newer schema":   edit(func(m map[string]any) { m["schema_version"] = 999.0 }),
		"unknown table": edit(func(m map[string]any) {
			m["tables"].(map[string]any)["nope"] = map[string]any{"columns": []any{}, "rows": []any{}}
		}),
		"missing table":    edit(func(m map[string]any) { delete(m["tables"].(map[string]any), "users") }),
		"unknown column":   edit(func(m map[string]any) { table(m, "orgs")["columns"].([]any)[1] = "nope" }),
		"short row":        edit(func(m map[string]any) { r := table(m, "users")["rows"].([]any); r[0] = r[0].([]any)[:3] }),
		"text in a number": edit(func(m map[string]any) { setCell(m, "users", "created_at", "yesterday") }),
		"null in not null": edit(func(m map[string]any) { setCell(m, "users", "email", nil) }),
		"bad base64":       edit(func(m map[string]any) { setCell(m, "token_key", "key", "%%%") }),
		"unknown profile":  edit(func(m map[string]any) { setCell(m, "users", "profile_id", 42.0) }),
		"duplicate e-mail": edit(func(m map[string]any) {
			r := table(m, "users")["rows"].([]any)
			dup := append([]any(nil), r[1].([]any)...)
			dup[col(m, "users", "id")] = 9_000_000_000_000_000_000.0 / 1e3
			r = append(r, dup)
			table(m, "users")["rows"] = r
		}),
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			out := e.emu(t, http.StatusBadRequest, "POST", "/__emulator/import", body)
			if !strings.Contains(out, `"code":"INVALID_DATA"`) {
				t.Fatalf("answer: %s", out)
			}
			if got := e.emu(t, http.StatusOK, "GET", "/__emulator/export", ""); got != doc {
				t.Fatal("a refused import changed the state")
			}
			if got := e.users(t, tok); got != users {
				t.Fatal("a refused import changed the users")
			}
		})
	}
}

func TestKeyIsRequired(t *testing.T) {
	e := startEmu(t)
	want := `{"code":"AUTHENTICATION_FAILURE","details":{},"message":"emulator key missing or wrong","status":"error"}`
	for _, key := range []string{"", "wrong", testKey + "x", testKey[:len(testKey)-1]} {
		for _, route := range [][2]string{{"POST", "/__emulator/reset"}, {"GET", "/__emulator/export"}, {"GET", "/__emulator/clock"},
			{"POST", "/__emulator/import"}, {"GET", "/__emulator/snapshots"}} {
			var h []string
			if key != "" {
				h = []string{emulator.KeyHeader, key}
			}
			code, body := e.do(t, route[0], route[1], "", h...)
			if code != http.StatusUnauthorized || body != want {
				t.Errorf("%s %s with key %q: %d %s", route[0], route[1], key, code, body)
			}
		}
	}
}

func TestRandomKeyWhenNoneGiven(t *testing.T) {
	e := start(t, server.Options{Emulator: &emulator.Config{}})
	key := e.stack.Emulator.Key()
	if len(key) < 32 {
		t.Fatalf("key %q is too short to be unguessable", key)
	}
	if code, _ := e.do(t, "GET", "/__emulator/clock", "", emulator.KeyHeader, key); code != http.StatusOK {
		t.Fatalf("the reported key is refused: %d", code)
	}
}

func TestEmulatorOffAnswersAsUnknownURL(t *testing.T) {
	e := start(t, server.Options{Demo: true})
	want := `{"code":"INVALID_URL_PATTERN","details":{},"message":"Please check if the URL trying to access is a correct one","status":"error"}`
	for _, route := range [][2]string{{"POST", "/__emulator/reset"}, {"GET", "/__emulator/export"}, {"GET", "/__emulator/clock"}} {
		code, body := e.do(t, route[0], route[1], "", emulator.KeyHeader, testKey)
		if code != http.StatusNotFound || body != want {
			t.Errorf("%s %s: %d %s", route[0], route[1], code, body)
		}
	}
	if e.stack.Emulator != nil {
		t.Error("Stack.Emulator is set with the emulator off")
	}
}
