package sqlstore

import (
	"context"
	"database/sql"

	"github.com/crmguard/crmguard"
)

const orgCols = `id, company_name, alias, primary_email, primary_user_id, domain_name, country, country_code,
	city, street, state, zip, phone, mobile, fax, website, employee_count, description, currency,
	currency_symbol, currency_locale, iso_code, time_zone, type, edition, license_users, paid,
	trial_expiry, paid_expiry, created_at, modified_at`

func orgArgs(o *crmguard.Org) []any {
	return []any{o.ID, o.CompanyName, o.Alias, o.PrimaryEmail, o.PrimaryUserID, o.DomainName, o.Country,
		o.CountryCode, o.City, o.Street, o.State, o.Zip, o.Phone, o.Mobile, o.Fax, o.Website,
		o.EmployeeCount, o.Description, o.Currency, o.CurrencySymbol, o.CurrencyLocale, o.ISOCode,
		o.TimeZone, o.Type, o.Edition, o.LicenseUsers, b2i(o.Paid), nullMS(o.TrialExpiry),
		nullMS(o.PaidExpiry), ms(o.CreatedTime), ms(o.ModifiedTime)}
}

// CreateOrg inserts an org.
func (s *Store) CreateOrg(ctx context.Context, o *crmguard.Org) error {
	_, err := s.exec(ctx, `INSERT INTO orgs (`+orgCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, orgArgs(o)...)
	return err
}

// UpdateOrg writes every column of o.
func (s *Store) UpdateOrg(ctx context.Context, o *crmguard.Org) error {
	args := orgArgs(o)
	return s.execOne(ctx, `UPDATE orgs SET (`+orgCols+`) = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE id = ?`, append(args, o.ID)...)
}

func scanOrg(row interface{ Scan(...any) error }) (*crmguard.Org, error) {
	var o crmguard.Org
	var paid int
	var trial, paidExp sql.NullInt64
	var created, modified int64
	err := row.Scan(&o.ID, &o.CompanyName, &o.Alias, &o.PrimaryEmail, &o.PrimaryUserID, &o.DomainName,
		&o.Country, &o.CountryCode, &o.City, &o.Street, &o.State, &o.Zip, &o.Phone, &o.Mobile, &o.Fax,
		&o.Website, &o.EmployeeCount, &o.Description, &o.Currency, &o.CurrencySymbol, &o.CurrencyLocale,
		&o.ISOCode, &o.TimeZone, &o.Type, &o.Edition, &o.LicenseUsers, &paid, &trial, &paidExp,
		&created, &modified)
	if err != nil {
		return nil, mapErr(err)
	}
	o.Paid = paid != 0
	o.TrialExpiry, o.PaidExpiry = fromNullMS(trial), fromNullMS(paidExp)
	o.CreatedTime, o.ModifiedTime = fromMS(created), fromMS(modified)
	return &o, nil
}

// GetOrg returns one org.
func (s *Store) GetOrg(ctx context.Context, id crmguard.ID) (*crmguard.Org, error) {
	return scanOrg(s.r().QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = ?`, id))
}

// ListOrgs returns every org, oldest first.
func (s *Store) ListOrgs(ctx context.Context) ([]*crmguard.Org, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT `+orgCols+` FROM orgs ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, scanOrg)
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
