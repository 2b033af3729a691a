package web_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/crmguard/crmguard/internal/web"
)

func TestClientIP(t *testing.T) {
	trusted := web.ClientIP{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	cases := []struct {
		name, remote, xff string
		c                 web.ClientIP
		want              string
	}{
		{"no proxies configured: X-Forwarded-For ignored", "192.0.2.1:5555", "198.51.100.9", web.ClientIP{}, "192.0.2.1"},
		{"untrusted peer: header ignored", "192.0.2.1:5555", "198.51.100.9", trusted, "192.0.2.1"},
		{"trusted proxy: client from the header", "10.1.2.3:5555", "198.51.100.9", trusted, "198.51.100.9"},
		{"spoofed left-most entry is skipped", "10.1.2.3:5555", "203.0.113.66, 198.51.100.9, 10.9.9.9", trusted, "198.51.100.9"},
		{"IPv6 peer", "[2001:db8::1]:443", "", web.ClientIP{}, "2001:db8::1"},
		{"IPv4-mapped peer is IPv4", "[::ffff:192.0.2.5]:443", "", web.ClientIP{}, "192.0.2.5"},
		{"garbage in the header: the peer", "10.1.2.3:5555", "not-an-ip", trusted, "10.1.2.3"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := c.c.Addr(r).String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
