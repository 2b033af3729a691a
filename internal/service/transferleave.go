package service

import (
	"context"
	"errors"
	"time"

	"github.com/crmguard/crmguard"
)

// leaveTerritories takes a deleted user out of every territory. Zoho's
// transfer-and-delete pages (v5 to v8, transfer_records-delete_user.html)
// say nothing of territories, and its territory pages refuse to remove a
// territory's manager from it (remove-territories-from-user.html:
// "A territory cannot be removed from its assigned manager"), so a
// territory is never left managed by a deleted user: the manager role
// passes to the transfer user, who joins the territory if not yet a
// member. It returns what changed, for the user.delete audit event.
func (s *Service) leaveTerritories(ctx context.Context, tx crmguard.Store, a crmguard.Actor, u, to *crmguard.User, now time.Time) (map[string]any, error) {
	all, err := tx.ListTerritories(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	managed := []crmguard.ID{}
	for _, t := range all {
		if t.Manager != u.ID {
			continue
		}
		t.Manager, t.ModifiedBy, t.ModifiedTime = to.ID, a.UserID, now
		if err := tx.UpdateTerritory(ctx, t); err != nil {
			return nil, err
		}
		// The new manager belongs to the territory, as the old one did.
		if err := tx.AddTerritoryUser(ctx, a.OrgID, t.ID, to.ID); err != nil && !errors.Is(err, crmguard.ErrConflict) {
			return nil, err
		}
		managed = append(managed, t.ID)
	}
	mine, err := tx.ListUserTerritories(ctx, a.OrgID, u.ID)
	if err != nil {
		return nil, err
	}
	removed := []crmguard.ID{}
	for _, t := range mine {
		if err := tx.RemoveTerritoryUser(ctx, a.OrgID, t.ID, u.ID); err != nil {
			return nil, err
		}
		removed = append(removed, t.ID)
	}
	return map[string]any{"removed_from": removed, "manager_to": to.ID, "managed": managed}, nil
}

// leaveGroups removes a deleted user as a user source from every user
// group. Zoho's pages say nothing of a group whose only source was a
// deleted user; crmguard keeps such a group, with no sources, rather than
// delete what an administrator made: it lists no users, and an update
// that adds a source makes it whole again. Role sources are left as they
// are. It returns what changed, for the audit.
func (s *Service) leaveGroups(ctx context.Context, tx crmguard.Store, a crmguard.Actor, u *crmguard.User, now time.Time) (map[string]any, error) {
	groups, err := tx.ListUserGroups(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	removed, emptied := []crmguard.ID{}, []crmguard.ID{}
	for _, g := range groups {
		keep := make([]crmguard.GroupSource, 0, len(g.Sources))
		for _, src := range g.Sources {
			if src.Type != crmguard.GroupSourceUsers || src.ID != u.ID {
				keep = append(keep, src)
			}
		}
		if len(keep) == len(g.Sources) {
			continue
		}
		g.Sources, g.ModifiedBy, g.ModifiedTime = keep, a.UserID, now
		if err := tx.UpdateUserGroup(ctx, g); err != nil {
			return nil, err
		}
		removed = append(removed, g.ID)
		if len(keep) == 0 {
			emptied = append(emptied, g.ID)
		}
	}
	return map[string]any{"removed_from": removed, "left_without_sources": emptied}, nil
}
