package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func migrateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create the database or apply pending migrations, then exit",
		Long:  "Create the data directory's database if needed and apply pending schema migrations. 'serve' does the same on start.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(true)
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintf(e.stdout, "database in %s is up to date\n", e.dataDir)
			return nil
		},
	}
}
