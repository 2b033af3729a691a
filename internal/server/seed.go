package server

import (
	"context"
	"fmt"
	"os"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
	"github.com/crmguard/crmguard/internal/service"
)

// applySeedFile reads, checks and applies a seed file at start, as the
// org's primary contact from the system: the file is the operator's, like
// the flags.
func applySeedFile(ctx context.Context, svc *service.Service, org *crmguard.Org, path string) (*service.SeedResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	doc, err := seedfile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("seed %s:\n%w", path, err)
	}
	a := crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceSystem}
	res, err := svc.ApplySeed(ctx, a, doc, service.SeedOptions{})
	if err != nil {
		return nil, fmt.Errorf("seed %s:\n%w", path, err)
	}
	return res, nil
}
