package cli

import (
	"bytes"
	"encoding/json"
	"github.com/crmguard/crmguard/internal/seedfile"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func (ec *emuClient) seedCmd() *cobra.Command {
	var dryRun bool
	c := &cobra.Command{
		Use:   "seed FILE",
		Short: "Apply a seed file (or - for standard input) to the running server",
		Long: `Send a seed file (YAML or JSON) to the running server, which applies it in one
transaction, or with --dry-run only checks it. A bad file is refused with each
problem's line and reason and changes nothing. The seeded tokens' values are
printed: they are derived from each token's seed on this server.`,
		Example: `  crmguard emulator seed docs/seed-example.yaml
  crmguard emulator seed --dry-run seed.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readFileArg(args[0], ec.e.stdin, seedfile.MaxSize)
			if err != nil {
				return usagef("seed: %v", err)
			}
			path := "/seed"
			if dryRun {
				path += "?dry_run=true"
			}
			var a struct {
				Details struct {
					Result json.RawMessage `json:"result"`
				} `json:"details"`
			}
			raw, err := ec.call("POST", path, bytes.NewReader(b), &a)
			if err != nil {
				return err
			}
			if ec.asJSON {
				return ec.done(raw, "")
			}
			var res service.SeedResult
			if err := json.Unmarshal(a.Details.Result, &res); err != nil {
				return err
			}
			if dryRun {
				return ec.done(raw, args[0]+" is good: "+seedSummary(&res))
			}
			printSeeded(ec.e.stdout, args[0], &res)
			return nil
		},
	}
	c.Flags().BoolVar(&dryRun, "dry-run", false, "only check the file against the server's org")
	return c
}
