package seedfile

import (
	"encoding/json"
	"time"
)

// Version is the only document version there is; a file may say
// "version: 1" or leave it out.
const Version = 1

// Pos is where an entry or a value starts in the file, both 1-based.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Ref names another entry (a role, a profile, a user by e-mail, a client by
// client id) and remembers where it was written, so that a reference that
// does not resolve is reported at its own line.
type Ref struct {
	Name string
	Pos  Pos
}

// Document is a seed file. Every section is optional; entries apply in the
// order fields, profiles, roles, users, clients, tokens, so an entry may
// refer to one of an earlier section or to what the org holds already.
//
//	version: 1
//	profiles: [...]
//	roles:    [...]
//	fields:   [...]
//	users:    [...]
//	clients:  [...]
//	tokens:   [...]
type Document struct {
	Profiles []Profile
	Roles    []Role
	Fields   []Field
	Users    []User
	Clients  []Client
	Tokens   []Token
}

// Profile is a custom profile, or a change to one the org has ("Standard"
// may be changed; "Administrator" may not, as in Zoho CRM). A new profile
// is a clone: its permissions are those of CloneOf, then Permissions and
// APIAccess applied on top. For a profile that exists, the same holds
// when CloneOf is given; without it the changes apply to its current
// permissions. Applying the same file twice gives the same profile.
//
//   - name: Integrations        # required
//     clone_of: Standard        # a built-in or an earlier profile; default Standard
//     description: API users
//     api_access: true          # Crm_Implied_Api_Access
//     permissions:              # by catalogue name; true grants, false takes away
//     Crm_Implied_Manage_Users: true
type Profile struct {
	Pos         Pos
	Name        string
	CloneOf     *Ref
	Description *string
	APIAccess   *bool
	Permissions []Permission // in file order
}

// Permission turns one catalogue permission on or off.
type Permission struct {
	Pos     Pos
	Name    string
	Enabled bool
}

// Role is a role of the tree, created or changed to match.
//
//   - name: Sales Rep           # required
//     reporting_to: Manager     # a role of the org or of this file; default the top role
//     description: Field sales
//     share_with_peer: false
type Role struct {
	Pos           Pos
	Name          string
	ReportingTo   *Ref
	Description   *string
	ShareWithPeer *bool
}

// Field is a custom field of the Users module, of a kind `crmguard field
// add` supports. Its API name is APIName, or derived from the label as
// Zoho derives it ("Employee Number" is Employee_Number). A field that
// exists with that API name must have the same type; it is left as it is.
//
//   - label: Employee Number    # required
//     type: number              # single-line, multi-line, number, currency, url,
//     # email, date, checkbox or picklist (and their aliases)
//     length: 9                 # optional; text and number sizes
//     decimals: 2               # currency only
//     pick_list: [A, B]         # picklist only
type Field struct {
	Pos      Pos
	Label    string
	APIName  string // empty: derived from Label
	Type     string
	Length   int
	Decimals int
	PickList []string
}

// User is a user, created or changed to match, found by e-mail.
//
//   - email: ana@example.com    # required
//     first_name: Ana
//     last_name: Silva          # required for a new user
//     role: Sales Rep           # required for a new user
//     profile: Integrations     # required for a new user
//     status: active            # or inactive; default active
//     confirmed: true           # default true
//     password: "s3cret pass"   # optional; set as a permanent password
//     fields:                   # optional and custom fields by API name
//     phone: "+1 555 0100"
//     Employee_Number: 42
type User struct {
	Pos       Pos
	Email     string
	FirstName *string
	LastName  *string
	Role      *Ref
	Profile   *Ref
	Status    *string // "active" or "inactive"
	Confirmed *bool
	// Password is set permanently (no change at first sign-in); only its
	// hash is stored.
	Password *string
	Fields   []FieldValue // in file order
}

// FieldValue is one field of a user, its value as JSON (the form the Users
// API and the service's field checks take).
type FieldValue struct {
	Pos     Pos
	APIName string
	Value   json.RawMessage
}

// Client is an OAuth client with a fixed client id and secret, so that a
// test can hold them as constants. A client id that exists already must
// belong to the org and have this secret; it is left as it is.
//
//   - client_id: 1000.SEEDCLIENT0000000000000000000001   # 1000. and 30 of A-Z 0-9
//     client_secret: 0123456789abcdef0123456789abcdef01234567ab
//     name: CI client                   # default the client id
//     type: server_based                # or self_client; default server_based with
//     # redirect_uris, self_client without
//     redirect_uris: [http://127.0.0.1:9000/callback]
type Client struct {
	Pos          Pos
	ClientID     string
	Secret       string
	Name         string
	Type         string
	RedirectURIs []string
}

// Token is an access or refresh token whose value is derived from Seed:
// the same seed on the same installation always gives the same token, so
// a seed file can be applied again and a test can ask for the token by its
// seed. The value itself is never in the file: see service.SeedTokenValue
// for why.
//
//   - seed: ci-admin            # required, unique in the file
//     kind: access              # or refresh; default access
//     user: admin@example.com   # required: the owner, by e-mail
//     client: 1000.SEED...      # a client id; default the org's Self Client
//     scopes: [ZohoCRM.users.ALL, ZohoCRM.org.READ]   # or "a,b"
//     expires_in: 24h           # access only; default the server's access token lifetime
type Token struct {
	Pos       Pos
	Seed      string
	Kind      string // TokenAccess or TokenRefresh
	User      Ref
	Client    *Ref
	Scopes    []string
	ExpiresIn time.Duration // 0: the server's default
}

// Token kinds.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)
