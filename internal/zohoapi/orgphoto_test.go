package zohoapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// multipartBody builds a multipart/form-data body of these parts (form
// name, file name, content; an empty file name makes a plain field) and
// returns it with its Content-Type header.
func multipartBody(t testing.TB, parts ...[3]string) (string, []string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[1] == "" {
			w, err = mw.CreateFormField(p[0])
		} else {
			w, err = mw.CreateFormFile(p[0], p[1])
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[2])
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), []string{"Content-Type", mw.FormDataContentType()}
}

func pngOf(t *testing.T, w, h int) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestOrgPhotoScenarios pins GET, POST and DELETE /org/photo in golden
// files under testdata/org: the errors of Zoho's upload page
// (https://www.zoho.com/crm/developer/docs/api/v8/upload-org-img.html: no
// file, more than one file, not an image, over 1 MB or 10 megapixels) and
// delete page (https://www.zoho.com/crm/developer/docs/api/v8/delete-org-img.html),
// the scopes (ZohoCRM.org.CREATE or WRITE or ALL to upload,
// ZohoCRM.org.DELETE or ALL to delete), the permission (Manage Company
// Details), and the first version of each route: upload from v2, delete
// from v3, read on v8.
//
// Where Zoho's OpenAPI file (v8.0/org.json) and its pages disagree, the
// pages win: the upload and delete answers are bare status objects with
// "details": {} as the pages' samples show, where the file's
// Success_Response requires details.id.
func TestOrgPhotoScenarios(t *testing.T) {
	testenv.EachBackend(t, orgPhotoScenarios)
}

func orgPhotoScenarios(t *testing.T, b testenv.Backend) {
	f := newUsersFixture(t, b)
	f.tokens["orgall"] = f.env.Token(t, "", "ZohoCRM.org.ALL")
	f.tokens["orgcreate"] = f.env.Token(t, "", "ZohoCRM.org.CREATE")
	f.tokens["orgdelete"] = f.env.Token(t, "", "ZohoCRM.org.DELETE")
	f.tokens["salesorg"] = f.env.Token(t, salesUser, "ZohoCRM.org.ALL") // no Manage Company Details
	logo := pngOf(t, 64, 32)
	body := func(parts ...[3]string) (string, []string) { return multipartBody(t, parts...) }
	one, oneH := body([3]string{"file", "logo.png", logo})
	other, otherH := body([3]string{"file", "logo2.png", pngOf(t, 32, 32)})
	noFile, noFileH := body([3]string{"name", "", "logo"})
	otherName, otherNameH := body([3]string{"photo", "logo.png", logo})
	two, twoH := body([3]string{"file", "a.png", logo}, [3]string{"file", "b.png", logo})
	text, textH := body([3]string{"file", "notes.txt", "not an image at all"})
	empty, emptyH := body([3]string{"file", "empty.png", ""})
	fakePNG, fakePNGH := body([3]string{"file", "fake.png", "\x89PNG\r\n\x1a\n" + strings.Repeat("x", 40)})
	big, bigH := body([3]string{"file", "big.png", logo + strings.Repeat("\x00", 1<<20)})
	huge, hugeH := body([3]string{"file", "huge.png", logo + strings.Repeat("\x00", 2<<20)})
	wide, wideH := body([3]string{"file", "wide.png", pngOf(t, 4000, 3000)}) // 12 MP

	f.run(t, []scenario{
		{name: "org/photo_get_none_v8", method: "GET", path: "/crm/v8/org/photo", token: "org"},
		{name: "org/photo_get_v7", method: "GET", path: "/crm/v7/org/photo", token: "org"},
		{name: "org/photo_wrong_method", method: "PUT", path: "/crm/v8/org/photo", token: "orgall"},

		{name: "org/photo_upload_v2", method: "POST", path: "/crm/v2/org/photo", token: "orgcreate", body: one, header: oneH, changes: true},
		{name: "org/photo_upload_v8", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: other, header: otherH, changes: true},
		{name: "org/photo_upload_not_multipart", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: `{"file":"logo.png"}`},
		{name: "org/photo_upload_no_file", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: noFile, header: noFileH},
		{name: "org/photo_upload_other_field_name", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: otherName, header: otherNameH},
		{name: "org/photo_upload_two_files", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: two, header: twoH},
		{name: "org/photo_upload_not_image", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: text, header: textH},
		{name: "org/photo_upload_empty_file", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: empty, header: emptyH},
		{name: "org/photo_upload_broken_image", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: fakePNG, header: fakePNGH},
		{name: "org/photo_upload_over_1mb", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: big, header: bigH},
		{name: "org/photo_upload_body_over_limit", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: huge, header: hugeH},
		{name: "org/photo_upload_over_10mp", method: "POST", path: "/crm/v8/org/photo", token: "orgall", body: wide, header: wideH},
		{name: "org/photo_upload_no_permission", method: "POST", path: "/crm/v8/org/photo", token: "salesorg", body: one, header: oneH},
		{name: "org/photo_upload_scope_mismatch", method: "POST", path: "/crm/v8/org/photo", token: "org", body: one, header: oneH},
		{name: "org/get_with_photo_v8", method: "GET", path: "/crm/v8/org", token: "org"},
		{name: "org/get_with_photo_v2", method: "GET", path: "/crm/v2/org", token: "org"},
	})

	// The image itself, as uploaded last (the v8 upload replaced v2's).
	t.Run("org/photo_get_v8", func(t *testing.T) {
		resp := f.env.Do(t, "GET", "/crm/v8/org/photo", f.tokens["org"], "")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		_, want, _ := strings.Cut(other, "\r\n\r\n")
		want = want[:strings.Index(want, "\r\n--")]
		if string(b) != want {
			t.Errorf("GET /org/photo answered %d bytes, not the %d uploaded", len(b), len(want))
		}
		testenv.Golden(t, "org/photo_get_v8", fmt.Appendf(nil, "HTTP %d\nContent-Type: %s\n\n%d bytes, sha256 %x\n",
			resp.StatusCode, resp.Header.Get("Content-Type"), len(b), sha256.Sum256(b)))
	})

	f.run(t, []scenario{
		{name: "org/photo_delete_no_permission", method: "DELETE", path: "/crm/v8/org/photo", token: "salesorg"},
		{name: "org/photo_delete_scope_mismatch", method: "DELETE", path: "/crm/v8/org/photo", token: "orgcreate"},
		{name: "org/photo_delete_v2", method: "DELETE", path: "/crm/v2/org/photo", token: "orgall"},
		{name: "org/photo_delete_v3", method: "DELETE", path: "/crm/v3/org/photo", token: "orgdelete", changes: true},
		{name: "org/photo_delete_none_v8", method: "DELETE", path: "/crm/v8/org/photo", token: "orgall"},
		{name: "org/photo_get_deleted_v8", method: "GET", path: "/crm/v8/org/photo", token: "org"},
	})

	// Every change is in the audit log, without the image.
	evs, err := f.env.Store.ListAudit(context.Background(), f.env.Org.ID, crmguard.AuditFilter{Action: "org.photo_upload", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("org.photo_upload events: %d, want 2", len(evs))
	}
	if bytes.Contains(evs[0].After, []byte("PNG")) || !bytes.Contains(evs[0].After, []byte("sha256")) {
		t.Errorf("the audit event should describe the photo, not hold it: %s", evs[0].After)
	}
}

// FuzzOrgPhotoUpload sends fuzzed multipart bodies (with a fuzzed
// boundary) to POST /org/photo: no input may answer 500, and a refused
// upload (4xx) must change nothing.
func FuzzOrgPhotoUpload(f *testing.F) {
	env := testenv.New(f, testenv.Options{})
	tok := env.Token(f, "", "ZohoCRM.org.ALL")
	seeds := [][3]string{{"file", "logo.png", ""}, {"file", "notes.txt", "text"}, {"name", "", "x"}}
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		f.Fatal(err)
	}
	seeds[0][2] = logo.String()
	for _, s := range seeds {
		body, h := multipartBody(f, s)
		_, boundary, _ := strings.Cut(h[1], "boundary=")
		f.Add(boundary, body)
	}
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nGIF89a\r\n--b--\r\n")
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nBM\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x7f\xff\xff\xff\x7f\r\n--b--\r\n")
	f.Fuzz(func(t *testing.T, boundary, body string) {
		if strings.ContainsFunc(boundary, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			t.Skip("not a header value a client can send")
		}
		ctx := context.Background()
		seq, err := env.Store.LastAuditSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		resp := env.Do(t, "POST", "/crm/v8/org/photo", tok, body, "Content-Type", "multipart/form-data; boundary="+boundary)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("answered %d", resp.StatusCode)
		}
		after, err := env.Store.LastAuditSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 400 && after != seq {
			t.Fatalf("a refused upload (%d) changed the org", resp.StatusCode)
		}
	})
}
