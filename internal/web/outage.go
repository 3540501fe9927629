package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Outage mode (seed 000): when the database does not answer, the public
// pages (front page, directory, status page, the disruption notices) are
// served from memory, and every page that needs a person's data answers
// 503 with a page that says what still works — benefits are paid, the
// Kela card works at pharmacies, the phone lines answer — instead of an
// error. Nothing waits for a restart: each request tries the database
// again.

// pingTimeout bounds the check that decides an error is an outage.
const pingTimeout = 500 * time.Millisecond

// publicPaths answer without a session when the database is down.
var publicPaths = []string{"/", "/directory", "/status", "/api/v1/status", "/api/v1/directory", "/healthz", "/readyz",
	"/metrics", "/signed-out", "/favicon.ico", "/login", "/staff/login"}

func public(path string) bool {
	for _, p := range publicPaths {
		if path == p {
			return true
		}
	}
	return strings.HasPrefix(path, "/lang/") || strings.HasPrefix(path, "/static/")
}

// databaseDown reports whether the database fails to answer a ping now.
func (s *Server) databaseDown(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pingTimeout)
	defer cancel()
	return s.store.Ping(ctx) != nil
}

// renderOutage is the 503 page of outage mode: what still works, and the
// phone lines (from the directory kept in memory).
func (s *Server) renderOutage(w http.ResponseWriter, r *http.Request) {
	l := s.localizer(r)
	us, _ := s.directoryUnits(r.Context(), l.Lang)
	w.Header().Set("Retry-After", "60")
	s.render(w, r, http.StatusServiceUnavailable, "outage", &page{L: l, Title: "outage.title", Data: us})
}
