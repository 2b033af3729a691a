package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/spf13/cobra"
)

// emuClient talks to a running server's emulator control API over HTTP,
// so the CLI drives a server started anywhere (a container, a CI service)
// exactly as a test in another language would.
type emuClient struct {
	e      *env
	url    string
	key    string
	asJSON bool
}

func emulatorCmd(e *env) *cobra.Command {
	ec := &emuClient{e: e}
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Control a running server's emulator API (reset, snapshots, export/import, clock, faults, journal)",
		Long: `Control a server started with 'crmguard serve --emulator' over HTTP: reset it
to the state it started with, save and restore named snapshots, export and import
the whole state, freeze, set or advance its clock, make matching requests fail
(faults), and read the journal of the latest requests and why each was allowed
or denied.

The key is the one the server printed at start (or was given with
--emulator-key); pass it with --key or CRMGUARD_EMULATOR_KEY.

Exit codes: 0 done, 1 the server refused or could not be reached, 2 bad usage.`,
		Example: `  export CRMGUARD_EMULATOR_KEY=secret
  crmguard emulator reset
  crmguard emulator snapshot save before-test
  crmguard emulator snapshot restore before-test
  crmguard emulator export state.json
  crmguard emulator clock --advance 61m
  crmguard emulator --url http://127.0.0.1:9000 snapshot list --json`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&ec.url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	pf.StringVar(&ec.key, "key", "", "the emulator key (default $CRMGUARD_EMULATOR_KEY)")
	pf.BoolVar(&ec.asJSON, "json", false, "print the server's JSON answer instead of text")
	c.AddCommand(ec.resetCmd(), ec.snapshotCmd(), ec.exportCmd(), ec.importCmd(), ec.clockCmd(), ec.faultsCmd(), ec.journalCmd(), ec.seedCmd())
	return c
}

// call sends one control request. A non-2xx answer becomes an error that
// quotes the server's Zoho-style code and message; out, when not nil,
// receives the decoded body, and the raw body is returned either way.
func (ec *emuClient) call(method, path string, body io.Reader, out any) ([]byte, error) {
	key := ec.key
	if key == "" {
		key = ec.e.getenv("CRMGUARD_EMULATOR_KEY")
	}
	if key == "" {
		return nil, usagef("no emulator key: pass --key or set CRMGUARD_EMULATOR_KEY (the server prints it at start)")
	}
	if !strings.HasPrefix(ec.url, "http://") && !strings.HasPrefix(ec.url, "https://") {
		return nil, usagef("--url %q: must start with http:// or https://", ec.url)
	}
	u := strings.TrimRight(ec.url, "/") + strings.TrimSuffix(emulator.Prefix, "/") + path
	req, err := http.NewRequestWithContext(ec.e.ctx, method, u, body)
	if err != nil {
		return nil, usagef("--url %q: %v", ec.url, err)
	}
	req.Header.Set(emulator.KeyHeader, key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator at %s: %w", ec.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("emulator at %s: %w", ec.url, err)
	}
	if resp.StatusCode/100 != 2 {
		var env struct{ Code, Message string }
		if json.Unmarshal(b, &env) == nil && env.Code != "" {
			if env.Code == "INVALID_URL_PATTERN" {
				return nil, fmt.Errorf("%s %s: %d: the server has no emulator API (start it with --emulator)", method, path, resp.StatusCode)
			}
			return nil, fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, env.Code, env.Message)
		}
		return nil, fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
		}
	}
	return b, nil
}

// done prints an action's answer: the JSON with --json, else text.
func (ec *emuClient) done(raw []byte, text string) error {
	if ec.asJSON {
		_, err := fmt.Fprintf(ec.e.stdout, "%s\n", raw)
		return err
	}
	_, err := fmt.Fprintln(ec.e.stdout, text)
	return err
}

// action is the success envelope of a control action.
type action struct {
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func (ec *emuClient) resetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Put back the state the server had when it became ready, and its clock",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var a action
			raw, err := ec.call("POST", "/reset", nil, &a)
			if err != nil {
				return err
			}
			return ec.done(raw, fmt.Sprintf("state reset in %v ms", a.Details["took_ms"]))
		},
	}
}

func (ec *emuClient) snapshotCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "snapshot",
		Short: "Save, restore, list and delete named snapshots (kept in the server's memory)",
	}
	named := func(use, short, method, suffix, done string) *cobra.Command {
		return &cobra.Command{
			Use: use + " NAME", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				raw, err := ec.call(method, "/snapshots/"+args[0]+suffix, nil, nil)
				if err != nil {
					return err
				}
				return ec.done(raw, fmt.Sprintf("snapshot %q %s", args[0], done))
			},
		}
	}
	list := &cobra.Command{
		Use: "list", Short: "List the saved snapshots", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var l struct {
				Snapshots []emulator.SnapshotInfo `json:"snapshots"`
			}
			raw, err := ec.call("GET", "/snapshots", nil, &l)
			if err != nil {
				return err
			}
			if ec.asJSON {
				return ec.done(raw, "")
			}
			rows := make([][]string, 0, len(l.Snapshots))
			for _, s := range l.Snapshots {
				rows = append(rows, []string{s.Name, s.CreatedAt, strconv.Itoa(s.Rows)})
			}
			return printTable(ec.e.stdout, []string{"NAME", "CREATED", "ROWS"}, rows)
		},
	}
	c.AddCommand(named("save", "Save the whole state under NAME (replacing a snapshot of that name)", "POST", "", "saved"),
		named("restore", "Put back the state saved under NAME", "POST", "/restore", "restored"),
		named("delete", "Forget the snapshot NAME", "DELETE", "", "deleted"), list)
	return c
}

func (ec *emuClient) exportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export [FILE]",
		Short: "Write the whole state as JSON to FILE (default: standard output)",
		Long: `Write the whole state as one JSON document: every table's rows and the schema
version. 'crmguard emulator import FILE' and 'crmguard serve --import FILE' read it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := ec.call("GET", "/export", nil, nil)
			if err != nil {
				return err
			}
			if len(args) == 0 || args[0] == "-" {
				_, err := fmt.Fprintf(ec.e.stdout, "%s\n", raw)
				return err
			}
			return writeFileAtomic(args[0], append(raw, '\n'))
		},
	}
}

func (ec *emuClient) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Replace the whole state with an export (FILE, or - for standard input)",
		Long: `Replace the whole state with an exported document. A document the server
cannot apply (another format or schema version, a bad row) is refused with the
reason and changes nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readFileArg(args[0], ec.e.stdin, emulator.MaxImport)
			if err != nil {
				return usagef("import: %v", err)
			}
			raw, err := ec.call("POST", "/import", bytes.NewReader(b), nil)
			if err != nil {
				return err
			}
			return ec.done(raw, "state imported from "+args[0])
		},
	}
}

func (ec *emuClient) clockCmd() *cobra.Command {
	var (
		freeze, resume bool
		set            string
		advance        time.Duration
	)
	c := &cobra.Command{
		Use:   "clock",
		Short: "Show the server's clock, or freeze, set, advance or resume it",
		Long: `Without flags, show the server's clock. With one flag, change it: everything
that reads time (token and code expiry, credit windows, If-Modified-Since, audit
times) follows it.`,
		Example: `  crmguard emulator clock
  crmguard emulator clock --freeze
  crmguard emulator clock --set 2030-01-02T15:04:05Z
  crmguard emulator clock --advance 61m
  crmguard emulator clock --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl := cmd.Flags()
			var body map[string]any
			n := 0
			for _, name := range []string{"freeze", "set", "advance", "resume"} {
				if fl.Changed(name) {
					n++
				}
			}
			switch {
			case n > 1:
				return usagef("give at most one of --freeze, --set, --advance, --resume")
			case fl.Changed("freeze") && freeze:
				body = map[string]any{"freeze": true}
			case fl.Changed("resume") && resume:
				body = map[string]any{"resume": true}
			case fl.Changed("set"):
				t, err := time.Parse(time.RFC3339Nano, set)
				if err != nil {
					return usagef("--set %q: want an RFC 3339 time such as 2030-01-02T15:04:05Z", set)
				}
				body = map[string]any{"set": t.Format(time.RFC3339Nano)}
			case fl.Changed("advance"):
				body = map[string]any{"advance": advance.String()}
			case n == 1:
				return usagef("--freeze and --resume take no value other than true")
			}
			method, rd := "GET", io.Reader(nil)
			if body != nil {
				b, _ := json.Marshal(body)
				method, rd = "POST", bytes.NewReader(b)
			}
			var view struct {
				Now           string  `json:"now"`
				Frozen        bool    `json:"frozen"`
				OffsetSeconds float64 `json:"offset_seconds"`
			}
			raw, err := ec.call(method, "/clock", rd, &view)
			if err != nil {
				return err
			}
			state := "running"
			if view.Frozen {
				state = "frozen"
			}
			off := time.Duration(view.OffsetSeconds * float64(time.Second)).Round(time.Second)
			return ec.done(raw, fmt.Sprintf("%s (%s, %v from real time)", view.Now, state, off))
		},
	}
	fl := c.Flags()
	fl.BoolVar(&freeze, "freeze", false, "stop the clock where it is")
	fl.StringVar(&set, "set", "", "move the clock to this RFC 3339 time")
	fl.DurationVar(&advance, "advance", 0, "move the clock by this duration (e.g. 61m, 24h; negative goes back)")
	fl.BoolVar(&resume, "resume", false, "let a frozen clock run again")
	return c
}

// writeFileAtomic writes b to path through a temporary file beside it.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
