package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/crmguard/crmguard"
)

const fieldCols = `org_id, id, module, api_name, label, type, length, decimals, pick_list, custom, mandatory,
	read_only, created_by, created_at`

// CreateField adds a field; a duplicate API name or label is ErrConflict.
func (s *Store) CreateField(ctx context.Context, f *crmguard.Field) error {
	pl := f.PickList
	if pl == nil {
		pl = []string{}
	}
	pick, err := json.Marshal(pl)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, `INSERT INTO fields (`+fieldCols+`, api_name_key, label_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		f.OrgID, f.ID, f.Module, f.APIName, f.Label, f.Type, f.Length, f.Decimals, string(pick), b2i(f.Custom),
		b2i(f.Mandatory), b2i(f.ReadOnly), f.CreatedBy, ms(f.CreatedTime), strings.ToLower(f.APIName), strings.ToLower(f.Label))
	return err
}

// ListFields lists a module's fields, system fields first.
func (s *Store) ListFields(ctx context.Context, org crmguard.ID, module string) ([]*crmguard.Field, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+fieldCols+` FROM fields WHERE org_id = ? AND module = ? ORDER BY custom, id`, org, module)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (*crmguard.Field, error) {
		var f crmguard.Field
		var pick string
		var custom, mandatory, ro int
		var created int64
		if err := r.Scan(&f.OrgID, &f.ID, &f.Module, &f.APIName, &f.Label, &f.Type, &f.Length, &f.Decimals, &pick,
			&custom, &mandatory, &ro, &f.CreatedBy, &created); err != nil {
			return nil, mapErr(err)
		}
		f.Custom, f.Mandatory, f.ReadOnly, f.CreatedTime = custom != 0, mandatory != 0, ro != 0, fromMS(created)
		if err := json.Unmarshal([]byte(pick), &f.PickList); err != nil {
			return nil, err
		}
		if len(f.PickList) == 0 {
			f.PickList = nil
		}
		return &f, nil
	})
}
