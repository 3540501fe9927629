package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

// healthz answers while the process runs; it checks nothing else, so that a
// database outage does not get the process restarted.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 only while the database answers, so a load balancer
// sends users elsewhere during an outage.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready: database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		if s.cfg.Pharmacy.Service != nil {
			w.Write([]byte("pharmacy direct reimbursement answers 503: pharmacies use the Kela card fallback and post purchases later\n"))
		}
		return
	}
	w.Write([]byte("ready\n"))
	// One line per identity provider. A provider that cannot be used does
	// not make the node unready: every node would be, and the rest of the
	// e-service works. Its cause is in the log, not here.
	for _, rp := range s.auth.Providers {
		state := "ok"
		switch at, err := rp.Status(); {
		case rp.Config.Test:
			state = "ok (built-in test provider)"
		case at.IsZero():
			state = "not checked yet"
		case err != nil:
			state = "not usable since " + at.UTC().Format(time.RFC3339) + " (see the log)"
		}
		fmt.Fprintf(w, "provider %s: %s\n", rp.Config.Name, state)
	}
	if s.cfg.ReadyDetail != nil {
		for _, l := range s.cfg.ReadyDetail() {
			fmt.Fprintln(w, l)
		}
	}
}

func (s *Server) static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}
