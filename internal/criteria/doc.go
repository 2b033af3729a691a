// Package criteria parses and evaluates the criteria of Zoho's search APIs,
// as in GET /crm/v8/users/search?criteria=...
//
// A condition is (api_name:operator:value). Conditions join with and / or
// (any case, optional spaces around) and groups nest with parentheses:
//
//	(email:equals:a@b.c)
//	(a:equals:1)and(b:equals:2)
//	((a:equals:1)and((b:equals:2)or(c:equals:3)))
//	(status:in:active,disabled)
//
// One group uses one keyword: (a)and(b)or(c) is ambiguous and rejected.
// Only the first two colons of a condition are separators, so a value may
// hold colons (a URL). In a value, \( \) \, and \\ stand for ( ) , and \;
// an unescaped ( or ) is an error. Commas split the value of in only.
// Spaces around api_name and operator are ignored; the value is kept as
// written. At most MaxConditions conditions are allowed.
//
// Every error Parse returns is a *crmguard.Error with code INVALID_QUERY,
// message "invalid query formed" and details naming the criteria parameter
// and a reason. The package is pure: no I/O, so it must not import the
// service or a store.
//
// Imports: crmguard.
package criteria
