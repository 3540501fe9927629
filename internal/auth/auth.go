// Package auth is sign-in: identity providers, what their claims say about
// who is signing in, and the server-side sessions that follow.
package auth

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/org"
)

// Kind is who a session belongs to.
type Kind string

// The kinds of signed-in user.
const (
	Citizen Kind = "citizen" // a person known by a Finnish identity code
	EIDAS   Kind = "eidas"   // a person signed in with a foreign eID
	Staff   Kind = "staff"   // the institution's staff
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Citizen || k == EIDAS || k == Staff }

// ClaimMap names the claims that carry each fact; providers differ.
type ClaimMap struct {
	HETU             string `json:"hetu"`
	GivenName        string `json:"given_name"`
	FamilyName       string `json:"family_name"`
	PersonIdentifier string `json:"person_identifier"`
	BirthDate        string `json:"birthdate"`
	Country          string `json:"country"`
	Groups           string `json:"groups"`
}

// DefaultClaims is the mapping the built-in test provider uses.
func DefaultClaims() ClaimMap {
	return ClaimMap{
		HETU: "hetu", GivenName: "given_name", FamilyName: "family_name",
		PersonIdentifier: "person_identifier", BirthDate: "birthdate", Country: "country", Groups: "groups",
	}
}

// Provider configures one OpenID provider the e-service trusts for one
// kind of user.
type Provider struct {
	Name         string `json:"name"` // in URLs: /login/{name}
	Kind         Kind   `json:"kind"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// TokenAuth is how the client proves itself at the token endpoint:
	// AuthSecretBasic (the default), AuthSecretPost or AuthPrivateKeyJWT.
	TokenAuth string `json:"token_endpoint_auth"`
	// PrivateKeyFile is the PEM private key (RSA or EC P-256) that signs
	// the client assertion of private_key_jwt.
	PrivateKeyFile string `json:"private_key_file"`
	// KeyID is the kid of that key as registered at the provider.
	KeyID  string   `json:"key_id"`
	Scopes []string `json:"scopes"`
	// Claims names the claims; those left out come from ClaimsPreset.
	Claims       ClaimMap `json:"claims"`
	ClaimsPreset string   `json:"claims_preset"`
	// Userinfo is when claims are read from the userinfo endpoint:
	// UserinfoAuto (default), UserinfoAlways or UserinfoNever.
	Userinfo string `json:"userinfo"`
	// DisplayName is the button's text by language (fi, sv, en); without
	// it the button names the kind.
	DisplayName map[string]string `json:"display_name"`
	// LogoutIDTokenHint sends the ID token as id_token_hint at sign-out,
	// for a provider that requires one; it is kept only when it carries
	// none of the personal claims.
	LogoutIDTokenHint bool `json:"logout_id_token_hint"`
	Test              bool `json:"-"` // the built-in test provider
}

// Identity is what a provider vouched for, checked and normalised.
type Identity struct {
	Provider     string
	Kind         Kind
	Subject      string
	HETU         string // full, for citizens
	GivenName    string
	FamilyName   string
	EIDASCountry string
	EIDASID      string
	BirthDate    civil.Date
	UnitID       string // staff
	Role         string // staff
}

// Policy is what the institution accepts at sign-in.
type Policy struct {
	EIDASCountries []string // ISO 3166 alpha-2, e.g. EE, ES, IT
	// StaffGroupPrefix starts the group names that give staff a unit and a
	// role: PREFIX<unit>:<role>, e.g. etuus:recovery:specialist.
	StaffGroupPrefix string
}

// AcceptsCountry reports whether eIDAS sign-ins from the country are accepted.
func (p Policy) AcceptsCountry(c string) bool {
	for _, x := range p.EIDASCountries {
		if strings.EqualFold(x, c) {
			return true
		}
	}
	return false
}

// Error keys a sign-in refusal is shown with.
const (
	ErrKeyHETU        = "auth.error.hetu"
	ErrKeyClaims      = "auth.error.claims"
	ErrKeyCountry     = "auth.error.country"
	ErrKeyStaffGroup  = "auth.error.staff_group"
	ErrKeyState       = "auth.error.state"
	ErrKeyProvider    = "auth.error.provider"
	ErrKeyToken       = "auth.error.token"
	ErrKeyCancelled   = "auth.error.cancelled"
	ErrKeyUnavailable = "auth.error.unavailable"
)

// IdentityFromClaims reads and checks an identity from verified claims. An
// identity code that fails validation, a country not accepted, or a staff
// member with no known unit is refused with a translatable error.
func IdentityFromClaims(p Provider, policy Policy, units []org.Unit, subject string, claims map[string]any) (Identity, error) {
	m := p.Claims
	id := Identity{
		Provider:   p.Name,
		Kind:       p.Kind,
		Subject:    subject,
		GivenName:  str(claims, m.GivenName),
		FamilyName: str(claims, m.FamilyName),
	}
	if subject == "" {
		return Identity{}, fault.Wrap(fault.Invalid, ErrKeyClaims, because(nil, "the ID token has no sub"))
	}
	switch p.Kind {
	case Citizen:
		raw := str(claims, m.HETU)
		if raw == "" {
			return Identity{}, fault.Wrap(fault.Invalid, ErrKeyHETU, missing(m.HETU, claims))
		}
		code, err := hetu.Parse(raw)
		if err != nil {
			return Identity{}, fault.Wrap(fault.Invalid, ErrKeyHETU, because(err, "claim %q is not a valid identity code", m.HETU))
		}
		id.HETU = code.String()
		id.BirthDate = code.BirthDate()
	case EIDAS:
		id.EIDASID = str(claims, m.PersonIdentifier)
		id.EIDASCountry = strings.ToUpper(str(claims, m.Country))
		if id.EIDASCountry == "" {
			// An eIDAS unique identifier starts with its country: EE/FI/….
			if c, _, ok := strings.Cut(id.EIDASID, "/"); ok {
				id.EIDASCountry = strings.ToUpper(c)
			}
		}
		if id.EIDASID == "" {
			return Identity{}, fault.Wrap(fault.Invalid, ErrKeyClaims, missing(m.PersonIdentifier, claims))
		}
		if len(id.EIDASCountry) != 2 {
			return Identity{}, fault.Wrap(fault.Invalid, ErrKeyClaims, because(nil, "no two-letter country in claim %q or before the / of %q", m.Country, m.PersonIdentifier))
		}
		if !policy.AcceptsCountry(id.EIDASCountry) {
			return Identity{}, &fault.Error{Kind: fault.Forbidden, Key: ErrKeyCountry, Data: map[string]any{"Country": id.EIDASCountry}}
		}
		if b := str(claims, m.BirthDate); b != "" {
			d, err := civil.ParseISO(b)
			if err != nil {
				return Identity{}, fault.Wrap(fault.Invalid, ErrKeyClaims, because(err, "claim %q is not a date YYYY-MM-DD", m.BirthDate))
			}
			id.BirthDate = d
		}
	case Staff:
		unit, role, ok := staffGroup(policy.StaffGroupPrefix, strs(claims, m.Groups), units)
		if !ok {
			return Identity{}, fault.Wrap(fault.Forbidden, ErrKeyStaffGroup,
				because(nil, "no group in claim %q is %sUNIT:ROLE with a known unit and role", m.Groups, policy.StaffGroupPrefix))
		}
		id.UnitID, id.Role = unit, role
	default:
		return Identity{}, fmt.Errorf("provider %s has unknown kind %q", p.Name, p.Kind)
	}
	if id.GivenName == "" && id.FamilyName == "" {
		return Identity{}, fault.Wrap(fault.Invalid, ErrKeyClaims, because(nil, "neither claim %q nor %q has a name (present: %s)", m.GivenName, m.FamilyName, claimNames(claims)))
	}
	return id, nil
}

// missing is the cause of a claim not received, with the names of the
// claims that were (names only, never values), so that a misnamed claim
// shows at once.
func missing(name string, claims map[string]any) error {
	return because(nil, "claim %q is missing (present: %s)", name, claimNames(claims))
}

// claimNames lists the claims received, protocol claims left out.
func claimNames(claims map[string]any) string {
	var names []string
	for k := range claims {
		switch k {
		case "iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "auth_time", "sid", "at_hash", "c_hash", "azp", "jti", "acr", "amr":
			continue
		}
		names = append(names, k)
	}
	if len(names) == 0 {
		return "none besides the protocol claims"
	}
	slices.Sort(names)
	return clipCause(strings.Join(names, ", "))
}

// staffGroup finds the first group naming a known unit and role.
func staffGroup(prefix string, groups []string, units []org.Unit) (unit, role string, ok bool) {
	for _, g := range groups {
		rest, found := strings.CutPrefix(g, prefix)
		if !found {
			continue
		}
		u, r, found := strings.Cut(rest, ":")
		if !found {
			continue
		}
		switch r {
		case org.RoleSpecialist, org.RoleManager, org.RoleOperations:
		default:
			continue
		}
		for _, x := range units {
			if x.ID == u {
				return u, r, true
			}
		}
	}
	return "", "", false
}

func str(claims map[string]any, name string) string {
	if name == "" {
		return ""
	}
	s, _ := claims[name].(string)
	return strings.TrimSpace(s)
}

func strs(claims map[string]any, name string) []string {
	switch v := claims[name].(type) {
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case string:
		return strings.Fields(v)
	}
	return nil
}

// Session is a signed-in user's server-side session. The browser holds only
// a random token; the database holds its hash.
type Session struct {
	ID         string
	Kind       Kind
	PersonID   string // citizens and eIDAS users
	StaffID    string // staff
	Provider   string
	IDToken    string // kept for the provider's sign-out (id_token_hint)
	Name       string // display name, from the person or staff row
	UnitID     string // staff
	Role       string // staff
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end
}

// Timeouts are the session lifetimes.
type Timeouts struct {
	Idle     time.Duration // ends a session nobody uses (default 30 min)
	Absolute time.Duration // ends every session (default 12 h)
	Warn     time.Duration // how long before the idle end the user is warned (2 min)
}

// Active reports whether the session is still valid at now.
func (s Session) Active(now time.Time, t Timeouts) bool {
	return now.Before(s.ExpiresAt) && now.Sub(s.LastSeenAt) < t.Idle
}

// LoginFlow is a sign-in in progress: what the callback must find again.
type LoginFlow struct {
	Provider  string
	State     string
	Nonce     string
	Verifier  string // PKCE
	Next      string // where to go after signing in
	ExpiresAt time.Time
}
