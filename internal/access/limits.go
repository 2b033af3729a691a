package access

import "github.com/crmguard/crmguard"

// Limits are an org's API limits: credits per rolling 24 hours and calls in
// flight at once per org and client.
type Limits struct {
	Credits     int
	Concurrency int
}

// EditionLimits computes Zoho's limits for an edition and number of active
// users: 50,000 + users × per-user credits, capped at the edition maximum
// (Free is a flat 5,000); concurrency by edition. Unknown editions get the
// Enterprise limits.
func EditionLimits(edition string, users int) Limits {
	type ed struct{ perUser, max, conc int }
	eds := map[string]ed{
		crmguard.EditionStandard:     {250, 100_000, 10},
		crmguard.EditionProfessional: {500, 3_000_000, 15},
		crmguard.EditionEnterprise:   {1000, 5_000_000, 20},
		crmguard.EditionUltimate:     {2000, 0, 25},
	}
	if edition == crmguard.EditionFree {
		return Limits{Credits: 5000, Concurrency: 5}
	}
	e, ok := eds[edition]
	if !ok {
		e = eds[crmguard.EditionEnterprise]
	}
	credits := 50_000 + users*e.perUser
	if e.max > 0 && credits > e.max {
		credits = e.max
	}
	return Limits{Credits: credits, Concurrency: e.conc}
}

// ValidEdition reports whether s names an edition.
func ValidEdition(s string) bool {
	switch s {
	case crmguard.EditionFree, crmguard.EditionStandard, crmguard.EditionProfessional,
		crmguard.EditionEnterprise, crmguard.EditionUltimate:
		return true
	}
	return false
}
