// Command crmguard is a self-hostable Zoho CRM Users/Profiles/Roles/Org API
// and Zoho Accounts OAuth server. See README.md.
//
// Imports: internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/crmguard/crmguard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(cli.ExitCode(err))
}
