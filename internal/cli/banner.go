package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/server"
	"github.com/crmguard/crmguard/internal/service"
)

// firstScopes are the scopes of the token the banner prints, and of the
// command it suggests: enough for every route crmguard serves.
const firstScopes = service.DemoScopes

// banner tells the user how to reach the server and get a token. Every
// command and token it prints works as printed: a first start (and --demo)
// prints a ready token, a later start the 'token issue' command the way
// this binary was started (go run, a path, or a name on the PATH).
func (e *env) banner(f *serveFlags, stack *server.Stack) error {
	org, boot, demo := stack.Org, stack.Boot, stack.Demo
	w := e.stdout
	url := f.svc.PublicURL
	fmt.Fprintf(w, "crmguard is listening on %s (data in %s)\n", url, e.where(f))
	fmt.Fprintf(w, "Admin console: %s/console\n", url)
	if boot != nil {
		fmt.Fprintf(w, "\nCreated org %q (%s).\n", org.CompanyName, org.ID)
		fmt.Fprintf(w, "  admin:         %s\n  password:      %s   (one-time: change it at first sign-in)\n", boot.Admin.Email, boot.AdminPassword)
		fmt.Fprintf(w, "  Self Client:   client_id %s\n                 client_secret %s   (shown only now)\n", boot.SelfClient.ClientID, boot.ClientSecret)
	}
	self := e.selfCommand()
	switch {
	case demo != nil:
		if demo.Seeded && boot == nil {
			fmt.Fprintf(w, "\nAdded the demo (profiles Sales and Support, roles Sales Rep and Support Agent, their users) to org %q.\n", org.CompanyName)
		}
		fmt.Fprintf(w, "\nDemo org: %d users. Admin tokens (scopes %s):\n", demo.Users, demo.Tokens.Scopes)
		fmt.Fprintf(w, "  access_token:  %s\n  refresh_token: %s\n", demo.Tokens.AccessToken, demo.Tokens.RefreshToken)
		fmt.Fprintf(w, "\nTry:\n  curl -H \"Authorization: Zoho-oauthtoken %s\" %s/crm/v8/users\n", demo.Tokens.AccessToken, url)
	case boot != nil || f.inMemory:
		// A fresh org's admin has no other quick way to a first token, and
		// an in-memory database is out of the CLI's reach.
		admin, err := stack.Service.User(e.ctx, org.ID, org.PrimaryUserID)
		if err != nil {
			return err
		}
		a := crmguard.Actor{OrgID: org.ID, UserID: admin.ID, Source: crmguard.SourceSystem}
		t, err := stack.Service.IssueTokens(e.ctx, a, admin.ID, firstScopes, false)
		if err != nil {
			return fmt.Errorf("first admin token: %w", err)
		}
		if stack.Emulator != nil {
			// A reset returns to the state the server became ready with;
			// the token printed here belongs in it.
			if err := stack.Emulator.MarkInitial(e.ctx); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "\nAdmin token for %s (scopes %s; valid %ds):\n", admin.Email, t.Scopes, t.ExpiresIn)
		fmt.Fprintf(w, "  access_token:  %s\n", t.AccessToken)
		fmt.Fprintf(w, "\nTry:\n  curl -H \"Authorization: Zoho-oauthtoken %s\" %s/crm/v8/org\n", t.AccessToken, url)
		if !f.inMemory {
			fmt.Fprintf(w, "More tokens (in another terminal, in this directory):\n  %s token issue%s --scopes %s\n%s", self, e.dbFlag(), firstScopes, e.dbNote())
		}
	default:
		fmt.Fprintf(w, "\nGet a token and call the API (in another terminal, in this directory):\n")
		fmt.Fprintf(w, "  TOKEN=$(%s token issue%s --scopes %s | awk '/^access_token:/ {print $2}')\n", self, e.dbFlag(), firstScopes)
		fmt.Fprintf(w, "  curl -H \"Authorization: Zoho-oauthtoken $TOKEN\" %s/crm/v8/org\n", url)
		fmt.Fprint(w, e.dbNote())
	}
	if stack.Seeded != nil {
		printSeeded(w, f.seedFile, stack.Seeded)
	}
	if stack.Emulator != nil {
		fmt.Fprintf(w, "\nEmulator control API: %s%s (header %s)\n", url, emulator.Prefix, emulator.KeyHeader)
		fmt.Fprintf(w, "  key:           %s\n", stack.Emulator.Key())
		fmt.Fprintf(w, "  reset:         curl -X POST -H \"%s: %s\" %s%sreset\n", emulator.KeyHeader, stack.Emulator.Key(), url, emulator.Prefix)
	}
	fmt.Fprintln(w)
	return nil
}

// selfCommand is how to run this binary again from the working directory.
func (e *env) selfCommand() string {
	cwd, _ := os.Getwd()
	return selfCommand(os.Args[0], cwd)
}

// selfCommand is how to run the binary started as arg0 from cwd. 'go run'
// builds into a go-build directory (a temporary one, or the build cache),
// which is gone or unguessable later, so that case prints the go run
// command itself; a bare name was found on the PATH and runs as it is; any
// other path runs from cwd as given.
func selfCommand(arg0, cwd string) string {
	if !isGoBuild(arg0) {
		return shellQuote(arg0)
	}
	for dir := cwd; ; dir = filepath.Dir(dir) {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if !strings.Contains(string(b), "module github.com/crmguard/crmguard\n") {
				break
			}
			rel, err := filepath.Rel(cwd, filepath.Join(dir, "cmd", "crmguard"))
			if err != nil {
				break
			}
			if rel != "." && !strings.HasPrefix(rel, "..") {
				rel = "./" + rel
			}
			return "go run " + shellQuote(filepath.ToSlash(rel))
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "go run github.com/crmguard/crmguard/cmd/crmguard@latest"
}

// isGoBuild says whether path lies in a directory that 'go run' or 'go
// test' builds into.
func isGoBuild(path string) bool {
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		if strings.HasPrefix(part, "go-build") {
			return true
		}
	}
	return false
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
