package sqlstore

import (
	"context"
	"crypto/rand"
	"errors"

	"github.com/crmguard/crmguard"
)

// TokenKey returns the installation's token key, making it on first use.
// Two processes that start together (the server and a CLI command) both
// try the insert; the primary key lets one win, and both read its key.
func (s *Store) TokenKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.r().QueryRowContext(ctx, `SELECT key FROM token_key WHERE id = 1`).Scan(&key)
	if err = mapErr(err); err == nil {
		return key, nil
	} else if !errors.Is(err, crmguard.ErrNotFound) {
		return nil, err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx crmguard.Store) error {
		t := tx.(*Store)
		if _, err := t.exec(ctx, `INSERT INTO token_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, fresh); err != nil {
			return err
		}
		return mapErr(t.w().QueryRowContext(ctx, `SELECT key FROM token_key WHERE id = 1`).Scan(&key))
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}
