package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsSayWhatIsWrong: a refused value names the flag, the value and
// the rule, not only Zoho's "INVALID_DATA: invalid data"; a role or profile
// name that matches none lists the names there are; a flag set from the
// environment names its variable; the root's errors name the program once;
// a mistyped subcommand suggests the nearest.
func TestErrorsSayWhatIsWrong(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	serve(t, dir)
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want []string
	}{
		{[]string{"user", "add", "--email", "not-an-email", "--last-name", "Lima", "--profile", "Standard", "--role", "Manager"}, nil, 1,
			[]string{`crmguard user add: --email "not-an-email": not a valid e-mail address (INVALID_DATA)`}},
		{[]string{"user", "add", "--email", "ana@example.com", "--last-name", strings.Repeat("x", 90), "--profile", "Standard", "--role", "Manager"}, nil, 1,
			[]string{`--last-name "xxx`, `": at most 50 characters`}},
		{[]string{"user", "add", "--email", "ana@example.com", "--last-name", "Lima", "--profile", "Standard", "--role", "Nobody"}, nil, 1,
			[]string{`--role "Nobody": no role has this name (roles: CEO, Manager)`}},
		{[]string{"user", "add", "--email", "ana@example.com", "--last-name", "Lima", "--profile", "Nobody", "--role", "Manager"}, nil, 1,
			[]string{`--profile "Nobody": no profile has this name (profiles: Administrator, Standard)`}},
		{[]string{"role", "add", "Lead", "--reports-to", "Nobody"}, nil, 1,
			[]string{`--reports-to "Nobody": no role has this name`}},
		{[]string{"role", "add", strings.Repeat("r", 60), "--reports-to", "CEO"}, nil, 1,
			[]string{`crmguard role add: NAME "rrr`, `at most 50 characters`}},
		{[]string{"profile", "set", "Standard", "--permission", "Crm_Implied_Exprt=on"}, nil, 1,
			[]string{`--permission "Crm_Implied_Exprt": no permission has this name; did you mean Crm_Implied_Export?`}},
		{[]string{"field", "add", "--label", "Shoe", "--type", "shoe"}, nil, 1,
			[]string{`--type "shoe": want one of single-line, multi-line, number`}},
		{[]string{"field", "add", "--label", "Team", "--type", "picklist"}, nil, 1,
			[]string{`--values: a pick list needs 1 to`}},
		{[]string{"serve"}, map[string]string{"CRMGUARD_ADDR": "127.0.0.1:0", "CRMGUARD_LOG_LEVEL": "loud"}, 2,
			[]string{`--log-level "loud" (from CRMGUARD_LOG_LEVEL): want debug, info, warn or error`}},
		{[]string{"usr"}, nil, 2, []string{"crmguard: unknown command \"usr\"", "Did you mean this?\n\tuser"}},
		{[]string{"user", "lst"}, nil, 2, []string{"crmguard user: unknown command \"lst\"", "Did you mean this?\n\tlist"}},
	}
	for _, c := range cases {
		getenv := func(k string) string { return c.env[k] }
		_, stderr, code := run(t, getenv, append(c.args, "--data-dir", dir)...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", c.args, code, c.code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q\nwant %q", c.args, stderr, w)
			}
		}
		if strings.Contains(stderr, "crmguard crmguard") || strings.Contains(stderr, "INVALID_DATA: invalid data") ||
			strings.Contains(stderr, "seems to be invalid") {
			t.Errorf("%v: stderr %q says too little", c.args, stderr)
		}
	}
}
