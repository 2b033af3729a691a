package web

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP resolves the address a request comes from. X-Forwarded-For is
// believed only when the direct peer is a trusted proxy; then the right-most
// address that is not itself a trusted proxy is the client.
type ClientIP struct {
	Trusted []netip.Prefix
	// HTTPS says clients reach this server over HTTPS: it serves TLS
	// itself, or its public URL is https (a TLS-terminating proxy).
	HTTPS bool
}

// Secure reports whether the request reached us over HTTPS: directly, by
// configuration, or by X-Forwarded-Proto from a trusted proxy. Cookies are
// marked Secure and HSTS is sent when it holds.
func (c *ClientIP) Secure(r *http.Request) bool {
	if c.HTTPS || r.TLS != nil {
		return true
	}
	if len(c.Trusted) == 0 || !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && c.trusted(ap.Addr().Unmap())
}

// Addr returns the client address; the zero Addr if none can be parsed.
func (c *ClientIP) Addr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	var peer netip.Addr
	if err == nil {
		peer = ap.Addr().Unmap()
	} else if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		peer = a.Unmap()
	}
	if len(c.Trusted) == 0 || !c.trusted(peer) {
		return peer
	}
	xff := r.Header.Values("X-Forwarded-For")
	for i := len(xff) - 1; i >= 0; i-- {
		parts := strings.Split(xff[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return peer
			}
			a = a.Unmap()
			if !c.trusted(a) {
				return a
			}
		}
	}
	return peer
}

func (c *ClientIP) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
