package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the load balancers and reverse proxies whose
// X-Forwarded-For and X-Forwarded-Proto headers are believed. Empty (the
// default) believes no one: the client is the connecting address and the
// headers are ignored, since any client can send them.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a list of CIDRs ("10.0.0.0/8, fd00::/8") or
// single addresses, separated by commas or spaces; "" is none.
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%q: no zone in a CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// String is the list as ParseTrustedProxies reads it.
func (t TrustedProxies) String() string {
	s := make([]string, len(t))
	for i, p := range t {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client is who made a request: the client's IP address, and the scheme
// the browser used when it is known.
type Client struct {
	IP string
	// Scheme is "https" for a TLS connection, else what a trusted proxy
	// said in X-Forwarded-Proto ("http" or "https"); "" when unknown (a
	// plain connection with no trusted proxy's word: perhaps a proxy that
	// is not configured terminated TLS).
	Scheme string
}

// Resolve finds the client of a request. Only when the connecting peer is
// trusted are the headers read: the client is then the rightmost address
// of X-Forwarded-For (all its headers, in order) that is not a trusted
// proxy — what the nearest untrusted hop connected from, which no client
// can forge — or, when every address is trusted, the leftmost. Reading
// stops at an entry that is not an address, taking the hop to its right.
// The scheme is the rightmost X-Forwarded-Proto value, when it is http or
// https.
func (t TrustedProxies) Resolve(remoteAddr string, header http.Header, tls bool) Client {
	c := Client{IP: hostOnly(remoteAddr)}
	if tls {
		c.Scheme = "https"
	}
	peer, err := netip.ParseAddr(c.IP)
	if err != nil || len(t) == 0 || !t.trusts(peer) {
		return c
	}
	hops := forwardedList(header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		c.IP = a.Unmap().String()
		if !t.trusts(a) {
			break
		}
	}
	if protos := forwardedList(header.Values("X-Forwarded-Proto")); len(protos) > 0 && !tls {
		switch p := strings.ToLower(protos[len(protos)-1]); p {
		case "http", "https":
			c.Scheme = p
		}
	}
	return c
}

// forwardedList is the comma-separated values of a header's lines, in
// order, trimmed.
func forwardedList(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, v := range strings.Split(l, ",") {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// parseHop reads one X-Forwarded-For entry: an address, an IPv6 address in
// brackets, either with a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Zone() == "" {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// hostOnly is an address without its port.
func hostOnly(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

type clientKeyCtx struct{}

// forwarded resolves each request's client once, for the rate limits, the
// origin check and anything else that asks clientOf.
func (s *Server) forwarded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.cfg.TrustedProxies.Resolve(r.RemoteAddr, r.Header, r.TLS != nil)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKeyCtx{}, c)))
	})
}

// clientOf is the request's client as forwarded resolved it, or the
// connecting address when it did not run.
func clientOf(r *http.Request) Client {
	if c, ok := r.Context().Value(clientKeyCtx{}).(Client); ok {
		return c
	}
	return TrustedProxies(nil).Resolve(r.RemoteAddr, nil, r.TLS != nil)
}
