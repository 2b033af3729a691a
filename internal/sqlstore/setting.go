package sqlstore

import (
	"context"

	"github.com/crmguard/crmguard"
)

// SettingPublicURL is the base URL the server last started with ('serve'
// records it at start), the CLI's default for api_domain and links.
const SettingPublicURL = "public_url"

// Setting returns the value of an installation setting, or
// crmguard.ErrNotFound when none was recorded.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.r().QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	return v, mapErr(err)
}

// SetSetting records an installation setting, replacing its value.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	return s.InTx(ctx, func(tx crmguard.Store) error {
		_, err := tx.(*Store).exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		return err
	})
}
