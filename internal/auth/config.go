package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// Token endpoint authentication methods (OpenID Connect Core §9).
const (
	AuthSecretBasic   = "client_secret_basic"
	AuthSecretPost    = "client_secret_post"
	AuthPrivateKeyJWT = "private_key_jwt"
)

// Userinfo modes: when to read claims from the userinfo endpoint.
const (
	// UserinfoAuto reads userinfo when a claim the provider's kind needs
	// is not in the ID token (the default): a conformant provider puts only
	// the protocol claims in the ID token unless asked otherwise.
	UserinfoAuto   = "auto"
	UserinfoAlways = "always"
	UserinfoNever  = "never"
)

// Claim presets, the starting point of a provider's claim map.
const (
	// PresetStandard is the OpenID Connect standard claims plus hetu,
	// person_identifier, country and groups (the built-in provider's).
	PresetStandard = "standard"
	// PresetSuomiFi is the attribute names of Suomi.fi e-Identification
	// (its technical interface description), used by its OpenID Connect
	// service as claim names.
	PresetSuomiFi = "suomi.fi"
)

// ClaimPreset returns the claim map a preset names.
func ClaimPreset(name string) (ClaimMap, bool) {
	switch name {
	case "", PresetStandard:
		return DefaultClaims(), true
	case PresetSuomiFi:
		return ClaimMap{
			HETU:             "urn:oid:1.2.246.21",             // nationalIdentificationNumber
			GivenName:        "urn:oid:2.5.4.42",               // givenName (the name the person goes by)
			FamilyName:       "urn:oid:2.5.4.4",                // sn
			PersonIdentifier: "urn:oid:1.2.246.517.3003.113.4", // foreignPersonIdentifier (eIDAS)
			BirthDate:        "urn:oid:1.3.6.1.5.5.7.9.1",      // dateOfBirth (eIDAS)
			// No country claim: it is the first part of the eIDAS
			// identifier, "EE/FI/…".
			Country: "-",
			Groups:  "groups",
		}, true
	}
	return ClaimMap{}, false
}

// withDefaults fills the claims m leaves empty from d.
func (m ClaimMap) withDefaults(d ClaimMap) ClaimMap {
	mv, dv := reflect.ValueOf(&m).Elem(), reflect.ValueOf(d)
	for i := range mv.NumField() {
		if mv.Field(i).String() == "" {
			mv.Field(i).SetString(dv.Field(i).String())
		}
	}
	return m
}

// Required are the claims a sign-in of the kind cannot do without, by
// their names at the provider. BirthDate is optional for eIDAS.
func (p Provider) Required() []string {
	m := p.Claims
	switch p.Kind {
	case Citizen:
		return []string{m.HETU, m.GivenName, m.FamilyName}
	case EIDAS:
		r := []string{m.PersonIdentifier, m.GivenName, m.FamilyName}
		if m.Country != "-" {
			r = append(r, m.Country)
		}
		return r
	case Staff:
		return []string{m.Groups, m.GivenName, m.FamilyName}
	}
	return nil
}

// wanted are the claims read when present: the required ones and the
// optional ones of the kind.
func (p Provider) wanted() []string {
	w := p.Required()
	if p.Kind == EIDAS {
		w = append(w, p.Claims.BirthDate)
	}
	return w
}

// Label is the provider's name on the sign-in page in lang, or "" to use
// the kind's usual words.
func (p Provider) Label(lang string) string { return p.DisplayName[lang] }

// providerKeys are the keys of a provider in --oidc-config, for the
// message about a key that is none of them.
func providerKeys() []string {
	var keys []string
	t := reflect.TypeFor[Provider]()
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}

// ParseProviders reads and checks the --oidc-config file: a JSON array of
// providers. Every mistake is refused with a message that names the
// provider and the key: an unknown key (a misspelling such as
// "clientSecret"), a missing or malformed value, a display name without
// all of fi, sv and en, a client secret where private_key_jwt needs a key
// file. Claims the map leaves out come from the preset (standard unless
// claims_preset says suomi.fi).
func ParseProviders(r io.Reader) ([]Provider, error) {
	var raw []json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of providers: %w", err)
	}
	var ps []Provider
	for i, b := range raw {
		p, err := parseProvider(b)
		if err != nil {
			name := fmt.Sprintf("provider %d", i+1)
			if p.Name != "" {
				name += " (" + p.Name + ")"
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, q := range ps {
			if q.Name == p.Name {
				return nil, fmt.Errorf("provider %d: name %q is used twice", i+1, p.Name)
			}
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func parseProvider(b []byte) (Provider, error) {
	var p Provider
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return p, fmt.Errorf("unknown key %s; the keys are %s", k, strings.Join(providerKeys(), ", "))
		}
		var ce *json.UnmarshalTypeError
		if errors.As(err, &ce) {
			return p, fmt.Errorf("key %s: a %s is not allowed here", ce.Field, ce.Value)
		}
		return p, err
	}
	switch {
	case p.Name == "" || strings.ContainsAny(p.Name, "/?#%& ") || len(p.Name) > 64:
		return p, errors.New("name: needed, up to 64 characters usable in a URL (no / ? # % & or space)")
	case !p.Kind.Valid():
		return p, fmt.Errorf("kind: must be citizen, eidas or staff, not %q", p.Kind)
	case p.ClientID == "":
		return p, errors.New("client_id: needed")
	}
	if err := checkIssuer(p.Issuer); err != nil {
		return p, err
	}
	switch p.TokenAuth {
	case "":
		p.TokenAuth = AuthSecretBasic
	case AuthSecretBasic, AuthSecretPost, AuthPrivateKeyJWT:
	default:
		return p, fmt.Errorf("token_endpoint_auth: must be %s, %s or %s, not %q", AuthSecretBasic, AuthSecretPost, AuthPrivateKeyJWT, p.TokenAuth)
	}
	if p.TokenAuth == AuthPrivateKeyJWT {
		switch {
		case p.PrivateKeyFile == "":
			return p, errors.New("private_key_file: needed with token_endpoint_auth private_key_jwt")
		case p.ClientSecret != "":
			return p, errors.New("client_secret: not used with private_key_jwt; remove it")
		}
	} else {
		switch {
		case p.ClientSecret == "":
			return p, fmt.Errorf("client_secret: needed with token_endpoint_auth %s", p.TokenAuth)
		case p.PrivateKeyFile != "":
			return p, fmt.Errorf("private_key_file: only used with token_endpoint_auth private_key_jwt, not %s", p.TokenAuth)
		}
	}
	switch p.Userinfo {
	case "":
		p.Userinfo = UserinfoAuto
	case UserinfoAuto, UserinfoAlways, UserinfoNever:
	default:
		return p, fmt.Errorf("userinfo: must be auto, always or never, not %q", p.Userinfo)
	}
	preset, ok := ClaimPreset(p.ClaimsPreset)
	if !ok {
		return p, fmt.Errorf("claims_preset: must be %s or %s, not %q", PresetStandard, PresetSuomiFi, p.ClaimsPreset)
	}
	p.Claims = p.Claims.withDefaults(preset)
	if p.DisplayName != nil {
		for _, lang := range []string{"fi", "sv", "en"} {
			if strings.TrimSpace(p.DisplayName[lang]) == "" {
				return p, fmt.Errorf("display_name: needs fi, sv and en; %s is missing", lang)
			}
		}
		for k := range p.DisplayName {
			if !slices.Contains([]string{"fi", "sv", "en"}, k) {
				return p, fmt.Errorf("display_name: languages are fi, sv and en, not %q", k)
			}
		}
	}
	for _, s := range p.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\"\\") {
			return p, fmt.Errorf("scopes: %q is not one scope", s)
		}
	}
	return p, nil
}

// checkIssuer accepts an absolute https URL (http only for localhost)
// without a query or fragment. A trailing slash is allowed here: whether
// the provider writes its issuer with one is known only from its discovery
// document, which discover compares.
func checkIssuer(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("issuer: needed, e.g. https://login.example.fi")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("issuer: %q is not an absolute https URL", s)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fmt.Errorf("issuer: %q must be https (http only for localhost)", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("issuer: %q must not have a query, fragment or user name", s)
	case strings.HasSuffix(u.Path, "/.well-known/openid-configuration"):
		return fmt.Errorf("issuer: %q is the discovery document; give the issuer, without /.well-known/openid-configuration", s)
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
