package zohoapi

import (
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

type licenseDetails struct {
	Paid                        bool    `json:"paid"`
	PaidType                    *string `json:"paid_type"`
	PaidExpiry                  *string `json:"paid_expiry"`
	TrialType                   *string `json:"trial_type"`
	TrialExpiry                 *string `json:"trial_expiry"`
	TrialAction                 *string `json:"trial_action"`
	UsersLicensePurchased       int     `json:"users_license_purchased"`
	PortalUsersLicensePurchased int     `json:"portal_users_license_purchased"`
}

// checkinPreferences is the org's check-in preferences object (v8).
type checkinPreferences struct {
	RestrictedEventTypes *string `json:"restricted_event_types"`
}

type hierarchyPreferences struct {
	Type              string `json:"type"`
	StrictlyReporting bool   `json:"strictly_reporting"`
}

// orgJSON is the org record of GET /org, as Zoho documents it at
// https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html, limited
// to the fields that mean something in crmguard.
//
// The pointer fields with omitempty are the keys only some versions send:
// deletable_org_account is in the Response JSON Keys of the v3 to v8 pages
// (the v5 page's sample sends false) and in no v2 or v2.1 sample; ezgid,
// call_icon, oauth_presence, zia_zgid and checkin_preferences are required
// by the Org schema of Zoho's OpenAPI file for v8.0 only
// (https://github.com/zoho/crm-oas/blob/main/v8.0/org.json), whose sample
// (v8.0/org/operations/getOrganization/examples/response-200-orggetresponse.md)
// gives the values sent here.
type orgJSON struct {
	Country                string               `json:"country"`
	HierarchyPreferences   hierarchyPreferences `json:"hierarchy_preferences"`
	Photo_id               *string              `json:"photo_id"`
	City                   *string              `json:"city"`
	Description            *string              `json:"description"`
	McStatus               bool                 `json:"mc_status"`
	GappsEnabled           bool                 `json:"gapps_enabled"`
	DomainName             string               `json:"domain_name"`
	TranslationEnabled     bool                 `json:"translation_enabled"`
	Street                 *string              `json:"street"`
	Alias                  *string              `json:"alias"`
	Currency               string               `json:"currency"`
	DeletableOrgAccount    *bool                `json:"deletable_org_account,omitempty"`
	ID                     crmguard.ID          `json:"id"`
	State                  *string              `json:"state"`
	Fax                    *string              `json:"fax"`
	EmployeeCount          *string              `json:"employee_count"`
	Zip                    *string              `json:"zip"`
	CreatedTime            *string              `json:"created_time"`
	Website                *string              `json:"website"`
	CurrencySymbol         string               `json:"currency_symbol"`
	Mobile                 *string              `json:"mobile"`
	CurrencyLocale         string               `json:"currency_locale"`
	PrimaryZUID            crmguard.ID          `json:"primary_zuid"`
	ZiaPortalID            *string              `json:"zia_portal_id"`
	TimeZone               string               `json:"time_zone"`
	ZGID                   crmguard.ID          `json:"zgid"`
	CountryCode            string               `json:"country_code"`
	LicenseDetails         licenseDetails       `json:"license_details"`
	Phone                  *string              `json:"phone"`
	CompanyName            string               `json:"company_name"`
	PrivacySettings        bool                 `json:"privacy_settings"`
	PrimaryEmail           string               `json:"primary_email"`
	HipaaComplianceEnabled bool                 `json:"hipaa_compliance_enabled"`
	ISOCode                string               `json:"iso_code"`
	Type                   string               `json:"type"`
	LiteUsersEnabled       bool                 `json:"lite_users_enabled"`
	MaxPerPage             int                  `json:"max_per_page"`
	EZGID                  *string              `json:"ezgid,omitempty"`
	CallIcon               *string              `json:"call_icon,omitempty"`
	OAuthPresence          *bool                `json:"oauth_presence,omitempty"`
	ZiaZGID                *int                 `json:"zia_zgid,omitempty"`
	CheckinPreferences     *checkinPreferences  `json:"checkin_preferences,omitempty"`
}

// orgTier groups the versions whose org records have the same keys.
type orgTier int

const (
	orgTierV2 orgTier = iota // v2, v2.1
	orgTierV3                // v3 to v7: deletable_org_account
	orgTierV8                // v8: the keys of the v8.0 OpenAPI schema
	numOrgTiers
)

func orgTierOf(version string) orgTier {
	switch {
	case compareVersions(version, "v8") >= 0:
		return orgTierV8
	case compareVersions(version, "v3") >= 0:
		return orgTierV3
	}
	return orgTierV2
}

// orgView renders o; photo is the ID of its photo, 0 for none; zuid is
// the primary user's ZUID, which Zoho's primary_zuid repeats.
func orgView(o *crmguard.Org, photo crmguard.ID, zuid int64, tier orgTier) orgJSON {
	loc := o.Location()
	lic := licenseDetails{Paid: o.Paid, UsersLicensePurchased: o.LicenseUsers}
	if o.Paid {
		lic.PaidType = str(o.Edition)
	} else {
		lic.TrialType = str(o.Edition)
	}
	if o.PaidExpiry != nil {
		lic.PaidExpiry = formatTime(*o.PaidExpiry, loc)
	}
	if o.TrialExpiry != nil {
		lic.TrialExpiry = formatTime(*o.TrialExpiry, loc)
	}
	j := orgJSON{
		Country: o.Country, HierarchyPreferences: hierarchyPreferences{Type: "Role_Hierarchy"},
		City: str(o.City), Description: str(o.Description), DomainName: o.DomainName,
		Street: str(o.Street), Alias: str(o.Alias), Currency: o.Currency, ID: o.ID, State: str(o.State),
		Fax: str(o.Fax), EmployeeCount: str(o.EmployeeCount), Zip: str(o.Zip),
		CreatedTime: formatTime(o.CreatedTime, loc), Website: str(o.Website), CurrencySymbol: o.CurrencySymbol,
		Mobile: str(o.Mobile), CurrencyLocale: o.CurrencyLocale, PrimaryZUID: crmguard.ID(zuid),
		TimeZone: o.TimeZone, ZGID: o.ID, CountryCode: o.CountryCode, LicenseDetails: lic,
		Phone: str(o.Phone), CompanyName: o.CompanyName, PrimaryEmail: o.PrimaryEmail,
		ISOCode: o.ISOCode, Type: o.Type, MaxPerPage: 200,
	}
	if tier >= orgTierV3 {
		// crmguard has no account deletion: the org is never deletable.
		j.DeletableOrgAccount = new(false)
	}
	if tier >= orgTierV8 {
		// Zoho's sample pairs zgid123 with ezgid123: the same group.
		j.EZGID = new(o.ID.String())
		j.CallIcon = new("show")
		j.OAuthPresence = new(true)
		j.ZiaZGID = new(12345)
		j.CheckinPreferences = &checkinPreferences{}
	}
	if photo != 0 {
		j.Photo_id = new(photo.String())
	}
	return j
}

// cachedOrg is an org's encoded GET /org bodies, one per tier of versions,
// good while the epoch holds.
type cachedOrg struct {
	epoch uint64
	body  [numOrgTiers][]byte
}

// getOrg answers GET /org: {"org":[{...}]}. The body is encoded once per
// change epoch: the org changes rarely and is read on every health check of
// an integration.
func (a *API) getOrg(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	epoch := a.svc.Epoch()
	tier := orgTierOf(r.PathValue("version"))
	if v, ok := a.orgs.Load(p.OrgID); ok && v.(*cachedOrg).epoch == epoch {
		return web.WriteRawJSON(w, http.StatusOK, v.(*cachedOrg).body[tier])
	}
	o, err := a.svc.Org(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	photo, err := a.svc.OrgPhotoID(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	primary, err := a.svc.User(r.Context(), p.OrgID, o.PrimaryUserID)
	if err != nil {
		return err
	}
	c := &cachedOrg{epoch: epoch}
	for t := range numOrgTiers {
		if c.body[t], err = web.Marshal(map[string]any{"org": []orgJSON{orgView(o, photo, primary.ZUID, t)}}); err != nil {
			return err
		}
	}
	a.orgs.Store(p.OrgID, c)
	return web.WriteRawJSON(w, http.StatusOK, c.body[tier])
}
