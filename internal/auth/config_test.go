package auth_test

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/auth"
)

func TestParseProviders(t *testing.T) {
	const ok = `"name":"suomifi","kind":"citizen","issuer":"https://tunnistus.example.fi/","client_id":"c","client_secret":"s"`
	t.Run("defaults", func(t *testing.T) {
		ps, err := auth.ParseProviders(strings.NewReader(`[{` + ok + `,"claims":{"given_name":"first"}}]`))
		if err != nil {
			t.Fatal(err)
		}
		p := ps[0]
		if p.TokenAuth != auth.AuthSecretBasic || p.Userinfo != auth.UserinfoAuto {
			t.Errorf("defaults = %+v", p)
		}
		// A partial claim map keeps its own names and gets the rest.
		if p.Claims.GivenName != "first" || p.Claims.FamilyName != "family_name" || p.Claims.HETU != "hetu" {
			t.Errorf("claims = %+v", p.Claims)
		}
	})
	t.Run("suomi.fi preset", func(t *testing.T) {
		ps, err := auth.ParseProviders(strings.NewReader(`[{` + ok + `,"claims_preset":"suomi.fi"}]`))
		if err != nil {
			t.Fatal(err)
		}
		if ps[0].Claims.HETU != "urn:oid:1.2.246.21" {
			t.Errorf("claims = %+v", ps[0].Claims)
		}
	})
	for _, tt := range []struct{ name, json, want string }{
		{"misspelt key", `[{` + ok + `,"clientSecret":"x"}]`, `provider 1 (suomifi): unknown key "clientSecret"`},
		{"scope for scopes", `[{` + ok + `,"scope":"openid"}]`, `unknown key "scope"`},
		{"unknown claim key", `[{` + ok + `,"claims":{"ssn":"x"}}]`, `unknown key "ssn"`},
		{"no issuer", `[{"name":"a","kind":"citizen","client_id":"c","client_secret":"s"}]`, "issuer: needed"},
		{"discovery URL as issuer", `[{"name":"a","kind":"citizen","client_id":"c","client_secret":"s","issuer":"https://x/.well-known/openid-configuration"}]`, "is the discovery document"},
		{"plain http", `[{"name":"a","kind":"citizen","client_id":"c","client_secret":"s","issuer":"http://login.example.fi"}]`, "must be https"},
		{"kind", `[{"name":"a","kind":"person","client_id":"c","client_secret":"s","issuer":"https://x"}]`, "kind: must be"},
		{"no secret", `[{"name":"a","kind":"staff","client_id":"c","issuer":"https://x"}]`, "client_secret: needed"},
		{"key file without private_key_jwt", `[{` + ok + `,"private_key_file":"k.pem"}]`, "private_key_file: only used"},
		{"private_key_jwt without a key", `[{"name":"a","kind":"staff","client_id":"c","issuer":"https://x","token_endpoint_auth":"private_key_jwt"}]`, "private_key_file: needed"},
		{"bad auth method", `[{` + ok + `,"token_endpoint_auth":"basic"}]`, "token_endpoint_auth: must be"},
		{"bad userinfo", `[{` + ok + `,"userinfo":"yes"}]`, "userinfo: must be"},
		{"bad preset", `[{` + ok + `,"claims_preset":"suomifi"}]`, "claims_preset: must be"},
		{"display name without sv", `[{` + ok + `,"display_name":{"fi":"Suomi.fi","en":"Suomi.fi"}}]`, "display_name: needs fi, sv and en; sv is missing"},
		{"twice", `[{` + ok + `},{` + ok + `}]`, `name "suomifi" is used twice`},
		{"not an array", `{` + ok + `}`, "not a JSON array"},
		{"string for scopes", `[{` + ok + `,"scopes":"openid profile"}]`, "key scopes: a string is not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.ParseProviders(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want %q", err, tt.want)
			}
		})
	}
}
