package web_test

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store/storetest"
	"github.com/etuus/etuus/internal/web"
)

func mustProxies(t testing.TB, s string) web.TrustedProxies {
	t.Helper()
	p, err := web.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseTrustedProxies(t *testing.T) {
	p := mustProxies(t, " 10.0.0.0/8, fd00::/8 192.0.2.7,10.1.2.3/16")
	if got := p.String(); got != "10.0.0.0/8,fd00::/8,192.0.2.7/32,10.1.0.0/16" {
		t.Errorf("parsed %s", got)
	}
	if p := mustProxies(t, ""); len(p) != 0 {
		t.Errorf("empty = %v", p)
	}
	for _, bad := range []string{"lb.example", "10.0.0.0/33", "10.0.0.256", "fe80::1%eth0", "10.0.0.0/8;"} {
		if _, err := web.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestResolveClient(t *testing.T) {
	lb := mustProxies(t, "10.0.0.0/8, 2001:db8::/32")
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Add(kv[i], kv[i+1])
		}
		return hd
	}
	tests := []struct {
		name    string
		proxies web.TrustedProxies
		remote  string
		header  http.Header
		tls     bool
		ip      string
		scheme  string
	}{
		{"no setting: headers ignored", nil, "198.51.100.9:4000", h("X-Forwarded-For", "203.0.113.5", "X-Forwarded-Proto", "https"), false, "198.51.100.9", ""},
		{"untrusted peer: headers ignored", lb, "198.51.100.9:4000", h("X-Forwarded-For", "203.0.113.5", "X-Forwarded-Proto", "https"), false, "198.51.100.9", ""},
		{"trusted peer", lb, "10.0.0.2:4000", h("X-Forwarded-For", "203.0.113.5", "X-Forwarded-Proto", "https"), false, "203.0.113.5", "https"},
		{"spoofed left part", lb, "10.0.0.2:4000", h("X-Forwarded-For", "1.1.1.1, 203.0.113.5"), false, "203.0.113.5", ""},
		{"chain of proxies", lb, "10.0.0.2:4000", h("X-Forwarded-For", "1.1.1.1, 203.0.113.5, 10.9.9.9"), false, "203.0.113.5", ""},
		{"several header lines", lb, "10.0.0.2:4000", h("X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "203.0.113.5, 10.0.0.3"), false, "203.0.113.5", ""},
		{"all trusted: the leftmost", lb, "10.0.0.2:4000", h("X-Forwarded-For", "10.0.0.7, 10.0.0.8"), false, "10.0.0.7", ""},
		{"garbage stops at the hop to its right", lb, "10.0.0.2:4000", h("X-Forwarded-For", "203.0.113.5, nonsense, 10.0.0.8"), false, "10.0.0.8", ""},
		{"no header", lb, "10.0.0.2:4000", nil, false, "10.0.0.2", ""},
		{"IPv6 with port", lb, "[2001:db8::1]:443", h("X-Forwarded-For", "[2001:db9::5]:1234"), false, "2001:db9::5", ""},
		{"mapped IPv4", lb, "[::ffff:10.0.0.2]:443", h("X-Forwarded-For", "::ffff:203.0.113.5"), false, "203.0.113.5", ""},
		{"rightmost proto", lb, "10.0.0.2:4000", h("X-Forwarded-Proto", "https, HTTP"), false, "10.0.0.2", "http"},
		{"unknown proto ignored", lb, "10.0.0.2:4000", h("X-Forwarded-Proto", "gopher"), false, "10.0.0.2", ""},
		{"TLS wins", lb, "10.0.0.2:4000", h("X-Forwarded-Proto", "http"), true, "10.0.0.2", "https"},
	}
	for _, tt := range tests {
		if got := tt.proxies.Resolve(tt.remote, tt.header, tt.tls); got.IP != tt.ip || got.Scheme != tt.scheme {
			t.Errorf("%s: %+v; want %s %q", tt.name, got, tt.ip, tt.scheme)
		}
	}
}

// FuzzResolveClient: whatever the headers, an untrusted peer is the
// client; a trusted peer's client is the peer or an address of the
// header, and the scheme is empty, http or https.
func FuzzResolveClient(f *testing.F) {
	f.Add("10.0.0.0/8", "10.0.0.2:1", "203.0.113.5, 10.0.0.3", "https")
	f.Add("", "198.51.100.9:4000", "1.1.1.1", "http")
	f.Add("2001:db8::/32", "[2001:db8::1]:443", "[2001:db9::5]:1234,nonsense", "HTTPS,http")
	f.Fuzz(func(t *testing.T, cidrs, remote, xff, proto string) {
		p, err := web.ParseTrustedProxies(cidrs)
		if err != nil {
			return
		}
		hd := http.Header{"X-Forwarded-For": {xff}, "X-Forwarded-Proto": {proto}}
		c := p.Resolve(remote, hd, false)
		if c.Scheme != "" && c.Scheme != "http" && c.Scheme != "https" {
			t.Fatalf("scheme %q", c.Scheme)
		}
		plain := web.TrustedProxies(nil).Resolve(remote, hd, false)
		if plain.Scheme != "" {
			t.Fatalf("no proxies, scheme %q", plain.Scheme)
		}
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		peer, err := netip.ParseAddr(host)
		trusted := err == nil && slices.ContainsFunc(p, func(q netip.Prefix) bool { return q.Contains(peer.Unmap()) })
		if !trusted {
			if c != plain {
				t.Fatalf("untrusted peer %q: %+v, want %+v", remote, c, plain)
			}
			return
		}
		if c.IP == plain.IP {
			return
		}
		a, err := netip.ParseAddr(c.IP)
		if err != nil {
			t.Fatalf("client %q is not an address", c.IP)
		}
		if !strings.Contains(xff, a.String()) && !strings.Contains(strings.ToLower(xff), strings.ToLower(a.String())) {
			found := false
			for _, hop := range strings.Split(xff, ",") {
				if h, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(hop), "[]")); err == nil && h.Unmap() == a {
					found = true
				} else if ap, err := netip.ParseAddrPort(strings.TrimSpace(hop)); err == nil && ap.Addr().Unmap() == a {
					found = true
				}
			}
			if !found {
				t.Fatalf("client %s is not in X-Forwarded-For %q", a, xff)
			}
		}
	})
}

// A spoofed X-Forwarded-For from a peer that is not trusted changes
// nothing: the sign-in limit still counts the connecting address, and
// X-Forwarded-Proto does not move the origin check. Behind a trusted
// proxy each forwarded client has its own bucket, and a request the proxy
// says came over https is refused by an http base URL.
func TestForwardedHeaders(t *testing.T) {
	burst := func(t *testing.T, e *env, xff string) int {
		t.Helper()
		c := noRedirect()
		var status int
		for range web.DefaultSignInLimit.Burst + 1 {
			resp, _ := get(t, c, e.srv.URL+"/login/nobody", "Accept-Language", "en", "X-Forwarded-For", xff)
			status = resp.StatusCode
		}
		return status
	}
	post := func(t *testing.T, e *env, proto string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", e.srv.URL+"/secure-email", strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", proto)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := noRedirect().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, setting := range []string{"", "10.0.0.0/8"} {
		t.Run("untrusted "+setting, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t), func(c *web.Config) { c.TrustedProxies = mustProxies(t, setting) })
			now := time.Now()
			e.web.SetClock(func() time.Time { return now })
			if s := burst(t, e, "203.0.113.1"); s != http.StatusTooManyRequests {
				t.Fatalf("burst = %d", s)
			}
			if resp, _ := get(t, noRedirect(), e.srv.URL+"/login/nobody", "X-Forwarded-For", "203.0.113.99"); resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("a spoofed X-Forwarded-For got a new bucket: %d", resp.StatusCode)
			}
			if s := post(t, e, "https"); s == http.StatusForbidden {
				t.Error("an untrusted X-Forwarded-Proto moved the origin check")
			}
		})
	}
	t.Run("trusted", func(t *testing.T) {
		e := newEnv(t, storetest.SQLite(t), func(c *web.Config) { c.TrustedProxies = mustProxies(t, "127.0.0.0/8, ::1") })
		now := time.Now()
		e.web.SetClock(func() time.Time { return now })
		if s := burst(t, e, "203.0.113.1"); s != http.StatusTooManyRequests {
			t.Fatalf("burst = %d", s)
		}
		if resp, _ := get(t, noRedirect(), e.srv.URL+"/login/nobody", "X-Forwarded-For", "203.0.113.2"); resp.StatusCode == http.StatusTooManyRequests {
			t.Error("another forwarded client shares the first one's bucket")
		}
		if s := post(t, e, "https"); s != http.StatusForbidden {
			t.Errorf("a request that came over https to an http base URL = %d; want 403", s)
		}
		if s := post(t, e, "http"); s == http.StatusForbidden {
			t.Error("a request over the base URL's scheme refused")
		}
	})
}
