package guard

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmguard/crmguard"
)

// The steps a Decision names: the check that denied a call.
const (
	StepToken      = "token"
	StepStatus     = "status"
	StepIP         = "ip"
	StepAPIAccess  = "api_access"
	StepScope      = "scope"
	StepLimits     = "limits"
	StepPermission = "permission"
)

// Decision is the pipeline's account of one request: allowed, or denied at
// which step and why, in words meant for the developer whose call it was
// (Zoho's own answer says far less, and must stay as it is).
//
// Nothing records a decision unless a caller asked for it by placing one
// in the request's context with WithDecision: the emulator's journal does,
// a plain server does not, so the warm path stays free of allocations and
// string formatting.
type Decision struct {
	// Decided is true once the pipeline ran (a request it never reached,
	// such as an unknown route or an OAuth call, leaves it false).
	Decided bool
	Allowed bool
	Step    string // one of the Step constants when denied
	Reason  string
	// Principal is who the token stands for, when the token step passed.
	Principal *crmguard.Principal
}

// String is the decision in one line: "allowed", or "denied at scope: …".
func (d *Decision) String() string {
	switch {
	case !d.Decided:
		return ""
	case d.Allowed:
		return "allowed"
	}
	return "denied at " + d.Step + ": " + d.Reason
}

type decisionKey struct{}

// WithDecision returns a context in which the pipeline records its
// decision into d.
func WithDecision(ctx context.Context, d *Decision) context.Context {
	return context.WithValue(ctx, decisionKey{}, d)
}

// decisionOf is the holder a listener placed in r's context, or nil.
func decisionOf(r *http.Request) *Decision {
	d, _ := r.Context().Value(decisionKey{}).(*Decision)
	return d
}

func (d *Decision) allow(p *crmguard.Principal) {
	*d = Decision{Decided: true, Allowed: true, Principal: p}
}

func (d *Decision) deny(p *crmguard.Principal, step, reason string) {
	*d = Decision{Decided: true, Step: step, Reason: reason, Principal: p}
}

// Refused records step 8: the handler refused a call the pipeline had
// allowed (its own Manage_* permission, or a rule such as "only an
// administrator may"), with err as the handler's answer.
func Refused(r *http.Request, err *crmguard.Error) {
	d := decisionOf(r)
	if d == nil {
		return
	}
	reason := err.Code + ": " + err.Message
	if perms, ok := err.Details["permissions"].([]string); ok && len(perms) > 0 && d.Principal != nil {
		reason = "profile " + d.Principal.ProfileName + " lacks " + strings.Join(perms, ", ")
	}
	d.deny(d.Principal, StepPermission, reason)
}

// scopeReason says which scope a route needs and which the token has.
func scopeReason(need string, p *crmguard.Principal) string {
	has := strings.TrimSpace(p.Scopes)
	if has == "" {
		has = "no scope"
	}
	return "the route needs " + need + ", the token has " + has
}

// statusReason names a user's status as the console shows it.
func statusReason(status string) string {
	switch status {
	case crmguard.UserDisabled:
		return "user is deactivated"
	case crmguard.UserDeleted:
		return "user is deleted"
	}
	return "user is " + strconv.Quote(status) + ", not active"
}
