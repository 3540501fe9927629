package web

import (
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fi/civil"

	"errors"
	"net/http"
	"net/url"
	"strconv"
)

func urlEscape(s string) string { return url.QueryEscape(s) }

func itoa(n int) string { return strconv.Itoa(n) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// parseForm reads a posted form, answering 413 when the body is over the
// limit and 400 when it cannot be read; it reports whether to go on.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	return s.formRead(w, r, r.ParseForm(), "error.too_large")
}

// formRead answers a request whose body could not be read: 413 with
// tooLargeKey when it is over the limit, else 400. It reports whether err
// was nil, that is whether to go on.
func (s *Server) formRead(w http.ResponseWriter, r *http.Request, err error, tooLargeKey string) bool {
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, tooLargeKey)
		return false
	}
	s.renderError(w, r, http.StatusBadRequest, "error.invalid")
	return false
}

// formatDate prints a date the Finnish way, 2.3.2026, which Swedish and
// English texts in Finland use too.
func formatDate(d civil.Date) string { return d.Finnish() }

// truncate cuts s to at most n bytes on a rune boundary, for values a
// client chose that are written to the audit log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// pageParam is the ?page= of a paged list: 1 unless a number from 2 to
// 9,999 is given.
func pageParam(q url.Values) int {
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 && p < 10000 {
		return p
	}
	return 1
}
