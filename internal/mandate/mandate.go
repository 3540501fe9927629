// Package mandate is Suomi.fi-style mandates (valtuudet, DOMAIN.md section 3,
// seed 004): the registry's types, the catalogue of issues, the
// authorisation decision with machine-readable reasons, the diagnosis that
// turns those reasons into what a person should do, and the service whose
// methods are the use cases (the feed import, the organisation chooser, the
// checks of employer-side requests, the staff look-up).
package mandate

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
)

// PartyKind says whether a principal or agent is an organisation or a person.
type PartyKind string

// The kinds of party.
const (
	Organisation PartyKind = "organisation" // known by business ID (Y-tunnus)
	Person       PartyKind = "person"       // known by identity code
)

// Party is a principal or an agent: a business ID for an organisation, the
// full 11-character identity code for a person.
type Party struct {
	Kind PartyKind `json:"kind"`
	ID   string    `json:"id"`
}

// Org is the organisation with the business ID.
func Org(businessID string) Party { return Party{Kind: Organisation, ID: businessID} }

// Pers is the person with the identity code.
func Pers(code string) Party { return Party{Kind: Person, ID: code} }

// Type is a mandate type (valtuustyyppi).
type Type string

// The four mandate types of Suomi.fi e-Authorizations.
const (
	// Transaction (asiointivaltuus): act in the principal's own matters.
	Transaction Type = "transaction"
	// Representation (edustamisvaltuus): act for the principal's clients.
	Representation Type = "representation"
	// Grant (valtuutusoikeus): the right to grant transaction mandates.
	Grant Type = "grant"
	// RepresentationGrant (edustajan valtuutusoikeus): the right to grant
	// representation mandates.
	RepresentationGrant Type = "representation_grant"
)

// Types lists the mandate types in the register's order.
var Types = []Type{Transaction, Representation, Grant, RepresentationGrant}

// MaxYears is the longest a mandate may be valid (DOMAIN.md section 3).
const MaxYears = 25

// Mandate is one mandate of the register.
type Mandate struct {
	ID        string     // the register's identifier, stable across feeds
	Principal Party      // valtuuttaja
	Agent     Party      // valtuutettu
	Type      Type       // valtuustyyppi
	Issues    []string   // valtuusasiat: keys of the catalogue, sorted
	Start     civil.Date // first day valid, in Finland
	End       civil.Date // last day valid (inclusive), in Finland
	// Restriction is the restriction specifier (rajaustarkenne): the
	// client business IDs or workplace numbers the agent is limited to;
	// empty means no limit.
	Restriction []string
	Revoked     bool
}

// ValidOn reports whether the mandate is in force on the day in Finland.
func (m Mandate) ValidOn(day civil.Date) bool {
	return !m.Revoked && !day.Before(m.Start) && !day.After(m.End)
}

// Covers reports whether the mandate names the issue.
func (m Mandate) Covers(issue string) bool { return slices.Contains(m.Issues, issue) }

// Specifier says what the restriction specifier of a mandate for an issue
// names.
type Specifier string

// The specifier kinds.
const (
	ByBusinessID Specifier = "business_id" // client organisations (employer e-service)
	ByWorkplace  Specifier = "workplace"   // workplace numbers (occupational healthcare)
)

// Issue is a mandate issue (valtuusasia) of the catalogue.
type Issue struct {
	Key       string            `json:"key"`
	Specifier Specifier         `json:"specifier"`
	Names     map[string]string `json:"names"`
}

// Name is the issue's name in a language, Finnish when that is missing.
func (i Issue) Name(lang string) string {
	if n := i.Names[lang]; n != "" {
		return n
	}
	return i.Names["fi"]
}

//go:embed issues.json
var issuesJSON []byte

// Catalogue is the issues a mandate may name, as data.
type Catalogue struct {
	Issues []Issue
	byKey  map[string]Issue
}

// DefaultCatalogue is the built-in catalogue (issues.json beside this file).
func DefaultCatalogue() *Catalogue {
	c, err := LoadCatalogue(issuesJSON)
	if err != nil {
		panic("mandate: built-in issues: " + err.Error())
	}
	return c
}

// LoadCatalogue reads a catalogue; every issue needs a key, a known
// specifier and names in Finnish, Swedish and English.
func LoadCatalogue(b []byte) (*Catalogue, error) {
	var raw struct {
		Note   string  `json:"note"`
		Issues []Issue `json:"issues"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("issues: %w", err)
	}
	c := &Catalogue{Issues: raw.Issues, byKey: map[string]Issue{}}
	for _, i := range raw.Issues {
		switch {
		case i.Key == "":
			return nil, fmt.Errorf("issues: an issue without a key")
		case i.Specifier != ByBusinessID && i.Specifier != ByWorkplace:
			return nil, fmt.Errorf("issues: %s: unknown specifier %q", i.Key, i.Specifier)
		case i.Names["fi"] == "" || i.Names["sv"] == "" || i.Names["en"] == "":
			return nil, fmt.Errorf("issues: %s: needs names in fi, sv and en", i.Key)
		}
		if _, dup := c.byKey[i.Key]; dup {
			return nil, fmt.Errorf("issues: %s twice", i.Key)
		}
		c.byKey[i.Key] = i
	}
	return c, nil
}

// Issue finds an issue by key.
func (c *Catalogue) Issue(key string) (Issue, bool) {
	i, ok := c.byKey[key]
	return i, ok
}

// Keys lists the issue keys in catalogue order.
func (c *Catalogue) Keys() []string {
	out := make([]string, len(c.Issues))
	for n, i := range c.Issues {
		out[n] = i.Key
	}
	return out
}

// CheckParty refuses a party whose kind is unknown or whose identifier is
// malformed, and returns it in canonical form.
func CheckParty(p Party, field string) (Party, error) {
	switch p.Kind {
	case Organisation:
		id, err := ytunnus.Parse(strings.TrimSpace(p.ID))
		if err != nil {
			return p, fault.InvalidField(field, "mandate.error.business_id", nil)
		}
		return Org(id.String()), nil
	case Person:
		code, err := hetu.Parse(strings.TrimSpace(p.ID))
		if err != nil {
			return p, fault.InvalidField(field, "mandate.error.identity_code", nil)
		}
		return Pers(code.String()), nil
	}
	return p, fault.InvalidField(field, "mandate.error.party_kind", nil)
}

// Check refuses a mandate the register would not hold, with the reason as
// a translated key: a malformed party, an unknown type or issue, an end
// before the start, a validity longer than MaxYears, or a restriction
// specifier on a mandate that cannot carry one. It returns the mandate in
// canonical form (parties normalised, issues sorted and unique).
func (c *Catalogue) Check(m Mandate) (Mandate, error) {
	var err error
	if m.ID == "" || len(m.ID) > 64 {
		return m, fault.InvalidField("id", "mandate.error.id", nil)
	}
	if m.Principal, err = CheckParty(m.Principal, "principal"); err != nil {
		return m, err
	}
	if m.Agent, err = CheckParty(m.Agent, "agent"); err != nil {
		return m, err
	}
	if m.Principal == m.Agent {
		return m, fault.InvalidField("agent", "mandate.error.self", nil)
	}
	if !slices.Contains(Types, m.Type) {
		return m, fault.InvalidField("type", "mandate.error.type", nil)
	}
	if (m.Type == Representation || m.Type == RepresentationGrant) && m.Principal.Kind != Organisation {
		// Only an organisation has clients to be represented for.
		return m, fault.InvalidField("principal", "mandate.error.representation_principal", nil)
	}
	if len(m.Issues) == 0 {
		return m, fault.InvalidField("issues", "mandate.error.no_issues", nil)
	}
	m.Issues = slices.Clone(m.Issues)
	slices.Sort(m.Issues)
	m.Issues = slices.Compact(m.Issues)
	for _, k := range m.Issues {
		if _, ok := c.byKey[k]; !ok {
			return m, fault.InvalidField("issues", "mandate.error.issue", map[string]any{"Issue": k})
		}
	}
	if !m.Start.IsValid() || !m.End.IsValid() {
		return m, fault.InvalidField("start", "mandate.error.dates", nil)
	}
	if m.End.Before(m.Start) {
		return m, fault.InvalidField("end", "mandate.error.end_before_start", nil)
	}
	if lim := civil.New(m.Start.Year+MaxYears, m.Start.Month, m.Start.Day); m.End.After(lim) {
		return m, fault.InvalidField("end", "mandate.error.too_long", map[string]any{"Years": MaxYears})
	}
	if len(m.Restriction) > 0 {
		spec, err := c.specifier(m)
		if err != nil {
			return m, err
		}
		m.Restriction = slices.Clone(m.Restriction)
		for n, s := range m.Restriction {
			s = strings.TrimSpace(s)
			if len(s) == 0 || len(s) > 20 {
				return m, fault.InvalidField("restriction", "mandate.error.specifier", nil)
			}
			if spec == ByBusinessID {
				id, err := ytunnus.Parse(s)
				if err != nil {
					return m, fault.InvalidField("restriction", "mandate.error.specifier_business_id", nil)
				}
				s = id.String()
			} else if strings.Trim(s, "0123456789") != "" {
				return m, fault.InvalidField("restriction", "mandate.error.specifier_workplace", nil)
			}
			m.Restriction[n] = s
		}
		slices.Sort(m.Restriction)
		m.Restriction = slices.Compact(m.Restriction)
	}
	return m, nil
}

// specifier is the kind of restriction specifier a mandate may carry, or
// the reason it may carry none: every issue must take the same kind; a
// client business ID restricts only representation mandates (whose agent
// acts for clients), a workplace number transaction and representation
// mandates; the rights to grant carry none.
func (c *Catalogue) specifier(m Mandate) (Specifier, error) {
	spec := c.byKey[m.Issues[0]].Specifier
	for _, k := range m.Issues[1:] {
		if c.byKey[k].Specifier != spec {
			return "", fault.InvalidField("restriction", "mandate.error.specifier_mixed", nil)
		}
	}
	ok := (spec == ByBusinessID && m.Type == Representation) ||
		(spec == ByWorkplace && (m.Type == Transaction || m.Type == Representation))
	if !ok {
		return "", fault.InvalidField("restriction", "mandate.error.specifier_type", map[string]any{"Type": string(m.Type)})
	}
	return spec, nil
}
