package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
	"github.com/etuus/etuus/internal/web"
)

// TestOpenAPIMatchesRoutes holds the OpenAPI document to the server: every
// API route it registers is in the document with its method, and the
// document names no operation the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(web.OpenAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q; want 3.1.x", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s: an operation needs an operationId and responses (%v)", method, path, err)
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	routes := web.APIRoutes(e.web)
	slices.Sort(documented)
	slices.Sort(routes)
	if !slices.Equal(documented, routes) {
		t.Errorf("the OpenAPI document and the routes differ:\ndocument: %v\nroutes:   %v", documented, routes)
	}
	resp, body := get(t, nil, e.srv.URL+"/api/openapi.json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(body, `"openapi"`) {
		t.Errorf("GET /api/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// apiEnv is the API's plumbing on a database, with a probe operation that
// needs the pharmacy scope.
func apiEnv(t *testing.T, db *store.DB) (*httptest.Server, *apiclient.Service) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, key string) { t.Errorf("missing text %q in %s", key, lang) }
	msgs, _ := message.NewService(db.Messages(), message.Config{})
	secure, _ := securemail.NewService(db.SecureMail(), securemail.Config{})
	clients := apiclient.NewService(db.APIClients(), access.Default())
	w, err := web.New(web.Config{BaseURL: "http://127.0.0.1", APIClients: clients,
		Messages: web.MessagesConfig{Service: msgs}, SecureEmail: web.SecureEmailConfig{Service: secure}},
		db, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.APIProbe(w, apiclient.ScopePharmacy))
	t.Cleanup(srv.Close)
	return srv, clients
}

func callAPI(t *testing.T, url, secret, contentType, body string, header ...string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("the answer is not JSON: %v", err)
	}
	return resp.StatusCode, resp.Header, out
}

func TestAPICredentialsAndProblems(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv, clients := apiEnv(t, db)
		url := srv.URL + "/api/v1/probe"
		_, pharmacy, err := clients.Issue(ctx, access.AsSystem("test"), "Apteekki", "pharmacy-1", []string{apiclient.ScopePharmacy})
		if err != nil {
			t.Fatal(err)
		}
		partnerClient, partner, err := clients.Issue(ctx, access.AsSystem("test"), "Palkka Oy", "1234567-1", []string{apiclient.ScopeAuthorizations})
		if err != nil {
			t.Fatal(err)
		}
		const js = "application/json"
		if st, _, out := callAPI(t, url, pharmacy, js, `{"n": 7}`); st != 200 || out["n"] != 7.0 {
			t.Errorf("a good call: %d %v", st, out)
		}
		cases := []struct {
			name, secret, ct, body string
			status                 int
			typ                    string
		}{
			{"no secret", "", js, `{}`, 401, "api.error.credentials"},
			{"unknown secret", apiclient.SecretPrefix + "nope", js, `{}`, 401, "api.error.credentials"},
			{"not a secret of ours", "abc", js, `{}`, 401, "api.error.credentials"},
			{"without the scope", partner, js, `{}`, 403, "api.error.scope"},
			{"not JSON", pharmacy, "text/plain", `{}`, 415, "api.error.content_type"},
			{"broken JSON", pharmacy, js, `{"n":`, 400, "api.error.json"},
			{"unknown member", pharmacy, js, `{"m": 1}`, 400, "api.error.json"},
			{"two values", pharmacy, js, `{"n": 1} {"n": 2}`, 400, "api.error.json"},
			{"too large", pharmacy, js, `{"n": 1, "pad": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "api.error.too_large"},
		}
		for _, c := range cases {
			st, h, out := callAPI(t, url, c.secret, c.ct, c.body, "Accept-Language", "sv")
			if st != c.status || out["type"] != "urn:etuus:problem:"+c.typ || out["status"] != float64(c.status) ||
				h.Get("Content-Type") != "application/problem+json" || h.Get("Content-Language") != "sv" {
				t.Errorf("%s: %d %s %v", c.name, st, h.Get("Content-Type"), out)
			}
			if d, _ := out["detail"].(string); d == "" || strings.HasPrefix(d, "api.") {
				t.Errorf("%s: detail %q is not a translated message", c.name, d)
			}
		}
		// Revoked, the secret stops working at once in this process.
		if _, err := clients.Revoke(ctx, access.AsSystem("test"), partnerClient.ID); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := callAPI(t, url, partner, js, `{}`); st != 401 {
			t.Errorf("a revoked secret: %d; want 401", st)
		}
	})
}
