package zohoapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/web"
)

// Transfer records and delete user, and the status of its job, from v5 on:
//   - https://www.zoho.com/crm/developer/docs/api/v8/transfer_records-delete_user.html
//     (v5 page: https://www.zoho.com/crm/developer/docs/api/v5/transfer_records-delete_user.html)
//   - https://www.zoho.com/crm/developer/docs/api/v8/transfer-records-delete-user-status.html
//   - Zoho's OpenAPI file zoho/crm-oas v8.0/users_transfer_delete.json
//
// The body is {"transfer_and_delete":[{"id", "transfer":{"id", "records",
// "assignment", "criteria"}, "move_subordinate":{"id"}}]}; id is mandatory
// unless the URL names the user, transfer and its four keys always are.
// Zoho answers each item with SUCCESS and the job's ID in details.jobId
// (the OpenAPI Success_Response; its details also has id, the user's).
const transferKey = "transfer_and_delete"

// maxTransferBatch bounds the users of one request. Zoho documents no
// limit; crmguard takes the Users API's batch size.
const maxTransferBatch = maxUpdateBatch

// msgRequiredField is the OpenAPI Mandatory_API_Exception's message.
const msgRequiredField = "required field not found"

// transferAndDelete answers POST /users/actions/transfer_and_delete and
// POST /users/{id}/actions/transfer_and_delete. The whole request is one
// job in one transaction: an item that fails answers 400 with that item's
// error and nothing changes.
func (a *API) transferAndDelete(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	pathUser, err := pathID(r)
	if err != nil {
		return err
	}
	if err := requireManageUsers(p); err != nil {
		return err
	}
	max := maxTransferBatch
	if pathUser != 0 {
		max = 1
	}
	recs, err := recordsBody(r, transferKey, max, msgRequiredField)
	if err != nil {
		return err
	}
	items := make([]service.TransferInput, len(recs))
	for i, rec := range recs {
		if items[i], err = transferItem(rec, i, pathUser); err != nil {
			e, _ := crmguard.AsError(err)
			return writeRecords(w, http.StatusBadRequest, transferKey, failure(e))
		}
	}
	job, err := a.svc.TransferAndDelete(r.Context(), a.actor(r, p), items)
	var ie *service.ItemError
	if errors.As(err, &ie) {
		var fe *service.FieldError
		if pathUser != 0 && errors.As(ie.Err, &fe) && fe.Field == "id" {
			// The URL named the user: Zoho points at the path, not the body.
			return crmguard.NewError(fe.Err.Code, fe.Err.Message, crmguard.Details{"resource_path_index": 0})
		}
		e, err := recordError(ie.Err, false, recordPath(transferKey, ie.Index))
		if e == nil {
			return err
		}
		return writeRecords(w, http.StatusBadRequest, transferKey, failure(e))
	} else if err != nil {
		return err
	}
	out := make([]web.Envelope, len(job.Items))
	for i, it := range job.Items {
		out[i] = web.Envelope{Code: "SUCCESS", Message: "User deleted", Status: "success",
			Details: crmguard.Details{"id": it.UserID.String(), "jobId": job.ID.String()}}
	}
	return writeRecords(w, http.StatusOK, transferKey, out...)
}

// transferItem decodes item i of the body; user is the URL's user, or 0.
func transferItem(rec map[string]json.RawMessage, i int, user crmguard.ID) (service.TransferInput, error) {
	var in service.TransferInput
	if rec == nil {
		return in, notObject(transferKey, i)
	}
	at := recordPath(transferKey, i)
	in.UserID = user
	if user == 0 {
		id, given, ok := recordID(rec)
		if !given {
			return in, missingKey("id", at+".id")
		} else if !ok {
			return in, crmguard.NewError(crmguard.CodeInvalidData, service.ErrInvalidUserID.Message, crmguard.Details{"api_name": "id", "json_path": at + ".id"})
		}
		in.UserID = id
	}
	tr, err := object(rec, "transfer", at+".transfer", true)
	if err != nil {
		return in, err
	}
	if in.To, err = objectID(tr, at+".transfer"); err != nil {
		return in, err
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"records", &in.Records}, {"assignment", &in.Assignment}, {"criteria", &in.Criteria}} {
		raw, ok := tr[f.name]
		if !ok || isNull(raw) {
			return in, missingKey(f.name, at+".transfer."+f.name)
		}
		if json.Unmarshal(raw, f.dst) != nil {
			return in, wrongType(f.name, at+".transfer."+f.name, "boolean")
		}
	}
	ms, err := object(rec, "move_subordinate", at+".move_subordinate", false)
	if err != nil || ms == nil {
		return in, err
	}
	in.MoveSubordinate, err = objectID(ms, at+".move_subordinate")
	return in, err
}

// object reads member key of rec as a JSON object; an absent or null one
// is nil, or MANDATORY_NOT_FOUND when required.
func object(rec map[string]json.RawMessage, key, path string, required bool) (map[string]json.RawMessage, error) {
	raw, ok := rec[key]
	if !ok || isNull(raw) {
		if required {
			return nil, missingKey(key, path)
		}
		return nil, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, wrongType(key, path, "jsonobject")
	}
	return m, nil
}

// objectID reads the mandatory id of an object at path.
func objectID(m map[string]json.RawMessage, path string) (crmguard.ID, error) {
	id, given, ok := recordID(m)
	if !given {
		return 0, missingKey("id", path+".id")
	} else if !ok || id == 0 {
		return 0, wrongType("id", path+".id", "bigint")
	}
	return id, nil
}

func missingKey(api, path string) *crmguard.Error {
	return crmguard.NewError(crmguard.CodeMandatoryNotFound, msgRequiredField, crmguard.Details{"api_name": api, "json_path": path})
}

// wrongType is the OpenAPI Expected_Data_Type_API_Exception.
func wrongType(api, path, typ string) *crmguard.Error {
	return crmguard.NewError(crmguard.CodeInvalidData, "invalid data", crmguard.Details{"api_name": api, "json_path": path, "expected_data_type": typ})
}

// transferStatus answers GET /users/actions/transfer_and_delete?job_id=:
// {"transfer_and_delete":[{"status":"completed"}]}, lower case as Zoho's
// page words it. A job_id no job has answers 204, the OpenAPI file's
// empty answer of this operation.
func (a *API) transferStatus(w http.ResponseWriter, r *http.Request, p *crmguard.Principal) error {
	id, err := requiredID(r, "job_id")
	if err != nil {
		return err
	}
	j, err := a.svc.TransferJob(r.Context(), p.OrgID, id)
	if errors.Is(err, service.ErrInvalidTransferJob) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	} else if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, map[string][]map[string]string{transferKey: {{"status": j.Status}}})
}
