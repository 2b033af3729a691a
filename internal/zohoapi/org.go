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

type hierarchyPreferences struct {
	Type              string `json:"type"`
	StrictlyReporting bool   `json:"strictly_reporting"`
}

// orgJSON is the org record of GET /org, as Zoho documents it at
// https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html, limited
// to the fields that mean something in crmguard.
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
}

func orgView(o *crmguard.Org) orgJSON {
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
	return orgJSON{
		Country: o.Country, HierarchyPreferences: hierarchyPreferences{Type: "Role_Hierarchy"},
		City: str(o.City), Description: str(o.Description), DomainName: o.DomainName,
		Street: str(o.Street), Alias: str(o.Alias), Currency: o.Currency, ID: o.ID, State: str(o.State),
		Fax: str(o.Fax), EmployeeCount: str(o.EmployeeCount), Zip: str(o.Zip),
		CreatedTime: formatTime(o.CreatedTime, loc), Website: str(o.Website), CurrencySymbol: o.CurrencySymbol,
		Mobile: str(o.Mobile), CurrencyLocale: o.CurrencyLocale, PrimaryZUID: o.PrimaryUserID,
		TimeZone: o.TimeZone, ZGID: o.ID, CountryCode: o.CountryCode, LicenseDetails: lic,
		Phone: str(o.Phone), CompanyName: o.CompanyName, PrimaryEmail: o.PrimaryEmail,
		ISOCode: o.ISOCode, Type: o.Type, MaxPerPage: 200,
	}
}

// cachedOrg is an org's encoded GET /org body, good while the epoch holds.
type cachedOrg struct {
	epoch uint64
	body  []byte
}

// getOrg answers GET /org: {"org":[{...}]}. The body is encoded once per
// change epoch: the org changes rarely and is read on every health check of
// an integration.
func (a *API) getOrg(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	epoch := a.svc.Epoch()
	if v, ok := a.orgs.Load(p.OrgID); ok && v.(*cachedOrg).epoch == epoch {
		return web.WriteRawJSON(w, http.StatusOK, v.(*cachedOrg).body)
	}
	o, err := a.svc.Org(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	body, err := web.Marshal(map[string]any{"org": []orgJSON{orgView(o)}})
	if err != nil {
		return err
	}
	a.orgs.Store(p.OrgID, &cachedOrg{epoch: epoch, body: body})
	return web.WriteRawJSON(w, http.StatusOK, body)
}
