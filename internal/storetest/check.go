package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
)

// must stops the test on an unexpected error.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr reports an error that is not (or does not wrap) target.
func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// same reports where got and want differ.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// diff compares two values field by field, as the store's contract sees
// them: times are equal when they are the same instant and read back in
// UTC; a nil and an empty slice or map are equal; JSON is equal when it
// holds the same value, however it is spaced. It returns "" when they are
// equal, else where they differ.
func diff(got, want any) string {
	var out []string
	walk(&out, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return strings.Join(out, "; ")
}

func walk(out *[]string, path string, g, w reflect.Value) {
	if len(*out) >= 8 {
		return
	}
	add := func(gv, wv any) {
		p := path
		if p == "" {
			p = "value"
		}
		*out = append(*out, fmt.Sprintf("%s is %v, want %v", p, gv, wv))
	}
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			add(g, w)
		}
		return
	}
	if g.Type() != w.Type() {
		add(g.Type(), w.Type())
		return
	}
	switch g.Type() {
	case timeType:
		gt, wt := g.Interface().(time.Time), w.Interface().(time.Time)
		if !gt.Equal(wt) || gt.Location() != time.UTC {
			add(gt, wt)
		}
		return
	case rawType:
		if !jsonEqual(g.Bytes(), w.Bytes()) {
			add(string(g.Bytes()), string(w.Bytes()))
		}
		return
	}
	switch g.Kind() {
	case reflect.Pointer, reflect.Interface:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				add(g.Interface(), w.Interface())
			}
			return
		}
		walk(out, path, g.Elem(), w.Elem())
	case reflect.Struct:
		for i := range g.NumField() {
			if f := g.Type().Field(i); f.IsExported() {
				walk(out, path+"."+f.Name, g.Field(i), w.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if g.Len() != w.Len() {
			add(g.Interface(), w.Interface())
			return
		}
		for i := range g.Len() {
			walk(out, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	case reflect.Map:
		if g.Len() != w.Len() {
			add(g.Interface(), w.Interface())
			return
		}
		for _, k := range w.MapKeys() {
			walk(out, fmt.Sprintf("%s[%v]", path, k), g.MapIndex(k), w.MapIndex(k))
		}
	default:
		if !g.Equal(w) {
			add(g.Interface(), w.Interface())
		}
	}
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

// isNotFound reports whether err is the store's ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, crmguard.ErrNotFound) }

// wantRefresh reports a refresh token (by hash) that is not revoked at
// when, or, when when is zero, not live.
func wantRefresh(t *testing.T, f *fx, s crmguard.Store, hash []byte, when time.Time, what string) {
	t.Helper()
	got, err := s.GetRefreshToken(f.ctx, hash)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	wantRevoked(t, got.RevokedAt, when, what)
}

// wantAccess is wantRefresh for an access token.
func wantAccess(t *testing.T, f *fx, s crmguard.Store, hash []byte, when time.Time, what string) {
	t.Helper()
	got, err := s.GetAccessToken(f.ctx, hash)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	wantRevoked(t, got.RevokedAt, when, what)
}

func wantRevoked(t *testing.T, revoked *time.Time, when time.Time, what string) {
	t.Helper()
	switch {
	case when.IsZero() && revoked != nil:
		t.Errorf("%s: revoked at %v, want live", what, *revoked)
	case !when.IsZero() && (revoked == nil || !revoked.Equal(when)):
		t.Errorf("%s: revoked at %v, want %v", what, revoked, when)
	}
}
