// Package cli is crmguard's command line: every subcommand, and the only
// place that wires the store, service, transports and server together.
// Each command accepts --help; flags also read CRMGUARD_* environment
// variables (--data-dir from CRMGUARD_DATA_DIR, and so on).
package cli
