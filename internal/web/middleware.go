package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etuus_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "etuus_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe logs and counts every request by its route pattern, never by its
// path or query, which may carry identifiers; no personal data reaches logs.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		// The middleware inside replaces the request (the session is put in
		// a new context), so the mux sets the pattern on a request this one
		// never sees: it is passed back through the context instead.
		rt := new(string)
		r = r.WithContext(context.WithValue(r.Context(), patternKey{}, rt))
		route := func() string {
			if *rt == "" {
				return "unmatched"
			}
			return *rt
		}
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		sw.Header().Set("X-Request-Id", id)
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "request_id", id, "route", route(), "panic", v)
				if sw.status == 0 {
					s.renderError(sw, r, http.StatusInternalServerError, "error.internal")
				}
			}
			d := time.Since(start)
			rt := route()
			s.metrics.requests.WithLabelValues(rt, r.Method, strconv.Itoa(sw.status)).Inc()
			s.metrics.duration.WithLabelValues(rt, r.Method).Observe(d.Seconds())
			if s.cfg.AccessLog {
				s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("request_id", id),
					slog.String("method", r.Method),
					slog.String("route", rt),
					slog.Int("status", sw.status),
					slog.Int("bytes", sw.bytes),
					slog.Duration("duration", d))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

type patternKey struct{}

// routed wraps the mux: it hands the pattern the mux matched back to
// observe, whose request the middleware between has since replaced.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := r.Context().Value(patternKey{}).(*string); p != nil {
			defer func() { *p = r.Pattern }()
		}
		mux.ServeHTTP(w, r)
	})
}

// route is the matched mux pattern, or "unmatched": a bounded label set.
func route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// secure sets the security headers every response carries. The policy allows
// no inline script or style and no framing; form-action also names the
// identity providers, since a sign-out form is redirected to them.
func (s *Server) secure(next http.Handler) http.Handler {
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	for _, o := range s.cfg.FormActionOrigins {
		csp += " " + o
	}
	hsts := strings.HasPrefix(s.cfg.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages may carry personal data: never keep them in a cache.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; upload routes raise their own limit by being
// listed in uploadLimits.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			limit := s.cfg.MaxBodyBytes
			for prefix, n := range s.uploadLimits {
				if strings.HasPrefix(r.URL.Path, prefix) {
					limit = n
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin refuses a state-changing request from another origin, scheme
// included. http.CrossOriginProtection compares the Origin header's host
// with the request's Host only, so it lets https://host post to
// http://host (a page on the other scheme, perhaps served by someone else,
// is another origin). Here an Origin header, when sent, must be the
// configured base URL's origin exactly. Browsers send "Origin: null" for
// our own forms, since every page is served with Referrer-Policy:
// no-referrer; then, and without an Origin, Sec-Fetch-Site must be
// same-origin or none, as Go's check does. A request with neither is not
// from a browser that would carry a victim's cookies, and passes. When
// the scheme the request came over is known (TLS, or X-Forwarded-Proto
// from a trusted proxy), it must be the base URL's, whatever the headers.
func (s *Server) sameOrigin(next http.Handler) http.Handler {
	want := originOf(s.cfg.BaseURL)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		ok := true
		o, site := r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site")
		switch scheme := clientOf(r).Scheme; {
		case scheme != "" && want != "" && !strings.HasPrefix(want, scheme+"://"):
			// The page was reached over the other scheme (known from TLS
			// or a trusted proxy's X-Forwarded-Proto).
			ok = false
		case o != "" && o != "null":
			ok = want != "" && strings.EqualFold(o, want)
		case o == "null" && site == "":
			// An opaque origin (a sandboxed frame, a data: page) with
			// nothing to say where it came from.
			ok = false
		case site != "":
			ok = site == "same-origin" || site == "none"
		}
		if !ok {
			s.renderError(w, r, http.StatusForbidden, "error.forbidden")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originOf is a URL's origin as a browser's Origin header writes it:
// scheme://host[:port], the port left out when it is the scheme's default.
func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443") {
		host += ":" + p
	}
	return strings.ToLower(u.Scheme) + "://" + host
}
