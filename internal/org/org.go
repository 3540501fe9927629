// Package org is the institution's organisation: its units, their public
// contact points, and the staff who work in them.
package org

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
)

// Unit is a business unit, operational unit, regional customer-service unit,
// centre or site (seed 001). Work such as message threads is routed to units.
type Unit struct {
	ID     string            `json:"id"`
	Parent string            `json:"parent,omitempty"`
	Kind   string            `json:"kind"`
	Names  map[string]string `json:"names"`
	Public bool              `json:"public,omitempty"` // shown with contact points on the front page
	Sort   int               `json:"-"`
}

// Name is the unit's name in a language, Finnish when that is missing.
func (u Unit) Name(lang string) string {
	if n := u.Names[lang]; n != "" {
		return n
	}
	return u.Names["fi"]
}

// Contact is a public contact point of a unit (seeds 002 and 003).
type Contact struct {
	ID        string `json:"-"`
	Unit      string `json:"unit"`
	Kind      string `json:"kind"`               // phone, postal, email, fax
	Audience  string `json:"audience,omitempty"` // individuals, partners, abroad, authorities
	Value     string `json:"value"`
	Intl      string `json:"intl,omitempty"` // the number dialled from abroad
	Days      string `json:"days,omitempty"` // mon-fri
	Opens     string `json:"opens,omitempty"`
	Closes    string `json:"closes,omitempty"`
	Languages string `json:"languages,omitempty"` // comma-separated service languages
	NoteKey   string `json:"note,omitempty"`      // i18n key of what the line is for
	Sort      int    `json:"-"`
}

// Staff is a member of the institution's staff.
type Staff struct {
	ID         string
	Subject    string // the identity provider's subject
	GivenName  string
	FamilyName string
	UnitID     string
	Role       string // RoleSpecialist, RoleManager, RoleOperations
}

// Staff roles.
const (
	RoleSpecialist = "specialist" // customer service specialist
	RoleManager    = "manager"    // decides, sees the unit's service levels
	RoleOperations = "operations" // payment runs, bank files, disruption notices
)

// Store reads the organisation.
type Store interface {
	Units(ctx context.Context) ([]Unit, error)
	Contacts(ctx context.Context) ([]Contact, error)
}

//go:embed reference.json
var reference []byte

// Reference is the organisation as the seeds describe it, with stable IDs and
// sort order, for seeding a new database.
func Reference() ([]Unit, []Contact, error) {
	var ref struct {
		Units    []Unit    `json:"units"`
		Contacts []Contact `json:"contacts"`
	}
	if err := json.Unmarshal(reference, &ref); err != nil {
		return nil, nil, fmt.Errorf("org reference: %w", err)
	}
	ids := map[string]bool{}
	for i := range ref.Units {
		u := &ref.Units[i]
		u.Sort = i
		if ids[u.ID] {
			return nil, nil, fmt.Errorf("org reference: unit %s twice", u.ID)
		}
		if u.Parent != "" && !ids[u.Parent] {
			return nil, nil, fmt.Errorf("org reference: unit %s before its parent %s", u.ID, u.Parent)
		}
		ids[u.ID] = true
	}
	for i := range ref.Contacts {
		c := &ref.Contacts[i]
		c.Sort = i
		c.ID = fmt.Sprintf("%s-%d", c.Unit, i)
		if !ids[c.Unit] {
			return nil, nil, fmt.Errorf("org reference: contact for unknown unit %s", c.Unit)
		}
	}
	return ref.Units, ref.Contacts, nil
}

// Children lists the units directly under parent, in order.
func Children(units []Unit, parent string) []Unit {
	var out []Unit
	for _, u := range units {
		if u.Parent == parent {
			out = append(out, u)
		}
	}
	return out
}
