package cli

import (
	"encoding/json"

	"github.com/crmguard/crmguard"
	"github.com/spf13/cobra"
)

func auditCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "Read the audit log",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	var f crmguard.AuditFilter
	var target string
	list := listCmd(e, "List audit events, newest first", func(s *session) (*listing, error) {
		if target != "" {
			id, ok := crmguard.ParseID(target)
			if !ok {
				return nil, usagef("--target %q is not an ID", target)
			}
			f.Target = id
		}
		if f.Before < 0 {
			return nil, usagef("--before %d is not a sequence number", f.Before)
		}
		evs, err := s.svc.Audit(s.ctx, s.actor, f)
		if err != nil {
			return nil, err
		}
		name, err := auditNames(s, evs)
		if err != nil {
			return nil, err
		}
		l := &listing{key: "audit", header: []string{"SEQ", "TIME", "SOURCE", "ACTOR", "ACTION", "TARGET", "CLIENT_IP"}}
		for _, ev := range evs {
			actor, target := name("user", ev.ActorID), name(ev.TargetType, ev.TargetID)
			if ev.ActorID == 0 {
				actor = "system"
			}
			l.add(map[string]any{"seq": ev.Seq, "time": ev.Time, "source": ev.Source, "actor_id": ev.ActorID, "actor": actor,
				"action": ev.Action, "target_type": ev.TargetType, "target_id": ev.TargetID, "target": target, "client_ip": ev.ClientIP,
				"before": rawOrNil(ev.Before), "after": rawOrNil(ev.After)},
				itoa64(ev.Seq), ev.Time.Format("2006-01-02T15:04:05Z"), ev.Source, actor, ev.Action,
				ev.TargetType+" "+target, ev.ClientIP)
		}
		return l, nil
	})
	list.Long = `List audit events, newest first: every change, with who made it, from where
(api, cli, console, system), and the values before and after (--json).
Secrets are never in it: an invitation says to whom and until when, not the
link. For a user added through the API, make a new link with
'crmguard user invite EMAIL'.

To page back through the log, pass the last SEQ shown as --before.`
	list.Example = `  crmguard audit list --action user. --limit 20
  crmguard audit list --action user.add --json
  crmguard audit list --action user. --before 1234
  crmguard user invite ana@example.com`
	list.Flags().StringVar(&f.Action, "action", "", `an action (user.add) or a prefix ending in a dot (user.)`)
	list.Flags().StringVar(&target, "target", "", "only events about this ID")
	list.Flags().IntVar(&f.Limit, "limit", 50, "at most this many events")
	list.Flags().Int64Var(&f.Before, "before", 0, "only events older than this SEQ (the last one a page showed)")
	c.AddCommand(list)
	return c
}

// auditNames returns how the table names an actor or a target: a user by
// e-mail, a profile or role by name, anything else (or what no longer
// exists) by its ID, which --target and the JSON still carry.
func auditNames(s *session, evs []*crmguard.AuditEvent) (func(typ string, id crmguard.ID) string, error) {
	var uids []crmguard.ID
	for _, ev := range evs {
		uids = append(uids, ev.ActorID)
		if ev.TargetType == "user" {
			uids = append(uids, ev.TargetID)
		}
	}
	names := map[string]map[crmguard.ID]string{"user": {}, "profile": {}, "role": {}}
	users, err := s.svc.UsersByID(s.ctx, s.org.ID, uids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		names["user"][u.ID] = u.Email
	}
	profiles, err := s.svc.ListProfiles(s.ctx, s.org.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		names["profile"][p.ID] = p.Name
	}
	roles, err := s.svc.ListRoles(s.ctx, s.org.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		names["role"][r.ID] = r.Name
	}
	return func(typ string, id crmguard.ID) string {
		if n, ok := names[typ][id]; ok && n != "" {
			return n
		}
		return id.String()
	}, nil
}

func rawOrNil(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return b
}

func itoa64(n int64) string { return crmguard.ID(n).String() }
