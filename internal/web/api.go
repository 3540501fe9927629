package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/jsonfile"
)

// The JSON API: partner and pharmacy systems call it with a client secret
// staff issued them (Authorization: Bearer …). Errors are RFC 9457 problem
// details whose type names the refusal and whose detail is the same
// translated message a page would show, in the Accept-Language asked for.

//go:embed openapi.json
var openAPIDoc []byte

// apiMaxBody bounds an API request's JSON body.
const apiMaxBody = 64 << 10

// apiAuthTimeout bounds how long a request waits for its credentials to be
// checked, so that a database that does not answer gives a quick 503.
const apiAuthTimeout = 500 * time.Millisecond

// problemTypePrefix starts every problem's type: the refusal's message key
// follows ("urn:etuus:problem:pharmacy.error.vnr").
const problemTypePrefix = "urn:etuus:problem:"

// problemDoc is an RFC 9457 problem details document.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Field is the request member at fault, when there is one.
	Field string `json:"field,omitempty"`
}

// apiHandler is an API operation: the request and the client that made it.
type apiHandler func(w http.ResponseWriter, r *http.Request, c apiclient.Client)

// apiHandle registers an API operation that the clients holding scope may
// call. The credentials are checked first: none, unknown or revoked is 401,
// a client without the scope 403. The pattern is recorded so that a test
// can hold the OpenAPI document to the routes.
func (s *Server) apiHandle(mux *http.ServeMux, pattern, scope string, h apiHandler) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if s.cfg.APIClients == nil {
			s.apiFail(w, r, &fault.Error{Kind: fault.Unavailable, Key: "error.unavailable"})
			return
		}
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="etuus"`)
			s.apiFail(w, r, &fault.Error{Kind: fault.Unauthorized, Key: "api.error.credentials"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), apiAuthTimeout)
		c, err := s.cfg.APIClients.Authenticate(ctx, secret)
		cancel()
		if err != nil {
			if fault.Is(err, fault.Unauthorized) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="etuus", error="invalid_token"`)
			}
			s.apiFail(w, r, err)
			return
		}
		if !c.Has(scope) {
			s.apiFail(w, r, &fault.Error{Kind: fault.Forbidden, Key: "api.error.scope"})
			return
		}
		h(w, r, c)
	})
}

// apiPublic registers an API operation anyone may call without
// credentials (the directory, the service status), recorded for the
// OpenAPI test like apiHandle's.
func (s *Server) apiPublic(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	mux.HandleFunc(pattern, h)
}

// bearer is the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// openAPI serves the API's OpenAPI 3.1 document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
}

// writeJSON answers with a JSON document.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// apiFail answers an API request that failed with the problem its fault
// names. Only faults of ours are logged, without the request's data.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	k := fault.KindOf(err)
	if k == fault.Internal || k == fault.Unavailable {
		s.log.Error("api request failed", "route", route(r), "kind", k.String(), "err", err)
	}
	key := fault.KeyOf(err)
	var fe *fault.Error
	field := ""
	if errors.As(err, &fe) {
		field = fe.Field
	}
	l := s.localizer(r)
	detail := l.T(key)
	if d := fault.DataOf(err); d != nil {
		detail = l.T(key, d)
	}
	s.problem(w, r, k.Status(), key, field, detail)
}

// problem writes an RFC 9457 problem details answer.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, key, field, detail string) {
	b, _ := json.Marshal(problemDoc{
		Type: problemTypePrefix + key, Title: http.StatusText(status), Status: status, Detail: detail, Field: field,
	})
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", s.localizer(r).Lang)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// decodeJSON reads the request's JSON body into v, strictly: the content
// type must be JSON, unknown members and trailing data are refused, and the
// body is bounded. On failure it answers the problem itself (400, 413 or
// 415) and reports false.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		s.problem(w, r, http.StatusUnsupportedMediaType, "api.error.content_type", "", s.localizer(r).T("api.error.content_type"))
		return false
	}
	err = jsonfile.Decode(http.MaxBytesReader(w, r.Body, apiMaxBody), v)
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.apiFail(w, r, &fault.Error{Kind: fault.TooLarge, Key: "api.error.too_large", Err: err})
	default:
		s.problem(w, r, http.StatusBadRequest, "api.error.json", "", s.localizer(r).T("api.error.json"))
	}
	return false
}
