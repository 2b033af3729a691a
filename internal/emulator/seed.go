package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/seedfile"
	"github.com/crmguard/crmguard/internal/service"
)

// registerSeed serves POST /__emulator/seed: the body is a seed file (YAML
// or JSON), applied to the org in one transaction, or only checked with
// ?dry_run=true. The answer carries what changed and the seeded tokens'
// values; a bad file is a 400 whose details list each problem with its
// line and column.
func (e *Emulator) registerSeed(mux *http.ServeMux) {
	e.handle(mux, "POST "+Prefix+"seed", func(w http.ResponseWriter, r *http.Request) error {
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, seedfile.MaxSize))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return crmguard.NewError(crmguard.CodeInvalidData, fmt.Sprintf("the seed file is larger than %d MiB", seedfile.MaxSize>>20), nil)
			}
			return err
		}
		res, err := e.ApplySeed(r.Context(), data, r.URL.Query().Get("dry_run") == "true")
		if err != nil {
			return err
		}
		msg := "seed file applied"
		if res.DryRun {
			msg = "seed file checked; nothing changed"
		}
		return success(w, msg, crmguard.Details{"result": res})
	})
}

// ApplySeed parses and applies a seed file as the org's primary contact.
// A problem of the file comes back as an INVALID_DATA crmguard.Error whose
// details hold every problem's line, column and message.
func (e *Emulator) ApplySeed(ctx context.Context, data []byte, dryRun bool) (*service.SeedResult, error) {
	doc, err := seedfile.Parse(data)
	if err != nil {
		return nil, seedError(err)
	}
	org, err := e.svc.DefaultOrg(ctx)
	if err != nil {
		return nil, err
	}
	a := crmguard.Actor{OrgID: org.ID, UserID: org.PrimaryUserID, Source: crmguard.SourceSystem}
	res, err := e.svc.ApplySeed(ctx, a, doc, service.SeedOptions{DryRun: dryRun})
	if err != nil {
		return nil, seedError(err)
	}
	return res, nil
}

// seedError puts a seed file's problems in Zoho's error shape; any other
// error passes through to be answered as an internal one.
func seedError(err error) error {
	var list seedfile.Errors
	var one *seedfile.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = seedfile.Errors{one}
	default:
		return err
	}
	problems := make([]map[string]any, len(list))
	for i, p := range list {
		problems[i] = map[string]any{"line": p.Pos.Line, "column": p.Pos.Column, "message": p.Msg}
	}
	return crmguard.NewError(crmguard.CodeInvalidData, "the seed file is refused:\n"+list.Error(), crmguard.Details{"errors": problems})
}
