package console_test

import (
	"context"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
	"golang.org/x/crypto/bcrypt"
)

func serviceFilter(action string) crmguard.AuditFilter {
	return crmguard.AuditFilter{Action: action, Limit: 1}
}

func setPassword(env *testenv.Env, id crmguard.ID, password string) error {
	ctx := context.Background()
	u, err := env.Store.GetUser(ctx, env.Org.ID, id)
	if err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	u.PasswordHash = string(h)
	return env.Store.UpdateUser(ctx, u)
}
