package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/criteria"
)

// UserTypes are the values of GET /users?type=, in the order of the
// user-type table of Zoho's Kaizen #51 post, "Handling Users with ZohoCRM
// API" (https://help.zoho.com/portal/en/community/topic/kaizen-51-handling-users-with-zohocrm-api).
var UserTypes = []string{"AllUsers", "ActiveUsers", "DeactiveUsers", "ConfirmedUsers", "NotConfirmedUsers",
	"DeletedUsers", "ActiveConfirmedUsers", "AdminUsers", "ActiveConfirmedAdmins", "CurrentUser"}

// UserType returns the canonical spelling of a user type, matched in any
// case, and whether it is one.
func UserType(name string) (string, bool) {
	for _, t := range UserTypes {
		if strings.EqualFold(t, name) {
			return t, true
		}
	}
	return "", false
}

var (
	notDeleted = []string{crmguard.UserActive, crmguard.UserDisabled}
	onlyActive = []string{crmguard.UserActive}
	yes, no    = true, false
)

// typeFilter is the filter of a user type. AllUsers is active and
// deactivated users, never deleted ones; admins are the users of the
// built-in Administrator profile.
func (s *Service) typeFilter(ctx context.Context, org crmguard.ID, typ string, caller crmguard.ID) (crmguard.UserFilter, error) {
	admin := func() (crmguard.ID, error) {
		p, err := s.store.GetProfileByName(ctx, org, crmguard.ProfileAdministrator)
		if err != nil {
			return 0, err
		}
		return p.ID, nil
	}
	var f crmguard.UserFilter
	var err error
	switch typ {
	case "AllUsers":
		f.Statuses = notDeleted
	case "ActiveUsers":
		f.Statuses = onlyActive
	case "DeactiveUsers":
		f.Statuses = []string{crmguard.UserDisabled}
	case "ConfirmedUsers":
		f.Statuses, f.Confirmed = notDeleted, &yes
	case "NotConfirmedUsers":
		f.Statuses, f.Confirmed = notDeleted, &no
	case "DeletedUsers":
		f.Statuses = []string{crmguard.UserDeleted}
	case "ActiveConfirmedUsers":
		f.Statuses, f.Confirmed = onlyActive, &yes
	case "AdminUsers":
		f.Statuses = notDeleted
		f.ProfileID, err = admin()
	case "ActiveConfirmedAdmins":
		f.Statuses, f.Confirmed = onlyActive, &yes
		f.ProfileID, err = admin()
	case "CurrentUser":
		f.IDs = []crmguard.ID{caller}
	default:
		return f, crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"param_name": "type"})
	}
	return f, err
}

// UserQuery selects a page of users.
type UserQuery struct {
	Type          string // canonical, see UserType
	Page, PerPage int
	IDs           []crmguard.ID // nil: all
	ModifiedSince time.Time     // zero: no condition
	Caller        crmguard.ID   // for CurrentUser
}

// UserPage is a page of users and whether more follow.
type UserPage struct {
	Users []*crmguard.User
	More  bool
}

// ListUserIDs returns the IDs of one page of the users a query selects,
// ascending, and whether more follow.
func (s *Service) ListUserIDs(ctx context.Context, org crmguard.ID, q UserQuery) ([]crmguard.ID, bool, error) {
	ids, err := s.userIDs(ctx, org, q)
	if err != nil {
		return nil, false, err
	}
	from := (q.Page - 1) * q.PerPage
	if q.Page < 1 || q.PerPage < 1 || from >= len(ids) || from < 0 {
		return nil, false, nil
	}
	to := min(from+q.PerPage, len(ids))
	return ids[from:to], to < len(ids), nil
}

// UsersByID returns the users with these IDs, ascending; unknown IDs are
// left out.
func (s *Service) UsersByID(ctx context.Context, org crmguard.ID, ids []crmguard.ID) ([]*crmguard.User, error) {
	return s.store.GetUsers(ctx, org, ids)
}

// ListUsers returns one page of the users a query selects, by ID.
func (s *Service) ListUsers(ctx context.Context, org crmguard.ID, q UserQuery) (*UserPage, error) {
	ids, more, err := s.ListUserIDs(ctx, org, q)
	if err != nil || len(ids) == 0 {
		return &UserPage{}, err
	}
	users, err := s.store.GetUsers(ctx, org, ids)
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, More: more}, nil
}

// CountUsers counts the users of a type.
func (s *Service) CountUsers(ctx context.Context, org crmguard.ID, typ string, caller crmguard.ID) (int, error) {
	ids, err := s.userIDs(ctx, org, UserQuery{Type: typ, Caller: caller})
	return len(ids), err
}

// UserNames returns the full names of users by ID; unknown IDs are left
// out.
func (s *Service) UserNames(ctx context.Context, org crmguard.ID, ids []crmguard.ID) (map[crmguard.ID]string, error) {
	users, err := s.store.GetUsers(ctx, org, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[crmguard.ID]string, len(users))
	for _, u := range users {
		out[u.ID] = u.FullName()
	}
	return out, nil
}

// searchable reports whether a field can be searched, by its exact or
// any-case API name, and returns the canonical name.
func searchable(fields []*crmguard.Field) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch strings.ToLower(name) {
		case "id":
			return "id", true
		}
		for _, f := range fields {
			if strings.EqualFold(f.APIName, name) && f.Type != crmguard.FieldDateTime && f.APIName != "created_by" && f.APIName != "Modified_By" {
				return f.APIName, true
			}
		}
		return "", false
	}
}

// userValue is a user's value of a field as criteria compare it.
func userValue(u *crmguard.User, field string) (string, bool) {
	var v string
	switch field {
	case "id":
		v = u.ID.String()
	case "first_name":
		v = u.FirstName
	case "last_name":
		v = u.LastName
	case "full_name":
		v = u.FullName()
	case "email":
		v = u.Email
	case "role":
		v = u.RoleID.String()
	case "profile":
		v = u.ProfileID.String()
	case "Reporting_To":
		if u.ReportingTo == 0 {
			return "", false
		}
		v = u.ReportingTo.String()
	case "status":
		v = u.Status
	case "confirm":
		v = "false"
		if u.Confirmed {
			v = "true"
		}
	case "Isonline":
		v = "false"
	case "time_zone":
		v = u.TimeZone
	case "locale":
		v = u.Locale
	default:
		raw, ok := u.Extra[field]
		if !ok {
			return "", false
		}
		if len(raw) > 0 && raw[0] == '"' {
			_ = json.Unmarshal(raw, &v)
		} else {
			v = string(raw)
		}
	}
	return v, v != ""
}

// SearchUsers returns a page of the users (active and deactivated) that
// match Zoho search criteria, by ID.
func (s *Service) SearchUsers(ctx context.Context, org crmguard.ID, crit string, page, perPage int) (*UserPage, error) {
	fields, err := s.Fields(ctx, org)
	if err != nil {
		return nil, err
	}
	expr, err := criteria.Parse(crit, searchable(fields))
	if err != nil {
		return nil, err
	}
	from := (page - 1) * perPage
	out := &UserPage{}
	n := 0
	errEnough := errors.New("enough")
	err = s.store.EachUser(ctx, org, crmguard.UserFilter{Statuses: notDeleted}, func(u *crmguard.User) error {
		if !expr.Match(func(f string) (string, bool) { return userValue(u, f) }) {
			return nil
		}
		n++
		switch {
		case n > from+perPage:
			out.More = true
			return errEnough
		case n > from:
			out.Users = append(out.Users, u)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}

// GetUser returns a user of the org (deleted ones too); a user that does
// not exist is INVALID_DATA, as Zoho answers.
func (s *Service) GetUser(ctx context.Context, org, id crmguard.ID) (*crmguard.User, error) {
	u, err := s.store.GetUser(ctx, org, id)
	if errors.Is(err, crmguard.ErrNotFound) {
		return nil, ErrInvalidUserID
	}
	return u, err
}

// ErrInvalidUserID answers an ID that names no user of the org.
var ErrInvalidUserID = crmguard.NewError(crmguard.CodeInvalidData, msgInvalidID, crmguard.Details{})
