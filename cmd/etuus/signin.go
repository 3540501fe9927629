package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/testidp"
)

// testIDP reports whether to serve the built-in test identity provider: by
// default only on the embedded SQLite default, never silently beside a
// production PostgreSQL.
func (c *config) testIDP() (bool, error) { return c.autoSQLite("--test-idp", c.TestIDP) }

// providers reads the production OpenID providers from --oidc-config; a
// mistake in it stops start-up with a message naming the provider and key.
func (c *config) providers() ([]auth.Provider, error) {
	if c.OIDCConfig == "" {
		return nil, nil
	}
	f, err := os.Open(c.OIDCConfig)
	if err != nil {
		return nil, fmt.Errorf("--oidc-config: %w", err)
	}
	defer f.Close()
	ps, err := auth.ParseProviders(f)
	if err != nil {
		return nil, fmt.Errorf("--oidc-config %s: %w", c.OIDCConfig, err)
	}
	return ps, nil
}

// providerRetry is how long checkProviders waits before trying a provider
// again: growing, up to five minutes.
var providerRetry = []time.Duration{5 * time.Second, 15 * time.Second, time.Minute, 5 * time.Minute}

// checkProviders checks each provider of --oidc-config once at start-up
// (discovery, issuer, endpoints, the client's credentials at the token
// endpoint) and logs what is wrong, naming the setting. One that cannot be
// reached is tried again in the background; the e-service runs meanwhile,
// and its sign-in button answers "not available".
func (a *app) checkProviders(ctx context.Context) {
	for _, rp := range a.providers {
		if rp.Config.Test {
			continue // served by this process: nothing to find out
		}
		go func() {
			for i := 0; ; i++ {
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				notes, err := rp.Check(cctx)
				cancel()
				log := a.log.With("provider", rp.Config.Name, "issuer", rp.Config.Issuer)
				for _, n := range notes {
					if i == 0 || err == nil {
						log.Warn("identity provider: "+n, "setting", "--oidc-config")
					}
				}
				if err == nil {
					log.Info("identity provider ready")
					return
				}
				if !fault.Is(err, fault.Unavailable) {
					// Refused credentials stay refused until the
					// configuration changes, which takes a restart.
					log.Error("identity provider refuses this client: its sign-ins fail until the configuration is fixed",
						"cause", auth.Cause(err), "setting", "--oidc-config")
					return
				}
				wait := providerRetry[min(i, len(providerRetry)-1)]
				log.Error("identity provider not usable: its sign-ins are refused until this is fixed",
					"cause", auth.Cause(err), "setting", "--oidc-config", "retry_in", wait.String())
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}()
	}
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
		// As a conformant provider does by default: the person's claims
		// only at userinfo, so that every sign-in through it takes the
		// path a production provider needs.
		ProtocolClaimsOnly: true,
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
