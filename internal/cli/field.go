package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func fieldCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "field", Short: "List the Users module's fields and add custom fields",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	c.AddCommand(fieldListCmd(e), fieldAddCmd(e))
	return c
}

func fieldListCmd(e *env) *cobra.Command {
	return listCmd(e, "List the Users module's system and custom fields", func(s *session) (*listing, error) {
		fs, err := s.svc.Fields(s.ctx, s.org.ID)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "fields", header: []string{"API_NAME", "LABEL", "TYPE", "LENGTH", "CUSTOM"}}
		for _, f := range fs {
			length := ""
			if f.Length > 0 {
				length = strconv.Itoa(f.Length)
			}
			item := map[string]any{"id": f.ID, "api_name": f.APIName, "field_label": f.Label, "data_type": f.Type,
				"length": f.Length, "custom_field": f.Custom, "read_only": f.ReadOnly}
			if f.PickList != nil {
				item["pick_list_values"] = f.PickList
			}
			if f.Type == "currency" {
				item["decimal_place"] = f.Decimals
			}
			l.add(item, f.APIName, f.Label, f.Type, length, yesNo(f.Custom))
		}
		return l, nil
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fieldAddCmd(e *env) *cobra.Command {
	var nf service.NewField
	var values string
	var asJSON bool
	c := &cobra.Command{
		Use:   "add --label LABEL --type TYPE [--length N] [--decimals N] [--values A,B,C]",
		Short: "Add a custom field to the Users module",
		Long: `Add a custom field to the Users module. Its API name comes from the label
("Employee Number" becomes Employee_Number) and is printed. Types:
single-line (max 255), multi-line (max 32000), number (max 9 digits),
currency (max 16 digits, --decimals, default 2), url, email, date (YYYY-MM-DD),
checkbox, picklist (--values, comma-separated). The field appears in
GET /crm/{v}/settings/fields?module=users and in every user of the API, and
POST/PUT /users validate it.`,
		Example: `  crmguard field add --label "Employee Number" --type number
  crmguard field add --label "Team" --type picklist --values "North,South,East,West"
  crmguard field add --label "Badge Budget" --type currency --decimals 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nf.Label == "" || nf.Type == "" {
				return usagef("--label and --type are required")
			}
			if values != "" {
				nf.PickList = strings.Split(values, ",")
			}
			return e.with(service.Config{}, func(s *session) error {
				f, err := s.svc.AddField(s.ctx, s.actor, nf)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(e.stdout, map[string]any{"id": f.ID, "api_name": f.APIName, "field_label": f.Label,
						"data_type": f.Type, "length": f.Length, "decimal_place": f.Decimals, "pick_list_values": f.PickList})
				}
				fmt.Fprintf(e.stdout, "added %s field %q with API name %s\n", f.Type, f.Label, f.APIName)
				return nil
			})
		},
	}
	c.Flags().StringVar(&nf.Label, "label", "", "the field's label (1 to 50 characters)")
	c.Flags().StringVar(&nf.Type, "type", "", "single-line, multi-line, number, currency, url, email, date, checkbox or picklist")
	c.Flags().IntVar(&nf.Length, "length", 0, "maximum length (digits for number and currency); 0 for the type's default")
	c.Flags().IntVar(&nf.Decimals, "decimals", 0, "currency: decimal places (default 2)")
	c.Flags().StringVar(&values, "values", "", "picklist: the values, comma-separated")
	c.Flags().BoolVar(&asJSON, "json", false, "print the field as JSON")
	return c
}
