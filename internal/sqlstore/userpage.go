package sqlstore

import (
	"context"
	"errors"
	"strings"

	"github.com/crmguard/crmguard"
)

// GetUsers returns the users with these IDs, ascending by ID.
func (s *Store) GetUsers(ctx context.Context, org crmguard.ID, ids []crmguard.ID) ([]*crmguard.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if sorted(ids) && len(ids) >= 20 {
		if users, ok, err := s.usersInRange(ctx, org, ids); err != nil || ok {
			return users, err
		}
	}
	where, args := s.userWhere(org, crmguard.UserFilter{IDs: ids})
	return s.queryUsers(ctx, org, len(ids), where+` ORDER BY users.id`, args...)
}

func sorted(ids []crmguard.ID) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}

// usersInRange reads a page of sorted IDs as one walk of the primary key
// between the first and the last, keeping the IDs asked for: a page of a
// user list is nearly contiguous. When the range holds more than twice the
// IDs asked (a sparse list), it gives up (ok false) for a lookup by ID.
func (s *Store) usersInRange(ctx context.Context, org crmguard.ID, ids []crmguard.ID) (users []*crmguard.User, ok bool, err error) {
	limit := 2*len(ids) + 1
	if s.pg == nil {
		users, ok, err := s.usersInRangeAsOne(ctx, org, ids, limit)
		if err != errRowByRow {
			return users, ok, err
		}
	}
	rows, err := s.r().QueryContext(ctx, `SELECT `+s.userRead(false, false)+s.userFrom()+` WHERE users.org_id = ? AND users.id BETWEEN ? AND ? ORDER BY users.id LIMIT ?`,
		org, ids[0], ids[len(ids)-1], limit)
	if err != nil {
		return nil, false, mapErr(err)
	}
	defer rows.Close()
	sc := s.userScanner(org, len(ids), false)
	p := picker{ids: ids}
	for n := 1; rows.Next(); n++ {
		if n == limit {
			return nil, false, nil
		}
		u, err := sc.scan(rows)
		if err != nil {
			return nil, false, err
		}
		p.offer(u)
	}
	if err := rows.Err(); err != nil {
		return nil, false, mapErr(err)
	}
	rows.Close() // before reading again: within a transaction, one query at a time
	return p.users, true, s.readAgain(ctx, sc)
}

// errRowByRow tells usersInRange to read the rows one by one.
var errRowByRow = errors.New("sqlstore: read the users row by row")

// usersInRangeAsOne is usersInRange on SQLite, reading the range as one
// row: the packed users (see userRead) joined by the ASCII record
// separator, and how many there are. It walks the index users_packed
// (migration 0016), which holds each user's packed text by (org_id, id):
// the table itself is not read.
// SQLite's driver costs about as much per row as SQLite's reading one, and
// database/sql an allocation per column; this costs them once. A text that
// holds the record separator makes more records than rows, and the rows
// are then read one by one (errRowByRow), as they are when they come out of
// order.
func (s *Store) usersInRangeAsOne(ctx context.Context, org crmguard.ID, ids []crmguard.ID, limit int) ([]*crmguard.User, bool, error) {
	var n int
	var recs any
	err := s.r().QueryRowContext(ctx, `SELECT count(*), group_concat(packed, char(30))
		FROM (SELECT packed FROM users INDEXED BY users_packed WHERE org_id = ? AND id BETWEEN ? AND ? ORDER BY id LIMIT ?)`,
		org, ids[0], ids[len(ids)-1], limit).Scan(&n, &recs)
	if err != nil {
		return nil, false, mapErr(err)
	}
	if n == limit {
		return nil, false, nil
	}
	if n == 0 {
		return nil, true, nil
	}
	rs, ok := recs.(string)
	if !ok || strings.Count(rs, "\x1e") != n-1 {
		return nil, false, errRowByRow
	}
	sc := s.userScanner(org, len(ids), false)
	p := picker{ids: ids}
	var last crmguard.ID
	for range n {
		rec := rs
		if j := strings.IndexByte(rs, '\x1e'); j >= 0 {
			rec, rs = rs[:j], rs[j+1:]
		}
		// Its own copy: a user kept (a name, say) must not keep the page.
		u, err := sc.unpacked(strings.Clone(rec))
		if err != nil {
			return nil, false, err
		}
		if u.ID <= last {
			return nil, false, errRowByRow
		}
		last = u.ID
		p.offer(u)
	}
	return p.users, true, s.readAgain(ctx, sc)
}

// picker keeps, of users offered in ascending ID order, those whose IDs
// are in ids (ascending).
type picker struct {
	ids   []crmguard.ID
	want  int
	users []*crmguard.User
}

func (p *picker) offer(u *crmguard.User) {
	for p.want < len(p.ids) && p.ids[p.want] < u.ID {
		p.want++ // asked for but not there
	}
	if p.want < len(p.ids) && p.ids[p.want] == u.ID {
		if p.users == nil {
			p.users = make([]*crmguard.User, 0, len(p.ids))
		}
		p.users = append(p.users, u)
		p.want++
	}
}
