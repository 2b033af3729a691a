package cli

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The service answers the CLI with the errors the API answers, worded as
// Zoho words them ("INVALID_DATA: invalid data") and pinned by the API's
// golden files. The API's caller has the JSON details to see which field and
// rule failed; a person at a terminal has only the line printed. So the CLI
// renders those details into a sentence naming the flag, the value given
// and the rule, and leaves the Zoho code at its end for searching.

// refNotFound reports whether err is the service's answer to a role or
// profile reference (name or ID) that names none of the org's, and returns
// the kind and the reference.
func refNotFound(err error) (kind, ref string, ok bool) {
	ze, isZoho := crmguard.AsError(err)
	if !isZoho || ze.Code != crmguard.CodeInvalidData {
		return "", "", false
	}
	for _, kind := range []string{"role", "profile"} {
		if ref, ok := ze.Details[kind].(string); ok {
			return kind, ref, true
		}
	}
	return "", "", false
}

// refNames reads the org's role or profile names for an error message;
// none when the database cannot say (the message still names the value).
func (e *env) refNames(kind string) []string {
	s, err := e.open(service.Config{})
	if err != nil {
		return nil
	}
	defer s.Close()
	var names []string
	if kind == "role" {
		rs, _ := s.svc.ListRoles(s.ctx, s.org.ID)
		for _, r := range rs {
			names = append(names, r.Name)
		}
		return names
	}
	ps, _ := s.svc.ListProfiles(s.ctx, s.org.ID)
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

// flagOf names, where they differ, the flag that carries an API name; any
// other API name is its flag with dashes for underscores (last_name is
// --last-name).
var flagOf = map[string]string{
	"field_label":         "label",
	"data_type":           "type",
	"pick_list_values":    "values",
	"decimal_place":       "decimals",
	"permissions_details": "permission",
	"redirect_uri":        "redirect-uri",
}

// describe words err for a person: the flag, the value and the rule where
// err says them; err's own text otherwise. args are the command's
// positional arguments.
func (e *env) describe(cmd *cobra.Command, args []string, err error) string {
	var u usageError
	if errors.As(err, &u) {
		return e.fromEnvNote(err.Error())
	}
	if kind, ref, ok := refNotFound(err); ok {
		what := "name"
		if _, isID := crmguard.ParseID(ref); isID {
			what = "ID"
		}
		return fmt.Sprintf("%s: no %s has this %s (%ss: %s)",
			subject(cmd, args, kind, ref), kind, what, kind, listNames(e.refNames(kind), 12))
	}
	ze, ok := crmguard.AsError(err)
	if !ok {
		return err.Error()
	}
	api, _ := ze.Details["api_name"].(string)
	if api == "" {
		return err.Error()
	}
	rule := ruleOf(ze, api)
	if rule == "" && ze.Message != "invalid data" {
		rule = ze.Message
	}
	if rule == "" {
		// The details name the field but not the rule: say what the
		// flag takes, as its help does.
		f := flagFor(cmd, api)
		if f == nil {
			return err.Error()
		}
		rule = "not accepted; --" + f.Name + " takes " + f.Usage
	}
	if api == "permissions_details" {
		if name, ok := ze.Details["name"].(string); ok {
			return fmt.Sprintf("--permission %q: %s (%s)", name, rule, ze.Code)
		}
	}
	return fmt.Sprintf("%s: %s (%s)", subject(cmd, args, api, ""), rule, ze.Code)
}

// subject names what the user gave for api: `--email "x"`, or the
// positional argument (`NAME "x"`) when no flag carries it. value, when
// known, is used over the flag's.
func subject(cmd *cobra.Command, args []string, api, value string) string {
	f := flagFor(cmd, api)
	if value != "" && (f == nil || f.Value.String() != value) {
		// The value came from elsewhere: the flag whose value it is, or
		// the positional argument.
		f = nil
		cmd.Flags().VisitAll(func(g *pflag.Flag) {
			if f == nil && g.Value.Type() == "string" && strings.EqualFold(g.Value.String(), value) {
				f = g
			}
		})
	}
	if f != nil {
		if value == "" && f.Value.Type() == "string" {
			value = f.Value.String()
		}
		if value == "" {
			return "--" + f.Name
		}
		return fmt.Sprintf("--%s %q", f.Name, clip(value))
	}
	if len(args) > 0 {
		if value == "" {
			value = args[0]
		}
		return fmt.Sprintf("%s %q", placeholder(cmd, api), clip(value))
	}
	if value != "" {
		return fmt.Sprintf("%s %q", api, clip(value))
	}
	return api
}

// flagFor is cmd's flag that carries api, or nil.
func flagFor(cmd *cobra.Command, api string) *pflag.Flag {
	name := strings.ReplaceAll(api, "_", "-")
	if f, ok := flagOf[api]; ok {
		name = f
	}
	return cmd.Flags().Lookup(strings.ToLower(name))
}

// placeholder is the first argument's name in cmd's usage line ("add NAME
// --reports-to ROLE" gives NAME), or api.
func placeholder(cmd *cobra.Command, api string) string {
	words := strings.Fields(cmd.Use)
	if len(words) > 1 && words[1] == strings.ToUpper(words[1]) && !strings.HasPrefix(words[1], "-") {
		return words[1]
	}
	return api
}

// clip keeps a long value to a readable length.
func clip(v string) string {
	if r := []rune(v); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return v
}

// dataTypes words the API's expected_data_type values.
var dataTypes = map[string]string{
	"email":         "not a valid e-mail address",
	"website":       "not a valid URL (http:// or https://)",
	"date":          "not a date in the form YYYY-MM-DD",
	"integer":       "not a whole number",
	"double":        "not a number",
	"bigint":        "not an ID",
	"boolean":       "not true or false",
	"text":          "not single-line text without control characters",
	"string":        "not text",
	"time_zone":     "not an IANA time zone such as Europe/Lisbon",
	"currency_code": "not an ISO 4217 currency code such as EUR",
	"jsonobject":    "not an object with an id",
}

// ruleOf says which rule ze's value broke, or "" when its details do not
// say.
func ruleOf(ze *crmguard.Error, api string) string {
	d := ze.Details
	switch ze.Code {
	case crmguard.CodeMandatoryNotFound:
		return "is required"
	case crmguard.CodeDuplicateData:
		switch api {
		case "email":
			return "a user with this e-mail already exists"
		case "field_label":
			return "a field with this label already exists"
		}
		return "is already taken"
	case crmguard.CodeInvalidData:
	default:
		return ""
	}
	if api == "permissions_details" {
		if name, ok := d["name"].(string); ok {
			rule := "no permission has this name; 'crmguard profile show PROFILE --json' lists them"
			if near := nearest(name, permissionNames()); near != "" {
				rule = "no permission has this name; did you mean " + near + "?"
			}
			return rule
		}
	}
	if vals := stringsOf(d["supported_values"]); len(vals) > 0 {
		return "want one of " + strings.Join(vals, ", ")
	}
	if reason, ok := d["reason"].(string); ok {
		return reason
	}
	if n, ok := d["maximum_length"].(int); ok {
		return fmt.Sprintf("at most %d characters", n)
	}
	if t, ok := d["expected_data_type"].(string); ok {
		rule, known := dataTypes[t]
		if !known {
			rule = "not a valid " + t
		}
		if places, ok := d["decimal_place"].(int); ok {
			rule += fmt.Sprintf(" with at most %d decimal places", places)
		}
		return rule
	}
	if ze.Message != "invalid data" {
		return ze.Message
	}
	return ""
}

func stringsOf(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// listNames lists names in order, at most max of them.
func listNames(names []string, max int) string {
	if len(names) == 0 {
		return "none"
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(", and %d more", len(names)-max)
	}
	return strings.Join(names, ", ")
}

func permissionNames() []string {
	names := make([]string, len(crmguard.Catalogue))
	for i, d := range crmguard.Catalogue {
		names[i] = d.Name
	}
	return names
}

// nearest is the candidate closest to s (ignoring case) by edit distance,
// or "" when none is close: within a third of s's length.
func nearest(s string, candidates []string) string {
	best, bestD := "", len(s)/3+1
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// fromEnvNote names the environment variable behind a flag that msg
// blames, since the user who set CRMGUARD_LOG_LEVEL never typed
// --log-level: `--log-level "loud" (from CRMGUARD_LOG_LEVEL): want ...`.
func (e *env) fromEnvNote(msg string) string {
	var vars []string
	lead := ""
	for flag, v := range e.fromEnv {
		loc := regexp.MustCompile(`--` + regexp.QuoteMeta(flag) + `(?:[^a-z0-9-]|$)`).FindStringIndex(msg)
		if loc == nil {
			continue
		}
		if loc[0] == 0 {
			lead = v
		} else {
			vars = append(vars, v)
		}
	}
	sort.Strings(vars)
	if lead != "" {
		if i := strings.Index(msg, ": "); i > 0 {
			msg = msg[:i] + " (from " + lead + ")" + msg[i:]
		} else {
			vars = append([]string{lead}, vars...)
		}
	}
	if len(vars) > 0 {
		msg += " (from " + strings.Join(vars, ", ") + ")"
	}
	return msg
}

// subcommandArgs is the Args check of a command group: a word that is no
// subcommand is a usage error that suggests the nearest ones, as cobra
// does only for the root.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t") + "\n"
	}
	return usageError{errors.New(msg)}
}
