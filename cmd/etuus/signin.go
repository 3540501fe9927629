package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/testidp"
)

// testIDP reports whether to serve the built-in test identity provider: by
// default only on the embedded SQLite default, never silently beside a
// production PostgreSQL.
func (c *config) testIDP() (bool, error) { return c.autoSQLite("--test-idp", c.TestIDP) }

// providers reads the production OpenID providers from --oidc-config.
func (c *config) providers() ([]auth.Provider, error) {
	if c.OIDCConfig == "" {
		return nil, nil
	}
	b, err := os.ReadFile(c.OIDCConfig)
	if err != nil {
		return nil, fmt.Errorf("--oidc-config: %w", err)
	}
	var ps []auth.Provider
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, fmt.Errorf("--oidc-config %s: %w", c.OIDCConfig, err)
	}
	for i := range ps {
		p := &ps[i]
		switch {
		case p.Name == "" || strings.ContainsAny(p.Name, "/?#% "):
			return nil, fmt.Errorf("--oidc-config: provider %d needs a name usable in a URL", i+1)
		case !p.Kind.Valid():
			return nil, fmt.Errorf("--oidc-config: provider %s: kind must be citizen, eidas or staff", p.Name)
		case p.Issuer == "" || p.ClientID == "":
			return nil, fmt.Errorf("--oidc-config: provider %s needs issuer and client_id", p.Name)
		}
		if p.Claims == (auth.ClaimMap{}) {
			p.Claims = auth.DefaultClaims()
		}
	}
	return ps, nil
}

// testProviders builds the built-in test identity provider with the demo
// people and staff, and one client for each kind of user, so that signing in
// through it takes exactly the production code path.
func testProviders(baseURL string, log *slog.Logger) (*testidp.Provider, []auth.Provider, error) {
	d, err := demo.Set()
	if err != nil {
		return nil, nil, err
	}
	ph, err := demo.Pharmacy(civil.Today(time.Now()))
	if err != nil {
		return nil, nil, err
	}
	var ids []testidp.Identity
	for _, p := range append(d.Persons, ph.Persons...) {
		ids = append(ids, testidp.Identity{
			Subject: p.ID, Kind: "citizen", Label: p.Name() + " (" + p.HETU + ")",
			Claims: map[string]any{"hetu": p.HETU, "given_name": p.GivenName, "family_name": p.FamilyName, "name": p.Name()},
		})
	}
	for _, p := range demo.EIDASPersons() {
		ids = append(ids, testidp.Identity{
			Subject: p.ID, Kind: "eidas", Label: p.Name() + " (" + p.EIDASCountry + ")",
			Claims: map[string]any{
				"person_identifier": p.EIDASID, "country": p.EIDASCountry, "given_name": p.GivenName,
				"family_name": p.FamilyName, "name": p.Name(), "birthdate": p.BirthDate.String(),
			},
		})
	}
	for _, s := range d.Staff {
		sub := strings.TrimPrefix(s.Subject, "test-staff:")
		ids = append(ids, testidp.Identity{
			Subject: sub, Kind: "staff", Label: s.GivenName + " " + s.FamilyName + " (" + s.UnitID + ", " + s.Role + ")",
			Claims: map[string]any{
				"given_name": s.GivenName, "family_name": s.FamilyName, "name": s.GivenName + " " + s.FamilyName,
				"groups": []string{"etuus:" + s.UnitID + ":" + s.Role},
			},
		})
	}
	issuer := baseURL + "/test-idp"
	var clients []testidp.Client
	var provs []auth.Provider
	for _, kind := range []auth.Kind{auth.Citizen, auth.EIDAS, auth.Staff} {
		name := "test-" + string(kind)
		secret := auth.RandomToken()
		clients = append(clients, testidp.Client{
			ID: name, Secret: secret,
			RedirectURIs:           []string{baseURL + "/auth/callback/" + name},
			PostLogoutRedirectURIs: []string{baseURL + "/signed-out"},
			Kinds:                  []string{string(kind)},
		})
		provs = append(provs, auth.Provider{
			Name: name, Kind: kind, Issuer: issuer, ClientID: name, ClientSecret: secret,
			Claims: auth.DefaultClaims(), Test: true,
		})
	}
	idp, err := testidp.New(testidp.Config{
		Issuer: issuer, Identities: ids, Clients: clients, Logger: log,
		Lang: func(r *http.Request) string {
			c, _ := r.Cookie("lang")
			v := ""
			if c != nil {
				v = c.Value
			}
			return i18n.Match(v, r.Header.Get("Accept-Language"))
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return idp, provs, nil
}
