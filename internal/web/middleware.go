package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Observe wraps the whole handler tree: it sets X-Request-Id, recovers
// panics into INTERNAL_ERROR, counts the request by route pattern and status,
// and logs it.
func Observe(next http.Handler, log *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = requestID()
		}
		w.Header()["X-Request-Id"] = []string{id}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "request_id", id, "method", r.Method, "path", logPath(r), "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteError(sw, r, log, internalError)
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			pattern := r.Pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			elapsed := time.Since(start)
			m.observe(pattern, status, elapsed)
			if log.Enabled(r.Context(), slog.LevelInfo) {
				log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("request_id", id), slog.String("method", r.Method),
					slog.String("path", logPath(r)), slog.String("route", pattern),
					slog.Int("status", status), slog.Duration("duration", elapsed),
					slog.String("remote", r.RemoteAddr))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// logPath is the request's path as log lines may show it: when the route
// carries a secret in the path (an invitation's {token}), the route only.
func logPath(r *http.Request) string {
	if strings.Contains(r.Pattern, "{token}") {
		return r.Pattern[strings.IndexByte(r.Pattern, '/'):]
	}
	return r.URL.Path
}

// validRequestID accepts a caller's X-Request-Id only when it is short and
// printable ASCII without spaces: it is echoed in a header and written to
// every log line, so it must not carry control characters, log-line
// breaks or a payload.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// hsts asks browsers to reach this host only over HTTPS for a year.
var (
	hsts    = []string{"max-age=31536000"}
	nosniff = []string{"nosniff"}
)

// SecurityHeaders sets what every response carries: nosniff, so no browser
// renders a JSON or text answer as HTML; and under HTTPS (served directly,
// or behind a TLS proxy as ip.Secure tells) Strict-Transport-Security.
func SecurityHeaders(next http.Handler, ip *ClientIP) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		if ip.Secure(r) {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// statusText caches status codes as label strings.
var statusText = func() map[int]string {
	m := map[int]string{}
	for c := 100; c < 600; c++ {
		m[c] = strconv.Itoa(c)
	}
	return m
}()
