package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/apiclient"
)

// RedirectCorpus is the open-redirect probe, for the tests that run it
// through the server and a browser.
var RedirectCorpus = func() (out []struct{ Next, Want string }) {
	for _, c := range redirectCorpus {
		out = append(out, struct{ Next, Want string }{c.next, c.want})
	}
	return out
}()

// APIRoutes are the API patterns the server registers.
func APIRoutes(s *Server) []string {
	s.Handler()
	return append([]string(nil), s.apiRoutes...)
}

// OpenAPIDoc is the embedded OpenAPI document.
var OpenAPIDoc = openAPIDoc

// APIProbe is an API operation for tests of the API's plumbing: it needs
// scope, reads {"n": int} and answers {"client": id, "n": n}.
func APIProbe(s *Server, scope string) http.Handler {
	mux := http.NewServeMux()
	s.apiHandle(mux, "POST /api/v1/probe", scope, func(w http.ResponseWriter, r *http.Request, c apiclient.Client) {
		var in struct {
			N int `json:"n"`
		}
		if !s.decodeJSON(w, r, &in) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"client": c.ID, "n": in.N})
	})
	return mux
}
