package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

const exampleSeed = "../../docs/seed-example.yaml"

func seedActor(env *testenv.Env) crmguard.Actor {
	return crmguard.Actor{OrgID: env.Org.ID, Source: crmguard.SourceSystem}
}

func applyFile(t *testing.T, env *testenv.Env, path string) *service.SeedResult {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := seedfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.Svc.ApplySeed(context.Background(), seedActor(env), doc, service.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func seedToken(t *testing.T, res *service.SeedResult, seed string) service.SeedToken {
	t.Helper()
	for _, tk := range res.Tokens {
		if tk.Seed == seed {
			return tk
		}
	}
	t.Fatalf("no token %q in %+v", seed, res.Tokens)
	return service.SeedToken{}
}

func getJSON(t *testing.T, env *testenv.Env, path, token string) map[string]any {
	t.Helper()
	resp := env.Do(t, "GET", path, token, "")
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The example file of the docs applies, and the API then shows what it
// declares: its users and fields, its profiles' API access, working tokens
// of fixed clients, and passwords that sign in.
func TestSeedExampleFile(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	res := applyFile(t, env, exampleSeed)
	if res.Users.Created != 4 || res.Users.Updated != 1 || res.Profiles.Created != 3 || res.Roles.Created != 3 ||
		res.Fields.Created != 2 || res.Clients.Created != 2 || len(res.Tokens) != 3 {
		t.Fatalf("counts: %+v", res)
	}

	ana := seedToken(t, res, "ana-api")
	users := getJSON(t, env, "/crm/v8/users?type=AllUsers", ana.Token)
	var found map[string]any
	emails := map[string]bool{}
	for _, u := range users["users"].([]any) {
		m := u.(map[string]any)
		emails[m["email"].(string)] = true
		if m["email"] == "ana.silva@example.com" {
			found = m
		}
	}
	if len(emails) != 5 || found == nil {
		t.Fatalf("users: %v", emails)
	}
	if found["Employee_Number"] != float64(1042) || found["phone"] != "+1 555 0100" || found["Team"] != "Platform" ||
		found["role"].(map[string]any)["name"] != "Platform Team" || found["profile"].(map[string]any)["name"] != "Integrations" {
		t.Fatalf("ana: %v", found)
	}

	for name, want := range map[string]bool{"Integrations": true, "User Admins": true, "Support Desk": false} {
		p, err := env.Svc.ProfileByRef(ctx, env.Org.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Permissions.Has(crmguard.PermAPIAccess) != want {
			t.Errorf("%s: API access %v, want %v", name, !want, want)
		}
	}
	if p, _ := env.Svc.ProfileByRef(ctx, env.Org.ID, "User Admins"); !p.Permissions.Has(crmguard.PermManageUsers) {
		t.Error("User Admins lacks Manage Users")
	}
	old, _ := env.Svc.UserByEmail(ctx, env.Org.ID, "dev.old@example.com")
	cara, _ := env.Svc.UserByEmail(ctx, env.Org.ID, "cara.diaz@example.com")
	if old.Status != crmguard.UserDisabled || cara.Confirmed {
		t.Errorf("status %s, confirmed %v", old.Status, cara.Confirmed)
	}
	if _, err := env.Svc.Authenticate(ctx, env.Org.ID, "ana.silva@example.com", "ana-password-1"); err != nil {
		t.Errorf("ana's password: %v", err)
	}
	if u, err := env.Svc.Authenticate(ctx, env.Org.ID, "admin@example.com", "seed-admin-password"); err != nil || u.MustChangePassword {
		t.Errorf("admin's password: %v", err)
	}

	// The admin's token is of the org's Self Client.
	adm := seedToken(t, res, "admin-all")
	getJSON(t, env, "/crm/v8/org", adm.Token)

	// A seeded refresh token and the seeded client's fixed secret, through
	// a real OAuth client.
	conf := &oauth2.Config{ClientID: "1000.SEEDSERVERCLIENT00000000000001", ClientSecret: "seed-server-client-secret-0001",
		RedirectURL: "http://127.0.0.1:9000/callback",
		Endpoint:    oauth2.Endpoint{AuthURL: env.URL + "/oauth/v2/auth", TokenURL: env.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}}
	refresh := seedToken(t, res, "ana-refresh")
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh.Token}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	getJSON(t, env, "/crm/v8/users?type=AllUsers", tok.AccessToken)

	// The seeded client exchanges an authorization code.
	client, err := env.Svc.Client(ctx, conf.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	anaUser, _ := env.Svc.UserByEmail(ctx, env.Org.ID, "ana.silva@example.com")
	code, err := env.Svc.CreateGrant(ctx, env.Admin, service.GrantRequest{Client: client, UserID: anaUser.ID,
		Scopes: "ZohoCRM.users.READ", RedirectURI: conf.RedirectURL})
	if err != nil {
		t.Fatal(err)
	}
	exch, err := conf.Exchange(ctx, code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	getJSON(t, env, "/crm/v8/users?type=AllUsers", exch.AccessToken)

	// Applying the same file again changes nothing and gives the same tokens.
	again := applyFile(t, env, exampleSeed)
	if again.Users.Created != 0 || again.Profiles.Created != 0 || again.Roles.Created != 0 || again.Clients.Created != 0 {
		t.Fatalf("second apply created: %+v", again)
	}
	for _, tk := range again.Tokens {
		if !tk.Existed || tk.Token != seedToken(t, res, tk.Seed).Token {
			t.Errorf("token %s changed on the second apply", tk.Seed)
		}
	}

	// The audit event names the apply and holds no secret.
	evs, err := env.Svc.Audit(ctx, env.Admin, crmguard.AuditFilter{Action: "seed.apply"})
	if err != nil || len(evs) != 2 {
		t.Fatalf("seed.apply events: %d, %v", len(evs), err)
	}
	raw := string(evs[0].After) + string(evs[1].After)
	for _, secret := range []string{"ana-password-1", "seed-admin-password", "seed-server-client-secret-0001", ana.Token, refresh.Token, adm.Token} {
		if strings.Contains(raw, secret) {
			t.Errorf("the audit log holds a secret: %s", secret)
		}
	}
}

// A seeded token is an ordinary signed token: a token of the same shape
// that was not derived here is still refused before any lookup.
func TestSeedTokenKeepsForgeryCheck(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	res := applyFile(t, env, exampleSeed)
	tok := seedToken(t, res, "ana-api").Token
	if ok, err := env.Svc.TokenSigned(ctx, tok); err != nil || !ok {
		t.Fatalf("seeded token not signed: %v", err)
	}
	forged := tok[:len(tok)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", tok[len(tok)-1])+1)%16])
	if ok, _ := env.Svc.TokenSigned(ctx, forged); ok {
		t.Fatal("a token one digit off passes the check")
	}
	resp := env.Do(t, "GET", "/crm/v8/users", forged, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", resp.StatusCode)
	}
	v, err := env.Svc.SeedTokenValue(ctx, "access", "ana-api")
	if err != nil || v != tok {
		t.Fatalf("SeedTokenValue: %q, %v", v, err)
	}
}

// A file that is wrong is refused at the line of the mistake, and the org
// is exactly as it was: the apply is one transaction.
func TestSeedBadFiles(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	applyFile(t, env, exampleSeed) // something to conflict with
	cases := []struct {
		name, file string
		line       int
		want       string
	}{
		{"syntax", "users:\n  - email: a@example.com\n    last_name: a: b\n", 3, "syntax"},
		{"unknown key", "users:\n  - email: x@example.com\n    frist_name: X\n", 3, `unknown key "frist_name"`},
		{"unknown section", "roles: []\nteams: []\n", 2, `unknown key "teams"`},
		{"wrong type", "profiles:\n  - name: P\n    api_access: \"yes\"\n", 3, "true or false"},
		{"unknown permission", "profiles:\n  - name: P\n    permissions:\n      Crm_Implied_Fly: true\n", 4, "unknown permission"},
		{"bad client id", "clients:\n  - client_id: 1000.abc\n    client_secret: 0123456789abcdef\n", 2, "30 upper-case"},
		{"unknown scope", "tokens:\n  - seed: s\n    user: admin@example.com\n    scopes: ZohoCRM.nothing.READ\n", 2, "unknown scope"},
		{"twice", "roles:\n  - name: R\n  - name: r\n", 3, "given twice"},
		{"role unresolved", "roles:\n  - name: R\n    reporting_to: Nobody\n", 3, `reporting_to "Nobody"`},
		{"role circle", "roles:\n  - name: A\n    reporting_to: B\n  - name: B\n    reporting_to: A\n", 2, "circle"},
		{"profile unresolved", "users:\n  - email: n@example.com\n    last_name: N\n    role: Manager\n    profile: Ghosts\n", 5, `profile "Ghosts"`},
		{"clone unresolved", "profiles:\n  - name: P\n    clone_of: Q\n  - name: Q\n", 3, `clone_of "Q"`},
		{"new user incomplete", "users:\n  - email: n@example.com\n    last_name: N\n", 2, "role is required"},
		{"unknown field", "users:\n  - email: ana.silva@example.com\n    fields:\n      Shoe_Size: 44\n", 4, `"Shoe_Size"`},
		{"field value", "users:\n  - email: ana.silva@example.com\n    fields:\n      Employee_Number: lots\n", 4, "Employee_Number"},
		{"token owner", "tokens:\n  - seed: s\n    user: who@example.com\n    scopes: ZohoCRM.users.READ\n", 3, `user "who@example.com"`},
		{"inactive owner", "tokens:\n  - seed: s\n    user: dev.old@example.com\n    scopes: ZohoCRM.users.READ\n", 3, "not active"},
		// The error is found after the users were written in the
		// transaction: they must not stay.
		{"late conflict", "users:\n  - email: late@example.com\n    last_name: Late\n    role: Manager\n    profile: Standard\n" +
			"clients:\n  - client_id: 1000.SEEDSERVERCLIENT00000000000001\n    client_secret: another-secret-entirely\n", 7, "another secret"},
		{"field type clash", "fields:\n  - label: Team\n    type: number\n", 2, "another type"},
		{"administrator", "profiles:\n  - name: Administrator\n", 2, "cannot be changed"},
		{"short password", "users:\n  - email: ana.silva@example.com\n    password: short\n", 2, "at least 8"},
		{"json", "{\n\t\"users\": [\n\t\t{\"email\": \"j@example.com\", \"status\": \"gone\"}\n\t]\n}\n", 3, "active or inactive"},
	}
	seq, _ := env.Store.LastAuditSeq(ctx)
	count, _ := env.Store.CountUsers(ctx, env.Org.ID, "")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := seedfile.Parse([]byte(c.file))
			if err == nil {
				_, err = env.Svc.ApplySeed(ctx, seedActor(env), doc, service.SeedOptions{})
			}
			if err == nil {
				t.Fatal("accepted")
			}
			var one *seedfile.Error
			var many seedfile.Errors
			switch {
			case errors.As(err, &many):
				one = many[0]
			case errors.As(err, &one):
			default:
				t.Fatalf("not a seedfile error: %T %v", err, err)
			}
			if one.Pos.Line != c.line || !strings.Contains(one.Msg, c.want) {
				t.Errorf("got %v; want line %d and %q", err, c.line, c.want)
			}
			if now, _ := env.Store.LastAuditSeq(ctx); now != seq {
				t.Error("the audit log moved")
			}
			if n, _ := env.Store.CountUsers(ctx, env.Org.ID, ""); n != count {
				t.Errorf("users: %d, want %d", n, count)
			}
		})
	}
}

// A dry run meets the same errors and keeps nothing.
func TestSeedDryRun(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	data, _ := os.ReadFile(exampleSeed)
	doc, err := seedfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := env.Store.LastAuditSeq(ctx)
	res, err := env.Svc.ApplySeed(ctx, seedActor(env), doc, service.SeedOptions{DryRun: true})
	if err != nil || res.Users.Created != 4 || !res.DryRun {
		t.Fatalf("%+v %v", res, err)
	}
	if now, _ := env.Store.LastAuditSeq(ctx); now != seq {
		t.Error("a dry run wrote")
	}
	if _, err := env.Store.GetUserByEmail(ctx, env.Org.ID, "ana.silva@example.com"); !errors.Is(err, crmguard.ErrNotFound) {
		t.Errorf("a dry run kept a user: %v", err)
	}
}

// A file of many users is matched with one walk over the org's users: a
// second apply finds every one of them and a token's owner among them.
func TestSeedManyUsers(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	var b strings.Builder
	b.WriteString("users:\n")
	for i := range 80 {
		b.WriteString("  - {email: u" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com, last_name: U, role: Manager, profile: Standard}\n")
	}
	b.WriteString("tokens:\n  - {seed: t, user: uaa@example.com, scopes: ZohoCRM.users.READ}\n")
	doc, err := seedfile.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for round, want := range []service.SeedCount{{Created: 80}, {Updated: 80}} {
		res, err := env.Svc.ApplySeed(context.Background(), seedActor(env), doc, service.SeedOptions{})
		if err != nil || res.Users != want || len(res.Tokens) != 1 || res.Tokens[0].Existed != (round == 1) {
			t.Fatalf("round %d: %+v %v", round, res, err)
		}
	}
}

// With a deterministic token key, seeded tokens are the same on every
// server, not just on one store.
func TestSeedTokensDeterministic(t *testing.T) {
	_, _, key := service.Deterministic(42)
	var values []string
	for range 2 {
		env := testenv.New(t, testenv.Options{Service: service.Config{TokenKey: key}})
		res := applyFile(t, env, exampleSeed)
		tok := seedToken(t, res, "ana-api").Token
		getJSON(t, env, "/crm/v8/users?type=AllUsers", tok)
		values = append(values, tok)
	}
	if values[0] != values[1] {
		t.Fatalf("two servers with one key seeded %s and %s", values[0], values[1])
	}
}
