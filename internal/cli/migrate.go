package cli

import (
	"fmt"

	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
)

func migrateCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "migrate",
		Short: "Create the database or apply pending migrations, then exit",
		Long: `Create the database (crmguard.db in --data-dir, or what --database names:
a SQLite file, or a PostgreSQL database) if needed and apply pending schema
migrations, then record what an org made by an older version lacks (the Users
module's system fields). 'serve' does the same on start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(true)
			if err != nil {
				return err
			}
			defer st.Close()
			// Data that SQL cannot derive (new records with generated IDs)
			// is brought up to date by the service, idempotently.
			if err := service.New(st, service.Config{}, nil).EnsureSystemFields(e.ctx); err != nil {
				return fmt.Errorf("upgrade data: %w", err)
			}
			if asJSON {
				out := map[string]any{"database": e.dbPath(), "up_to_date": true}
				if e.database == "" {
					out["data_dir"] = e.dataDir
				} else if e.postgres() {
					out["database"] = e.dbName()
				}
				return printJSON(e.stdout, out)
			}
			fmt.Fprintf(e.stdout, "%s is up to date\n", e.dbDesc())
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
