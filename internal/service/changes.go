package service

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/crmguard/crmguard"
)

// Change is what one committed change touched, as far as the caches of
// derived data need to know. All is the safe answer: anything may have
// changed. Otherwise Users names the users whose stored rows changed
// (added, updated, deleted, their status or password), and Tokens the
// users some of whose tokens were revoked; nothing else changed that a
// cache keeps (a minted token or code, an opened or ended browser session).
type Change struct {
	Seq   uint64 // the change sequence this change moved to (Service.Seq)
	Epoch uint64 // the epoch after it (Service.Epoch)
	All   bool
	Users []crmguard.ID
	// Renamed are the users of Users whose name may have changed: other
	// users' JSON shows it (as creator, modifier or manager). A change of
	// a user's other fields leaves the users who show that user alone.
	Renamed []crmguard.ID
	// Tokens are users whose tokens (some or all) were revoked.
	Tokens []crmguard.ID
	// Active: the number of the org's active users may have changed (a
	// user added, deleted, activated or deactivated), and with it the
	// edition's limits every principal of the org carries.
	Active bool
}

// names reports whether c names user, in Users or in Tokens.
func (c *Change) names(user crmguard.ID) bool {
	return slices.Contains(c.Users, user) || slices.Contains(c.Tokens, user)
}

// shows reports whether c touches what a cached value shows: the row of
// self, or the name of one of names.
func (c *Change) shows(self crmguard.ID, names []crmguard.ID) bool {
	if self != 0 && slices.Contains(c.Users, self) {
		return true
	}
	for _, id := range names {
		if id != 0 && slices.Contains(c.Renamed, id) {
			return true
		}
	}
	return false
}

// maxTargets is the most users one change names; a change touching more
// is an All change.
const maxTargets = 256

// audited is what a write's audit event says, kept to learn what the
// write touched.
type audited struct {
	action, targetType string
	target             crmguard.ID
	before, after      json.RawMessage // of token events only
	seq                int64
}

// recorder is the transaction a write's fn works in: the store's, passing
// through, with the audit events it appends noted down. Every write of the
// service audits what it does (service.audit), so the events say what it
// touched; nested transactions record into the same list.
type recorder struct {
	crmguard.Store
	events *[]audited
}

func (r *recorder) AppendAudit(ctx context.Context, e *crmguard.AuditEvent) error {
	err := r.Store.AppendAudit(ctx, e)
	a := audited{action: e.Action, targetType: e.TargetType, target: e.TargetID, seq: e.Seq}
	if e.TargetType != "user" || e.Action == "token.revoke_all" || e.Action == "user.update" {
		a.before, a.after = e.Before, e.After
	}
	// Noted even when it failed: the write then fails, and nothing is
	// published at all.
	*r.events = append(*r.events, a)
	return err
}

func (r *recorder) InTx(ctx context.Context, fn func(tx crmguard.Store) error) error {
	return r.Store.InTx(ctx, func(tx crmguard.Store) error {
		return fn(&recorder{Store: tx, events: r.events})
	})
}

// classify says what a committed write touched, from its audit events. It
// names users only where it knows an action to touch no more than the
// rows it names: any other action (profiles, roles, the org, IP rules,
// clients, fields, territories, groups, seeding, transfers, one it does not
// know), a write that audited nothing, or one naming more than maxTargets
// users, is All.
func classify(events []audited) Change {
	var c Change
	if len(events) == 0 {
		return Change{All: true}
	}
	for _, e := range events {
		switch {
		case e.targetType == "user" && e.action == "token.revoke_all":
			c.Tokens = append(c.Tokens, e.target)
		case e.targetType == "user" && userActions[e.action]:
			c.Users = append(c.Users, e.target)
			update := e.action == "user.update"
			if !update || !sameFields(e.before, e.after, "first_name", "last_name") {
				c.Renamed = append(c.Renamed, e.target)
			}
			if activeActions[e.action] || update && !sameFields(e.before, e.after, "status") {
				c.Active = true
			}
		case e.targetType == "user" && (e.action == "session.login" || e.action == "session.logout"):
			// Browser sessions: no cache keeps them.
		case e.action == "token.issue" || e.action == "grant.create":
			// A new token or code: no cache holds it yet, and no other row
			// changes (an evicted older token is a token.evict of its own).
		case e.action == "token.revoke" || e.action == "token.evict":
			user := tokenUser(e)
			if user == 0 {
				return Change{All: true}
			}
			c.Tokens = append(c.Tokens, user)
		default:
			return Change{All: true}
		}
	}
	if len(c.Users)+len(c.Tokens) > maxTargets {
		return Change{All: true}
	}
	return c
}

// userActions are the actions on a user that change that user's row and
// nothing else a cache keeps (DeleteUser's revoked tokens are the deleted
// user's, whose principals go with the user's row).
var userActions = map[string]bool{
	"user.add": true, "user.update": true, "user.activate": true, "user.deactivate": true,
	"user.delete": true, "user.password": true, "user.invite": true, "user.password_reset": true,
	"user.confirm": true,
}

// activeActions are the user actions that change how many users of the
// org are active (a user.update may too: see classify).
var activeActions = map[string]bool{"user.add": true, "user.activate": true, "user.deactivate": true, "user.delete": true}

// sameFields reports whether a user.update event's before and after
// (userAudit) carry the same values under keys; false when either is
// missing or unreadable.
func sameFields(before, after json.RawMessage, keys ...string) bool {
	var b, a map[string]json.RawMessage
	if before == nil || after == nil || json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil {
		return false
	}
	for _, k := range keys {
		if !bytes.Equal(b[k], a[k]) {
			return false
		}
	}
	return true
}

// tokenUser is the user whose token a token event revoked, from the
// event's user_id (tokenAudit, revokeReplayed); 0 if it has none.
func tokenUser(e audited) crmguard.ID {
	for _, raw := range []json.RawMessage{e.after, e.before} {
		var v struct {
			UserID crmguard.ID `json:"user_id"`
		}
		if raw != nil && json.Unmarshal(raw, &v) == nil && v.UserID != 0 {
			return v.UserID
		}
	}
	return 0
}
