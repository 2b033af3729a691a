package crmguard

import "time"

// Editions, which set the API credit and concurrency limits of an org.
const (
	EditionFree         = "free"
	EditionStandard     = "standard"
	EditionProfessional = "professional"
	EditionEnterprise   = "enterprise"
	EditionUltimate     = "ultimate"
)

// Org is one Zoho CRM organization. Every other row belongs to one.
type Org struct {
	ID             ID
	CompanyName    string
	Alias          string
	PrimaryEmail   string
	PrimaryUserID  ID // the primary contact
	DomainName     string
	Country        string
	CountryCode    string
	City           string
	Street         string
	State          string
	Zip            string
	Phone          string
	Mobile         string
	Fax            string
	Website        string
	EmployeeCount  string
	Description    string
	Currency       string // display form, e.g. "US Dollar - USD"
	CurrencySymbol string
	CurrencyLocale string
	ISOCode        string
	TimeZone       string // IANA name
	Type           string // production, sandbox, developer
	Edition        string // one of the Edition* constants
	LicenseUsers   int    // users_license_purchased
	Paid           bool
	TrialExpiry    *time.Time
	PaidExpiry     *time.Time
	CreatedTime    time.Time
	ModifiedTime   time.Time
}

// Location returns the org's time zone, UTC if it is unknown.
func (o *Org) Location() *time.Location {
	if loc, err := time.LoadLocation(o.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}
