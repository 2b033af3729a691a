package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/sqlstore"
)

// BenchmarkUpdateUserTx is the store's part of a PUT of one user: in one
// transaction, read the actor and its profile, the org and the user, write
// the user and append the audit event; on a SQLite file with each
// synchronous setting.
//
//	go test -run '^$' -bench UpdateUserTx -benchtime 2000x ./internal/sqlstore/
func BenchmarkUpdateUserTx(b *testing.B) {
	for _, mode := range []string{sqlstore.SyncFull, sqlstore.SyncNormal} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			s, err := sqlstore.OpenSQLite(ctx, filepath.Join(b.TempDir(), "b.db"), sqlstore.WithSync(mode))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ids := crmguard.NewIDGen(nil)
			now := time.Now().UTC().Truncate(time.Millisecond)
			org := &crmguard.Org{ID: ids.New(), CompanyName: "Acme", TimeZone: "UTC", Edition: "enterprise", LicenseUsers: 100, CreatedTime: now, ModifiedTime: now}
			prof := &crmguard.Profile{ID: ids.New(), OrgID: org.ID, Name: "Administrator", DisplayLabel: "Administrator",
				Type: crmguard.ProfileNormal, Permissions: crmguard.AllPermissions(), CreatedTime: now, ModifiedTime: now}
			role := &crmguard.Role{ID: ids.New(), OrgID: org.ID, Name: "CEO", DisplayLabel: "CEO", CreatedTime: now, ModifiedTime: now}
			var users []*crmguard.User
			for i := 0; i < 100; i++ {
				users = append(users, &crmguard.User{ID: ids.New(), OrgID: org.ID, Email: fmt.Sprintf("u%d@example.com", i), LastName: "U",
					RoleID: role.ID, ProfileID: prof.ID, Status: crmguard.UserActive, CreatedTime: now, ModifiedTime: now})
			}
			if err := s.InTx(ctx, func(tx crmguard.Store) error {
				if err := tx.CreateOrg(ctx, org); err != nil {
					return err
				}
				if err := tx.CreateProfile(ctx, prof); err != nil {
					return err
				}
				if err := tx.CreateRole(ctx, role); err != nil {
					return err
				}
				return tx.CreateUsers(ctx, users)
			}); err != nil {
				b.Fatal(err)
			}
			actor := users[0]
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := s.InTx(ctx, func(tx crmguard.Store) error {
					if _, err := tx.GetUser(ctx, org.ID, actor.ID); err != nil {
						return err
					}
					if _, err := tx.GetProfile(ctx, org.ID, prof.ID); err != nil {
						return err
					}
					if _, err := tx.GetOrg(ctx, org.ID); err != nil {
						return err
					}
					u, err := tx.GetUser(ctx, org.ID, users[i%len(users)].ID)
					if err != nil {
						return err
					}
					u.LastName = fmt.Sprintf("U%d", i)
					if err := tx.UpdateUser(ctx, u); err != nil {
						return err
					}
					return tx.AppendAudit(ctx, &crmguard.AuditEvent{OrgID: org.ID, Time: now, ActorID: actor.ID, Source: crmguard.SourceAPI,
						Action: "user.update", TargetType: "user", TargetID: u.ID, After: []byte(`{"last_name":"U"}`)})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
