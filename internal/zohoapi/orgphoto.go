package zohoapi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	_ "image/gif" // image.DecodeConfig reads the sizes of the formats Zoho takes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// The org photo API: GET, POST (upload) and DELETE /org/photo, as Zoho
// documents them at
// https://www.zoho.com/crm/developer/docs/api/v8/upload-org-img.html and
// https://www.zoho.com/crm/developer/docs/api/v8/delete-org-img.html, and
// as Zoho's OpenAPI file models them
// (https://github.com/zoho/crm-oas/blob/main/v8.0/org.json).
const (
	// maxPhotoBytes is the largest photo Zoho takes: "the allowed size
	// (1 MB)".
	maxPhotoBytes = 1 << 20
	// maxPhotoPixels is "the allowed resolution (10 MP)".
	maxPhotoPixels = 10_000_000
	// maxPhotoBody bounds the whole multipart request, read in memory: the
	// photo and room for the part headers and boundaries. The JSON APIs'
	// maxBody does not apply to this route.
	maxPhotoBody = maxPhotoBytes + 64<<10
)

// photoTypes are the image formats Zoho takes for photos ("PNG, JPEG, JPG,
// GIF, and BMP", https://www.zoho.com/crm/developer/docs/api/v8/upload-image.html),
// by the media type http.DetectContentType finds in their first bytes.
var photoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/bmp": true}

var (
	errNoPhotoFile   = crmguard.NewError(crmguard.CodeInvalidData, "The request does not contain any file", nil)
	errTwoPhotoFiles = crmguard.NewError(crmguard.CodeInvalidData, "The request contains more than one file", nil)
	errPhotoType     = crmguard.NewError(crmguard.CodeInvalidData, "Invalid file type", nil)
	// errPhotoSize is HTTP 415 as Zoho's upload page gives it, for a photo
	// over 1 MB or over 10 megapixels.
	errPhotoSize = &crmguard.Error{Code: "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
		Message: "Please check if the file size is in the correct range", Status: http.StatusUnsupportedMediaType}
	// errPhotoUploadDenied is the upload page's refusal of a user without
	// the permission: AUTHORIZATION_FAILED, HTTP 400
	// (https://www.zoho.com/developer/docs/vertical-solutions/api/v4/upload-org-img.html).
	errPhotoUploadDenied = &crmguard.Error{Code: "AUTHORIZATION_FAILED",
		Message: "User does not have sufficient privilege to add organization photo.", Status: http.StatusBadRequest,
		Details: crmguard.Details{"permissions": []string{permManageCompanyDetails}}}
)

// permManageCompanyDetails is the profile permission behind Zoho's
// "Company Details" setup page, which holds the org's logo.
const permManageCompanyDetails = "Crm_Implied_Manage_Company_Details"

// getOrgPhoto answers GET /org/photo with the image itself, as the
// OpenAPI file's image/png answer has it. An org without a photo answers
// 204, as Zoho's GET APIs answer when there is nothing to return; Zoho
// documents no answer for that case.
func (a *API) getOrgPhoto(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	ph, err := a.svc.OrgPhoto(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	if ph == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", ph.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(ph.Data)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(ph.Data)
	return err
}

// uploadOrgPhoto answers POST /org/photo: one image in the multipart
// field "file". Zoho's sample answer is a bare status object with empty
// details, where the OpenAPI file's Success_Response requires details.id:
// the documentation page wins.
func (a *API) uploadOrgPhoto(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	if !p.Can(permManageCompanyDetails) {
		return errPhotoUploadDenied
	}
	data, err := readPhoto(w, r)
	if err != nil {
		return err
	}
	typ := http.DetectContentType(data)
	if !photoTypes[typ] {
		return errPhotoType
	}
	if px, ok := photoPixels(data, typ); !ok {
		return errPhotoType
	} else if px > maxPhotoPixels {
		return errPhotoSize
	}
	if _, err := a.svc.SetOrgPhoto(r.Context(), a.actor(r, p), typ, data); err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, web.Envelope{Code: "SUCCESS", Details: crmguard.Details{},
		Message: "photo uploaded successfully", Status: "success"})
}

// deleteOrgPhoto answers DELETE /org/photo with Zoho's sample answer.
func (a *API) deleteOrgPhoto(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	if err := requirePerm(p, permManageCompanyDetails, "Permission denied to delete"); err != nil {
		return err
	}
	if err := a.svc.DeleteOrgPhoto(r.Context(), a.actor(r, p)); err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, web.Envelope{Code: "SUCCESS", Details: crmguard.Details{},
		Message: "Photo deleted", Status: "success"})
}

// readPhoto reads the request's one file, in memory, within Zoho's size
// limit.
func readPhoto(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errNoPhotoFile
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPhotoBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errPhotoSize
		}
		return nil, err
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var file []byte
	files := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errNoPhotoFile
		}
		if part.FormName() != "file" && part.FileName() == "" {
			continue // another form field: not a file
		}
		files++
		if files > 1 {
			return nil, errTwoPhotoFiles
		}
		if part.FormName() != "file" {
			continue // a file under another name is not the photo
		}
		if file, err = io.ReadAll(io.LimitReader(part, maxPhotoBytes+1)); err != nil {
			return nil, errNoPhotoFile
		}
		if file == nil {
			file = []byte{}
		}
	}
	switch {
	case file == nil:
		return nil, errNoPhotoFile
	case len(file) == 0:
		return nil, errPhotoType
	case len(file) > maxPhotoBytes:
		return nil, errPhotoSize
	}
	return file, nil
}

// photoPixels returns the image's width times height, read from its
// header; ok is false when the header is not a valid one.
func photoPixels(data []byte, typ string) (px int64, ok bool) {
	if typ == "image/bmp" {
		// BITMAPINFOHEADER: width and height are int32 at 18 and 22; a
		// negative height means rows top-down.
		if len(data) < 26 {
			return 0, false
		}
		wd := int64(int32(binary.LittleEndian.Uint32(data[18:])))
		ht := int64(int32(binary.LittleEndian.Uint32(data[22:])))
		if ht < 0 {
			ht = -ht
		}
		return wd * ht, wd > 0 && ht > 0
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, false
	}
	return int64(cfg.Width) * int64(cfg.Height), true
}
