package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// MaxFormBytes bounds every form body: sign-in, consent, token and
// invitation forms are a few hundred bytes; 64 KiB leaves room and nothing
// more.
const MaxFormBytes = 64 << 10

// ErrFormTooLarge and ErrFormFile are what ParseForm refuses.
var (
	ErrFormTooLarge = errors.New("form body too large")
	ErrFormFile     = errors.New("form has a file part")
)

// ParseForm reads a urlencoded or multipart form of at most MaxFormBytes
// into r.Form and r.PostForm, with the query string merged into r.Form as
// net/http does. A multipart body is read part by part in memory: a part
// with a file name is refused, and nothing is ever spooled to disk.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		err := r.ParseForm()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrFormTooLarge
		}
		return err
	}
	if params["boundary"] == "" {
		return errors.New("multipart form without a boundary")
	}
	post := url.Values{}
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return tooLarge(err)
		}
		if p.FileName() != "" {
			return ErrFormFile
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return tooLarge(err)
		}
		if name := p.FormName(); name != "" {
			post.Add(name, string(b))
		}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	r.PostForm = post
	r.Form = url.Values{}
	for k, vs := range post {
		r.Form[k] = append(r.Form[k], vs...)
	}
	for k, vs := range q {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return nil
}

func tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || strings.Contains(err.Error(), "request body too large") {
		return ErrFormTooLarge
	}
	return err
}
