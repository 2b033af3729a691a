package cli

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/spf13/cobra"
)

// The faults and journal actions of 'crmguard emulator'.

func (ec *emuClient) faultsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "faults",
		Short: "Make matching requests fail or wait: add, list and clear fault rules",
	}
	var (
		r     emulator.FaultRule
		delay time.Duration
	)
	add := &cobra.Command{
		Use:   "add ACTION",
		Short: "Add a rule: ACTION is error, status, throttle or delay",
		Long: `Add a fault rule. The next --count requests that match (all, with --count 0,
until cleared) are answered by the fault instead of the server:

  error     a Zoho error: --code (e.g. INVALID_TOKEN, NO_PERMISSION,
            INTERNAL_ERROR), answered with the code's real HTTP status and
            Zoho's body; --status, --message override
  status    a bare status such as a proxy's 502 (--status, default 503),
            optionally with --body
  throttle  429 TOO_MANY_REQUESTS with Retry-After (--retry-after seconds)
  delay     wait --delay, then let the request proceed

Match flags that are not given match everything. A request gets at most one
fault: the first rule, in the order added, that matches.`,
		Example: `  crmguard emulator faults add error --route "GET /crm/{version}/users" --code INVALID_TOKEN
  crmguard emulator faults add status --status 502 --path-prefix /crm/ --count 3
  crmguard emulator faults add throttle --user patricia.boyle@example.com --retry-after 30
  crmguard emulator faults add delay --delay 2s --method POST --count 0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.Action = args[0]
			r.DelayMS = int(delay / time.Millisecond)
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			var v emulator.FaultView
			raw, err := ec.call("POST", "/faults", bytes.NewReader(b), &v)
			if err != nil {
				return err
			}
			return ec.done(raw, "fault "+v.ID+" added: "+describeFault(v))
		},
	}
	f := add.Flags()
	f.StringVar(&r.Method, "method", "", "match the request method")
	f.StringVar(&r.Route, "route", "", `match the route pattern, e.g. "GET /crm/{version}/users"`)
	f.StringVar(&r.PathPrefix, "path-prefix", "", "match paths that start with this")
	f.StringVar(&r.User, "user", "", "match calls by this user (id or e-mail)")
	f.StringVar(&r.Client, "client", "", "match calls by this client id")
	f.StringVar(&r.Token, "token", "", "match calls with this access token")
	f.IntVar(&r.Count, "count", 1, "how many matching requests the rule takes (0: until cleared)")
	f.StringVar(&r.Code, "code", "", "error: the Zoho code")
	f.StringVar(&r.Message, "message", "", "error: the message (default: Zoho's for the code)")
	f.IntVar(&r.Status, "status", 0, "error: override the code's status; status: the status to answer")
	f.StringVar(&r.Body, "body", "", "status: the body to send")
	f.IntVar(&r.RetryAfter, "retry-after", 0, "throttle: the Retry-After seconds (default 60)")
	f.DurationVar(&delay, "delay", 0, "delay: how long to hold the request")

	list := &cobra.Command{
		Use: "list", Short: "List the rules in force, with what is left of their counts", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var l struct {
				Faults []emulator.FaultView `json:"faults"`
			}
			raw, err := ec.call("GET", "/faults", nil, &l)
			if err != nil || ec.asJSON {
				if err == nil {
					err = ec.done(raw, "")
				}
				return err
			}
			rows := make([][]string, 0, len(l.Faults))
			for _, v := range l.Faults {
				left := "until cleared"
				if v.Remaining != nil {
					left = strconv.Itoa(*v.Remaining)
				}
				rows = append(rows, []string{v.ID, matchText(v), describeFault(v), left, strconv.Itoa(v.Hits)})
			}
			return printTable(ec.e.stdout, []string{"ID", "MATCH", "ACTION", "LEFT", "HITS"}, rows)
		},
	}
	clearCmd := &cobra.Command{
		Use: "clear [ID]", Short: "Clear one rule, or every rule", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, text := "/faults", "every fault cleared"
			if len(args) == 1 {
				path, text = "/faults/"+url.PathEscape(args[0]), "fault "+args[0]+" cleared"
			}
			raw, err := ec.call("DELETE", path, nil, nil)
			if err != nil {
				return err
			}
			return ec.done(raw, text)
		},
	}
	c.AddCommand(add, list, clearCmd)
	return c
}

func describeFault(v emulator.FaultView) string {
	switch v.Action {
	case emulator.FaultError:
		s := "error " + v.Code
		if v.Status != 0 {
			s += " (" + strconv.Itoa(v.Status) + ")"
		}
		return s
	case emulator.FaultStatus:
		return "status " + strconv.Itoa(v.Status)
	case emulator.FaultThrottle:
		return "429, Retry-After " + strconv.Itoa(v.RetryAfter)
	case emulator.FaultDelay:
		return "delay " + (time.Duration(v.DelayMS) * time.Millisecond).String()
	}
	return v.Action
}

func matchText(v emulator.FaultView) string {
	var parts []string
	add := func(k, s string) {
		if s != "" {
			parts = append(parts, k+"="+s)
		}
	}
	add("method", v.Method)
	add("route", v.Route)
	add("path", v.PathPrefix)
	add("user", v.User)
	add("client", v.Client)
	add("token", v.TokenHash)
	if len(parts) == 0 {
		return "every request"
	}
	return strings.Join(parts, " ")
}

func (ec *emuClient) journalCmd() *cobra.Command {
	var (
		q     = map[string]*string{}
		limit int
		clear bool
	)
	c := &cobra.Command{
		Use:   "journal",
		Short: "Show the latest requests and why each was allowed or denied",
		Long: `Show the server's journal of the latest requests (oldest first): method,
path, status, Zoho code, the caller and the pipeline's decision, e.g.
"denied at scope: the route needs ZohoCRM.users.READ, the token has
ZohoCRM.org.READ". Filters combine; --json prints the server's JSON, the form
to keep as a test artifact.`,
		Example: `  crmguard emulator journal --status 4xx
  crmguard emulator journal --user patricia.boyle@example.com --limit 5
  crmguard emulator journal --decision scope --json > journal.json
  crmguard emulator journal --clear`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clear {
				raw, err := ec.call("DELETE", "/journal", nil, nil)
				if err != nil {
					return err
				}
				return ec.done(raw, "journal cleared")
			}
			v := url.Values{}
			for k, p := range q {
				if *p != "" {
					v.Set(k, *p)
				}
			}
			if limit > 0 {
				v.Set("limit", strconv.Itoa(limit))
			}
			var a struct {
				Entries []emulator.JournalEntry `json:"entries"`
			}
			raw, err := ec.call("GET", "/journal?"+v.Encode(), nil, &a)
			if err != nil || ec.asJSON {
				if err == nil {
					err = ec.done(raw, "")
				}
				return err
			}
			rows := make([][]string, 0, len(a.Entries))
			for _, en := range a.Entries {
				who := ""
				if en.Caller != nil {
					who = en.Caller.Email
				}
				why := en.Decision
				if en.Fault != "" {
					why = strings.TrimSpace(en.Fault + "; " + why)
				}
				rows = append(rows, []string{strconv.FormatUint(en.Seq, 10), en.Time.Format("15:04:05.000"), en.Method, en.Path,
					strconv.Itoa(en.Status), en.Code, who, why})
			}
			return printTable(ec.e.stdout, []string{"SEQ", "TIME", "METHOD", "PATH", "STATUS", "CODE", "USER", "DECISION"}, rows)
		},
	}
	f := c.Flags()
	for _, fl := range []struct{ name, usage string }{
		{"status", "a status (401) or class (4xx)"},
		{"code", "a Zoho code, e.g. OAUTH_SCOPE_MISMATCH"},
		{"route", `a route pattern, e.g. "GET /crm/{version}/users"`},
		{"method", "a request method"},
		{"user", "the caller's user id or e-mail"},
		{"client", "the caller's client id"},
		{"decision", "allowed, denied, or a step: token, status, ip, api_access, scope, limits, permission"},
		{"faulted", "true: only requests a fault answered or delayed; false: none of them"},
		{"since", "an entry's seq (entries after it) or an RFC 3339 time"},
	} {
		q[fl.name] = f.String(fl.name, "", fl.usage)
	}
	f.IntVar(&limit, "limit", 0, "only the newest N that match")
	f.BoolVar(&clear, "clear", false, "empty the journal instead of showing it")
	return c
}
