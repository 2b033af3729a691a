package web

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are crmguard's Prometheus metrics, on a registry of their own.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	denials  *prometheus.CounterVec
	tokens   *prometheus.CounterVec
	revoked  prometheus.Counter
}

// NewMetrics registers the metrics and the Go runtime and process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmguard_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "crmguard_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmguard_api_denials_total", Help: "API requests denied by the access pipeline, by reason (the Zoho error code).",
		}, []string{"reason"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmguard_oauth_tokens_issued_total", Help: "OAuth tokens issued, by grant type and token kind.",
		}, []string{"grant_type", "kind"}),
	}
	m.revoked = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "crmguard_oauth_tokens_revoked_total", Help: "OAuth tokens revoked at /oauth/v2/token/revoke.",
	})
	reg.MustRegister(m.requests, m.duration, m.denials, m.tokens, m.revoked,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observe(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, statusText[status]).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Denied counts a request the pipeline refused.
func (m *Metrics) Denied(reason string) {
	if m != nil {
		m.denials.WithLabelValues(reason).Inc()
	}
}

// TokenIssued counts a minted token.
func (m *Metrics) TokenIssued(grantType, kind string) {
	if m != nil {
		m.tokens.WithLabelValues(grantType, kind).Inc()
	}
}

// TokenRevoked counts a revocation.
func (m *Metrics) TokenRevoked() {
	if m != nil {
		m.revoked.Inc()
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
