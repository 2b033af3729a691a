package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printTable writes rows under a header, aligned in columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

// listing is what a list command prints: JSON items under key, or a table.
type listing struct {
	key    string
	header []string
	items  []map[string]any
	rows   [][]string
}

func (l *listing) add(item map[string]any, row ...string) {
	l.items = append(l.items, item)
	l.rows = append(l.rows, row)
}

// listCmd makes a list command with --json over fetch.
func listCmd(e *env, short string, fetch func(s *session) (*listing, error)) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.with(service.Config{}, func(s *session) error {
				l, err := fetch(s)
				if err != nil {
					return err
				}
				if asJSON {
					if l.items == nil {
						l.items = []map[string]any{}
					}
					return printJSON(e.stdout, map[string]any{l.key: l.items})
				}
				return printTable(e.stdout, l.header, l.rows)
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return c
}
