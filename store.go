package crmguard

import (
	"context"
	"time"
)

// Store is the storage contract. Every method is scoped to one org where the
// data belongs to one. Methods return ErrNotFound and ErrConflict (unique
// constraint) as sentinels; they never decide who may do what.
type Store interface {
	// InTx runs fn in one transaction: all of fn's writes apply or none.
	// Calling InTx on the Store passed to fn runs fn in the same transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	CreateOrg(ctx context.Context, o *Org) error
	GetOrg(ctx context.Context, id ID) (*Org, error)
	ListOrgs(ctx context.Context) ([]*Org, error)
	UpdateOrg(ctx context.Context, o *Org) error
	// GetOrgPhoto returns the org's photo (ID, media type, bytes), or
	// ErrNotFound; OrgPhotoID returns its ID alone, 0 for none.
	GetOrgPhoto(ctx context.Context, org ID) (id ID, contentType string, data []byte, err error)
	OrgPhotoID(ctx context.Context, org ID) (ID, error)
	// PutOrgPhoto sets the org's photo, replacing any; DeleteOrgPhoto
	// removes it, ErrNotFound when there is none.
	PutOrgPhoto(ctx context.Context, org, id ID, contentType string, data []byte, by ID, at time.Time) error
	DeleteOrgPhoto(ctx context.Context, org ID) error

	CreatePermissions(ctx context.Context, perms []Permission) error
	ListPermissions(ctx context.Context, org ID) ([]Permission, error)

	CreateProfile(ctx context.Context, p *Profile) error
	GetProfile(ctx context.Context, org, id ID) (*Profile, error)
	GetProfileByName(ctx context.Context, org ID, name string) (*Profile, error)
	ListProfiles(ctx context.Context, org ID) ([]*Profile, error)
	// UpdateProfile writes name, description, permissions and modified_*.
	UpdateProfile(ctx context.Context, p *Profile) error
	// DeleteProfile removes a profile no user has any more.
	DeleteProfile(ctx context.Context, org, id ID) error
	// ReassignProfile moves every user of profile from to profile to and
	// returns how many moved.
	ReassignProfile(ctx context.Context, org, from, to, by ID, at time.Time) (int, error)

	CreateRole(ctx context.Context, r *Role) error
	GetRole(ctx context.Context, org, id ID) (*Role, error)
	GetRoleByName(ctx context.Context, org ID, name string) (*Role, error)
	ListRoles(ctx context.Context, org ID) ([]*Role, error)
	// UpdateRole writes name, description, reporting line, sharing,
	// forecast manager and modified_*; a duplicate name is ErrConflict.
	UpdateRole(ctx context.Context, r *Role) error
	// DeleteRole removes a role no user has and no role reports to.
	DeleteRole(ctx context.Context, org, id ID) error
	// ReassignRole moves the users of role from, and the roles reporting to
	// it, to role to; it returns how many users and roles moved.
	ReassignRole(ctx context.Context, org, from, to, by ID, at time.Time) (users, roles int, err error)

	// CreateTerritory adds a territory; a duplicate name (any case) is
	// ErrConflict.
	CreateTerritory(ctx context.Context, t *Territory) error
	GetTerritory(ctx context.Context, org, id ID) (*Territory, error)
	ListTerritories(ctx context.Context, org ID) ([]*Territory, error)
	// UpdateTerritory writes name, description, parent, manager, permission
	// type and modified_*; a duplicate name is ErrConflict.
	UpdateTerritory(ctx context.Context, t *Territory) error
	// DeleteTerritory removes a territory and its memberships.
	DeleteTerritory(ctx context.Context, org, id ID) error
	// AddTerritoryUser makes a user a member; a member already is ErrConflict.
	AddTerritoryUser(ctx context.Context, org, territory, user ID) error
	// RemoveTerritoryUser ends a membership; none is ErrNotFound.
	RemoveTerritoryUser(ctx context.Context, org, territory, user ID) error
	// ListUserTerritories lists the territories a user belongs to.
	ListUserTerritories(ctx context.Context, org, user ID) ([]*Territory, error)
	// ListTerritoryUserIDs lists the members of a territory, ascending.
	ListTerritoryUserIDs(ctx context.Context, org, territory ID) ([]ID, error)

	// CreateUserGroup inserts a group and its sources; a duplicate name
	// (any case) is ErrConflict.
	CreateUserGroup(ctx context.Context, g *UserGroup) error
	// UpdateUserGroup writes name, description and modifier, and replaces
	// the sources.
	UpdateUserGroup(ctx context.Context, g *UserGroup) error
	DeleteUserGroup(ctx context.Context, org, id ID) error
	GetUserGroup(ctx context.Context, org, id ID) (*UserGroup, error)
	// ListUserGroups returns the org's groups with their sources, oldest
	// first.
	ListUserGroups(ctx context.Context, org ID) ([]*UserGroup, error)

	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, org, id ID) (*User, error)
	// GetUserByEmail matches the e-mail case-insensitively.
	GetUserByEmail(ctx context.Context, org ID, email string) (*User, error)
	// UpdateUser writes every mutable column of u.
	UpdateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context, org ID) ([]*User, error)
	CountUsers(ctx context.Context, org ID, status string) (int, error)
	// CreateUsers inserts many users at once (bulk seeding); a duplicate
	// e-mail fails the whole call with ErrConflict.
	CreateUsers(ctx context.Context, users []*User) error
	// ListUserIDs returns the IDs of the users f selects, ascending.
	ListUserIDs(ctx context.Context, org ID, f UserFilter) ([]ID, error)
	// GetUsers returns the users with these IDs, ascending by ID; unknown
	// IDs are left out.
	GetUsers(ctx context.Context, org ID, ids []ID) ([]*User, error)
	// EachUser calls fn for every user f selects, ascending by ID, without
	// holding them all in memory; an error from fn stops the walk.
	EachUser(ctx context.Context, org ID, f UserFilter, fn func(*User) error) error
	// GetUserByInvite finds the user whose pending invitation has this hash.
	GetUserByInvite(ctx context.Context, hash []byte) (*User, error)

	// CreateField adds a field; a duplicate API name or label in the module
	// (any case) is ErrConflict.
	CreateField(ctx context.Context, f *Field) error
	// ListFields lists a module's fields, system fields first, each group
	// in the order added.
	ListFields(ctx context.Context, org ID, module string) ([]*Field, error)

	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, clientID string) (*Client, error)
	ListClients(ctx context.Context, org ID) ([]*Client, error)
	// DeleteClient removes the org's client with this client_id and revokes
	// every token it minted, in one transaction; an unknown client is
	// ErrNotFound.
	DeleteClient(ctx context.Context, org ID, clientID string, at time.Time) error
	// UpdateClientSecret replaces the secret hash of the org's client with
	// this client_id; an unknown client is ErrNotFound.
	UpdateClientSecret(ctx context.Context, org ID, clientID string, secretHash []byte) error

	CreateGrant(ctx context.Context, g *Grant) error
	// UseGrant marks the grant with this code hash used and returns it. A grant
	// already used, or unknown, is ErrNotFound; the check and the mark are
	// one statement, so a code is exchanged at most once.
	UseGrant(ctx context.Context, codeHash []byte, at time.Time) (*Grant, error)
	// CountGrantsSince counts grants made for a client since t.
	CountGrantsSince(ctx context.Context, clientID string, since time.Time) (int, error)
	// GetGrant finds a grant by code hash, used or not.
	GetGrant(ctx context.Context, codeHash []byte) (*Grant, error)
	// RevokeGrantTokens revokes every refresh and access token minted from
	// a grant and returns how many of each were live.
	RevokeGrantTokens(ctx context.Context, grantID ID, at time.Time) (refresh, access int, err error)

	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	GetRefreshToken(ctx context.Context, hash []byte) (*RefreshToken, error)
	// ListLiveRefreshTokens lists a user's unrevoked refresh tokens for a
	// client, oldest first.
	ListLiveRefreshTokens(ctx context.Context, org ID, clientID string, user ID) ([]*RefreshToken, error)
	// RevokeRefreshToken revokes it and every access token minted from it.
	RevokeRefreshToken(ctx context.Context, id ID, at time.Time) error
	TouchRefreshToken(ctx context.Context, id ID, at time.Time) error
	// UseRefreshToken records the use of the unrevoked refresh token of
	// this client with this hash and returns it; a revoked, unknown or
	// other client's token is ErrNotFound. The check and the write are one
	// statement, so on a database with row locks the row stays locked
	// until the transaction ends and a concurrent revocation waits for it.
	UseRefreshToken(ctx context.Context, hash []byte, clientID string, at time.Time) (*RefreshToken, error)

	CreateAccessToken(ctx context.Context, t *AccessToken) error
	GetAccessToken(ctx context.Context, hash []byte) (*AccessToken, error)
	// ListLiveAccessTokens lists the unexpired, unrevoked access tokens of a
	// refresh token, oldest first.
	ListLiveAccessTokens(ctx context.Context, refreshID ID, at time.Time) ([]*AccessToken, error)
	CountAccessTokensSince(ctx context.Context, refreshID ID, since time.Time) (int, error)
	RevokeAccessToken(ctx context.Context, id ID, at time.Time) error
	// ListTokens lists live tokens, newest first, at most limit of each
	// kind: of one user, or of the whole org when user is 0.
	ListTokens(ctx context.Context, org, user ID, at time.Time, limit int) ([]*RefreshToken, []*AccessToken, error)
	GetRefreshTokenByID(ctx context.Context, org, id ID) (*RefreshToken, error)
	GetAccessTokenByID(ctx context.Context, org, id ID) (*AccessToken, error)
	// RevokeUserTokens revokes every token of a user.
	RevokeUserTokens(ctx context.Context, org, user ID, at time.Time) error

	// CreateTransferJob records a finished transfer-and-delete job.
	CreateTransferJob(ctx context.Context, j *TransferJob) error
	// GetTransferJob returns one job of the org.
	GetTransferJob(ctx context.Context, org, id ID) (*TransferJob, error)
	// MoveReports makes every user of the org who reports to from report to
	// to instead, and returns how many moved.
	MoveReports(ctx context.Context, org, from, to, by ID, at time.Time) (int, error)

	CreateIPRule(ctx context.Context, r *IPRule) error
	GetIPRule(ctx context.Context, org, id ID) (*IPRule, error)
	ListIPRules(ctx context.Context, org ID) ([]*IPRule, error)
	DeleteIPRule(ctx context.Context, org, id ID) error

	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, hash []byte) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions ends every browser session of a user and returns
	// how many there were.
	DeleteUserSessions(ctx context.Context, org, user ID) (int, error)

	AppendAudit(ctx context.Context, e *AuditEvent) error
	// ListAudit lists the org's events that the filter selects, newest
	// (highest Seq) first.
	ListAudit(ctx context.Context, org ID, f AuditFilter) ([]*AuditEvent, error)
	// LastAuditSeq is the highest audit sequence number. Every change appends
	// an audit event, so a new value means something changed: instances and
	// caches poll it to learn of changes made elsewhere.
	LastAuditSeq(ctx context.Context) (int64, error)

	// TokenKey returns the installation's random key for the check value
	// inside tokens, making it on first use; every process sharing the
	// database gets the same key.
	TokenKey(ctx context.Context) ([]byte, error)

	Close() error
}

// AuditFilter selects audit events; zero fields match everything. The
// store applies every field, so a match is found however many newer events
// there are.
type AuditFilter struct {
	Action string // exact, or a prefix ending in "." ("user." matches "user.add")
	Actor  ID     // events by this user
	Target ID     // events about this record
	// Since and Until bound the event time to [Since, Until); zero is open.
	Since, Until time.Time
	// Before is a cursor: only events with a lower Seq. A page's last Seq
	// asks for the page after it; zero starts from the newest.
	Before int64
	Limit  int // at most this many; zero or less means DefaultAuditLimit
}

// DefaultAuditLimit is the page size of an AuditFilter without a Limit.
const DefaultAuditLimit = 100
