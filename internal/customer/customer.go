// Package customer is the institution's customers: people, known by a Finnish
// identity code or an eIDAS identity, and organisations, known by business ID.
package customer

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Person is a customer. A person signed in through eIDAS has no identity
// code but a country and a person identifier, until staff link the identity
// to a customer record.
type Person struct {
	ID           string
	HETU         string // the full 11-character identity code, or ""
	EIDASCountry string // ISO 3166 alpha-2, for eIDAS identities
	EIDASID      string // the eIDAS PersonIdentifier
	GivenName    string
	FamilyName   string
	BirthDate    civil.Date
	Lang         string // preferred language: fi, sv or en
	Email        string
	Phone        string
	Demo         bool
	CreatedAt    time.Time
}

// Name is the person's full name.
func (p Person) Name() string { return p.GivenName + " " + p.FamilyName }

// Organisation is a company or other organisation, a customer as an employer.
type Organisation struct {
	ID         string
	BusinessID string // Y-tunnus
	Name       string
	Demo       bool
	CreatedAt  time.Time
}

// Store keeps customers. Lookups return a fault.NotFound error when there is
// no such customer.
type Store interface {
	PersonByID(ctx context.Context, id string) (Person, error)
	PersonByHETU(ctx context.Context, hetu string) (Person, error)
	PersonByEIDAS(ctx context.Context, country, id string) (Person, error)
	// CreatePerson stores a new person; a person with the same identity code
	// or eIDAS identity is a fault.Conflict.
	CreatePerson(ctx context.Context, p *Person) error
	OrganisationByBusinessID(ctx context.Context, businessID string) (Organisation, error)
}
