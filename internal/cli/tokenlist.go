package cli

import (
	"time"

	"github.com/crmguard/crmguard"
	"github.com/spf13/cobra"
)

// tokenListCmd lists live tokens. Only their hashes are stored, so a token
// is shown by its ID, client, user, scopes and times, never its value; the
// ID is what the console's revoke button and the audit log name.
func tokenListCmd(e *env) *cobra.Command {
	var user string
	c := listCmd(e, "List live tokens: client, user, scopes, created, last use", func(s *session) (*listing, error) {
		var uid crmguard.ID
		if user != "" {
			u, err := s.svc.UserByEmail(s.ctx, s.org.ID, user)
			if err != nil {
				return nil, err
			}
			uid = u.ID
		}
		refresh, access, err := s.svc.ListTokens(s.ctx, s.org.ID, uid)
		if err != nil {
			return nil, err
		}
		emails := map[crmguard.ID]string{}
		email := func(id crmguard.ID) string {
			if m, ok := emails[id]; ok {
				return m
			}
			m := id.String()
			if u, err := s.svc.User(s.ctx, s.org.ID, id); err == nil {
				m = u.Email
			}
			emails[id] = m
			return m
		}
		l := &listing{key: "tokens", header: []string{"ID", "KIND", "CLIENT", "USER", "SCOPES", "CREATED", "LAST_USED", "EXPIRES"}}
		for _, t := range refresh {
			l.add(map[string]any{"id": t.ID, "kind": "refresh", "client_id": t.ClientID, "user_id": t.UserID, "user": email(t.UserID),
				"scopes": t.Scopes, "created_time": t.CreatedTime, "last_used": t.LastUsed},
				t.ID.String(), "refresh", t.ClientID, email(t.UserID), t.Scopes, stamp(t.CreatedTime), stampPtr(t.LastUsed), "never")
		}
		// An access token's use is not recorded (the per-request path does no
		// write); its refresh token's last use is when it was minted.
		for _, t := range access {
			l.add(map[string]any{"id": t.ID, "kind": "access", "client_id": t.ClientID, "user_id": t.UserID, "user": email(t.UserID),
				"scopes": t.Scopes, "created_time": t.CreatedTime, "expires_time": t.ExpiresAt, "refresh_id": idOrNil(t.RefreshID)},
				t.ID.String(), "access", t.ClientID, email(t.UserID), t.Scopes, stamp(t.CreatedTime), "-", stamp(t.ExpiresAt))
		}
		return l, nil
	})
	c.Long = `List the org's live tokens, refresh tokens first, each kind newest first (at
most 200 of each). Values are never shown: only hashes are stored. LAST_USED
is when a refresh token last minted an access token; an access token's use
is not recorded. Revoke one with 'crmguard token revoke' and its value, or
in the console.`
	c.Example = `  crmguard token list --user ana@example.com
  crmguard token list --json`
	c.Flags().StringVar(&user, "user", "", "only this user's tokens (e-mail)")
	return c
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func stampPtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return stamp(*t)
}

func idOrNil(id crmguard.ID) any {
	if id == 0 {
		return nil
	}
	return id
}
