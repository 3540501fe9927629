package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/testidp"
)

func protocolOnly(c *testidp.Config) { c.ProtocolClaimsOnly = true }

// A conformant provider's default: the ID token has only the protocol
// claims and the person's are at the userinfo endpoint.
func TestClaimsFromUserinfo(t *testing.T) {
	ctx := context.Background()
	t.Run("read when the ID token lacks them", func(t *testing.T) {
		x := newIDPWith(t, protocolOnly, nil)
		f, u, _ := x.rp.Start(ctx, "fi")
		res, err := x.rp.Finish(ctx, f, x.code(t, u))
		if err != nil {
			t.Fatal(err)
		}
		if !res.FromUserinfo || res.Claims["hetu"] != "010403A998U" || res.Claims["family_name"] != "Meikäläinen" {
			t.Fatalf("Finish = %+v", res)
		}
		id, err := auth.IdentityFromClaims(x.rp.Config, policy, units, res.Subject, res.Claims)
		if err != nil || id.HETU != "010403A998U" || id.FamilyName != "Meikäläinen" {
			t.Fatalf("identity = %+v, %v", id, err)
		}
	})
	t.Run("never: the cause names the missing claim", func(t *testing.T) {
		x := newIDPWith(t, protocolOnly, func(p *auth.Provider) { p.Userinfo = auth.UserinfoNever })
		f, u, _ := x.rp.Start(ctx, "fi")
		res, err := x.rp.Finish(ctx, f, x.code(t, u))
		if err != nil || res.FromUserinfo {
			t.Fatalf("Finish = %+v, %v", res, err)
		}
		_, err = auth.IdentityFromClaims(x.rp.Config, policy, units, res.Subject, res.Claims)
		if fault.KeyOf(err) != auth.ErrKeyHETU || !strings.Contains(auth.Cause(err), `claim "hetu" is missing (present: none besides the protocol claims)`) {
			t.Fatalf("err = %v, cause %q", err, auth.Cause(err))
		}
	})
	t.Run("userinfo of another subject refused", func(t *testing.T) {
		x := newIDPWith(t, protocolOnly, nil)
		x.tamperUserinfo = func(b map[string]any) { b["sub"] = "someone-else" }
		f, u, _ := x.rp.Start(ctx, "fi")
		_, err := x.rp.Finish(ctx, f, x.code(t, u))
		if fault.KeyOf(err) != auth.ErrKeyToken || !strings.Contains(auth.Cause(err), "userinfo sub") {
			t.Fatalf("err = %v, cause %q", err, auth.Cause(err))
		}
	})
	t.Run("the ID token's claims win", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) { p.Userinfo = auth.UserinfoAlways })
		x.tamperUserinfo = func(b map[string]any) { b["hetu"] = "131052-308T" }
		f, u, _ := x.rp.Start(ctx, "fi")
		res, err := x.rp.Finish(ctx, f, x.code(t, u))
		if err != nil || !res.FromUserinfo || res.Claims["hetu"] != "010403A998U" {
			t.Fatalf("Finish = %+v, %v", res, err)
		}
	})
}

// Every refusal has a cause an operator can act on, and none holds the
// identity code or a name.
func TestRefusalCauses(t *testing.T) {
	ctx := context.Background()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	withKey := func(c *testidp.Config) { c.Key = key }
	tests := []struct {
		name   string
		idp    func(*testidp.Config)
		rp     func(*auth.Provider)
		tamper func(map[string]any)
		want   string
	}{
		{"wrong client secret", nil, func(p *auth.Provider) { p.ClientSecret = "wrong" }, nil, "invalid_client"},
		{"client_secret_post", nil, func(p *auth.Provider) { p.TokenAuth = auth.AuthSecretPost }, nil, ""},
		{"wrong secret sent in the form", nil, func(p *auth.Provider) { p.TokenAuth = auth.AuthSecretPost; p.ClientSecret = "x" }, nil, "invalid_client"},
		{"another audience", withKey, nil, func(b map[string]any) {
			b["id_token"] = rewrite(t, b["id_token"].(string), key, func(c map[string]any) { c["aud"] = "other-client" })
		}, "audience mismatch"},
		{"another issuer", withKey, nil, func(b map[string]any) {
			b["id_token"] = rewrite(t, b["id_token"].(string), key, func(c map[string]any) { c["iss"] = "https://evil.example" })
		}, "issuer mismatch"},
		{"expired", withKey, nil, func(b map[string]any) {
			b["id_token"] = rewrite(t, b["id_token"].(string), key, func(c map[string]any) { c["exp"] = 1000 })
		}, "expired"},
		{"no ID token", nil, nil, func(b map[string]any) { delete(b, "id_token") }, "no id_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newIDPWith(t, tt.idp, tt.rp)
			x.tamper = tt.tamper
			f, u, _ := x.rp.Start(ctx, "fi")
			_, err := x.rp.Finish(ctx, f, x.code(t, u))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			cause := auth.Cause(err)
			if err == nil || !strings.Contains(cause, tt.want) {
				t.Fatalf("err = %v, cause %q; want a cause with %q", err, cause, tt.want)
			}
			if strings.Contains(cause, "010403A998U") || strings.Contains(cause, "Maija") {
				t.Errorf("cause %q holds personal data", cause)
			}
		})
	}
}

// rewrite re-signs a JWT with key after changing its claims.
func rewrite(t *testing.T, token string, key *rsa.PrivateKey, change func(map[string]any)) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c)
	change(c)
	payload, _ := json.Marshal(c)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: jws.Signatures[0].Header.KeyID}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := signer.Sign(payload)
	s, _ := out.CompactSerialize()
	return s
}

func TestProviderCheck(t *testing.T) {
	ctx := context.Background()
	t.Run("ok", func(t *testing.T) {
		x := newIDP(t)
		if notes, err := x.rp.Check(ctx); err != nil || len(notes) != 0 {
			t.Fatalf("Check = %v, %v", notes, err)
		}
	})
	t.Run("wrong secret found at start-up", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) { p.ClientSecret = "wrong" })
		_, err := x.rp.Check(ctx)
		if !strings.Contains(auth.Cause(err), "invalid_client") || !strings.Contains(auth.Cause(err), "client_secret") {
			t.Fatalf("err = %v, cause %q", err, auth.Cause(err))
		}
	})
	t.Run("issuer with a trailing slash", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) { p.Issuer += "/" })
		notes, err := x.rp.Check(ctx)
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "trailing") && !strings.Contains(notes[0], "calls itself") {
			t.Fatalf("Check = %q, %v", notes, err)
		}
		f, u, _ := x.rp.Start(ctx, "fi")
		if _, err := x.rp.Finish(ctx, f, x.code(t, u)); err != nil {
			t.Fatalf("sign-in with the slash: %v (%s)", err, auth.Cause(err))
		}
	})
	t.Run("another issuer", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) { p.Issuer = strings.Replace(p.Issuer, "/test-idp", "/test-idp/x/..", 1) })
		_, err := x.rp.Check(ctx)
		if !fault.Is(err, fault.Unavailable) || auth.Cause(err) == "" {
			t.Fatalf("err = %v, cause %q", err, auth.Cause(err))
		}
	})
	t.Run("claims the provider does not list", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) {
			p.ClaimsPreset = auth.PresetSuomiFi
			p.Claims, _ = auth.ClaimPreset(auth.PresetSuomiFi)
		})
		notes, err := x.rp.Check(ctx)
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "urn:oid:1.2.246.21") {
			t.Fatalf("Check = %q, %v", notes, err)
		}
	})
	t.Run("an auth method the provider lacks", func(t *testing.T) {
		x := newIDPWith(t, nil, func(p *auth.Provider) { p.TokenAuth = "none" })
		_, err := x.rp.Check(ctx)
		if !strings.Contains(auth.Cause(err), "offers only client_secret_basic, client_secret_post") {
			t.Fatalf("err = %v, cause %q", err, auth.Cause(err))
		}
	})
}

// Sign-out puts no ID token in the URL unless the provider needs one and
// it carries no personal claim.
func TestEndSessionURL(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		idp      func(*testidp.Config)
		rp       func(*auth.Provider)
		wantHint bool
	}{
		{"personal claims in the ID token", nil, func(p *auth.Provider) { p.LogoutIDTokenHint = true }, false},
		{"protocol claims only, hint wanted", protocolOnly, func(p *auth.Provider) { p.LogoutIDTokenHint = true }, true},
		{"protocol claims only, no hint wanted", protocolOnly, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newIDPWith(t, tt.idp, tt.rp)
			f, u, _ := x.rp.Start(ctx, "fi")
			res, err := x.rp.Finish(ctx, f, x.code(t, u))
			if err != nil {
				t.Fatal(err)
			}
			end, _ := url.Parse(x.rp.EndSessionURL(ctx, res.Logout, x.srv.URL+"/out"))
			q := end.Query()
			if got := q.Get("id_token_hint") != ""; got != tt.wantHint {
				t.Fatalf("id_token_hint sent = %v; want %v (%s)", got, tt.wantHint, end)
			}
			if !tt.wantHint && q.Get("logout_hint") == "" {
				t.Errorf("no logout_hint: %s", end)
			}
			if strings.Contains(end.String(), "010403A998U") {
				t.Fatal("the identity code is in the URL")
			}
			// The provider ends its session and returns to etuus.
			resp, err := x.browser.Get(end.String())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Request.URL.Path != "/out" && resp.Header.Get("Location") == "" {
				t.Errorf("sign-out ended at %s (%d)", resp.Request.URL, resp.StatusCode)
			}
		})
	}
}

// keyFile writes a PEM private key and returns its name.
func keyFile(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	return name
}

func TestPrivateKeyJWT(t *testing.T) {
	ctx := context.Background()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tt := range []struct {
		name       string
		registered any // the public key the provider has
		signing    any // the private key etuus has
		want       string
	}{
		{"ES256", &ecKey.PublicKey, ecKey, ""},
		{"RS256", &rsaKey.PublicKey, rsaKey, ""},
		{"key not the registered one", &ecKey.PublicKey, other, "invalid_client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newIDPWith(t, func(c *testidp.Config) {
				c.Clients[0].Secret, c.Clients[0].PublicKey = "", tt.registered
			}, func(p *auth.Provider) {
				p.ClientSecret, p.TokenAuth, p.PrivateKeyFile, p.KeyID = "", auth.AuthPrivateKeyJWT, keyFile(t, tt.signing), "k1"
			})
			_, checkErr := x.rp.Check(ctx)
			f, u, _ := x.rp.Start(ctx, "fi")
			res, err := x.rp.Finish(ctx, f, x.code(t, u))
			if tt.want == "" {
				if checkErr != nil || err != nil || res.Claims["hetu"] != "010403A998U" {
					t.Fatalf("Check %v; Finish = %+v, %v (%s)", checkErr, res, err, auth.Cause(err))
				}
				return
			}
			for _, e := range []error{checkErr, err} {
				if c := auth.Cause(e); !strings.Contains(c, tt.want) || !strings.Contains(c, "private_key_file") {
					t.Errorf("err = %v, cause %q; want %s naming private_key_file", e, c, tt.want)
				}
			}
		})
	}
	t.Run("a bad key file stops start-up", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "key.pem")
		os.WriteFile(bad, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600)
		_, err := auth.NewRP(auth.Provider{Name: "k", TokenAuth: auth.AuthPrivateKeyJWT, PrivateKeyFile: bad}, "http://x/cb", nil)
		if err == nil || !strings.Contains(err.Error(), "private_key_file") {
			t.Fatalf("err = %v", err)
		}
	})
}
