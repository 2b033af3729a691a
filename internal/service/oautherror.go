package service

import "github.com/crmguard/crmguard"

// oauthErr is the answer of a Zoho Accounts OAuth endpoint: the code is what
// the client sees, the description is for logs and the CLI.
func oauthErr(code, desc string) error { return &crmguard.OAuthError{Code: code, Description: desc} }
