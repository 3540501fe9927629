package web

import (
	"net/url"
	"strings"
)

// localPath is the one place that decides where a redirect whose target
// came from the request (a next parameter, a form field, a stored sign-in)
// may go: a path on this origin, or "/" when in any doubt.
//
// The target is read as a browser reads a Location header, since that is
// where it ends up: the WHATWG URL parser first drops leading and trailing
// C0 controls and spaces and every tab, CR and LF anywhere, and treats a
// backslash as a slash in http(s) URLs. So "/\t/evil.example" is
// "//evil.example" to a browser, a scheme-relative URL to another host,
// although Go's url.Parse sees a path. Checking the browser's reading and
// returning that reading (not the raw input) keeps the two in agreement.
// Refused: anything not starting with a single slash once cleaned (a
// scheme, "https:evil", a relative path), a scheme-relative "//host" or
// "/\host", and anything Go does not parse as a bare path (a host, user
// information, a control character).
func localPath(next string) string {
	clean := browserClean(next)
	if len(clean) == 0 || clean[0] != '/' || len(clean) > 1 && clean[1] == '/' {
		return "/"
	}
	u, err := url.Parse(clean)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return clean
}

// browserClean is what a browser's URL parser makes of s before it looks
// at the scheme: C0 controls and spaces trimmed at both ends, tab, CR and
// LF removed everywhere, backslashes read as slashes.
func browserClean(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\r', '\n':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, s)
	return s
}
