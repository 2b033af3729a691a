package access

import "github.com/crmguard/crmguard"

// RoleTree answers questions about an org's role hierarchy.
type RoleTree struct {
	parent map[crmguard.ID]crmguard.ID
}

// NewRoleTree indexes roles by their reporting line.
func NewRoleTree(roles []*crmguard.Role) RoleTree {
	t := RoleTree{parent: make(map[crmguard.ID]crmguard.ID, len(roles))}
	for _, r := range roles {
		t.parent[r.ID] = r.ReportingTo
	}
	return t
}

// Has reports whether the role is in the tree.
func (t RoleTree) Has(id crmguard.ID) bool {
	_, ok := t.parent[id]
	return ok
}

// Under reports whether role id is ancestor itself or reports to it,
// directly or through other roles. A broken chain (a loop in stored data)
// stops the walk rather than looping.
func (t RoleTree) Under(id, ancestor crmguard.ID) bool {
	for steps := 0; id != 0 && steps <= len(t.parent); steps++ {
		if id == ancestor {
			return true
		}
		id = t.parent[id]
	}
	return false
}
