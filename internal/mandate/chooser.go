package mandate

import (
	"slices"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Choice is an organisation a person may act for, with the issues allowed.
type Choice struct {
	BusinessID string
	Name       string
	Issues     []string // sorted
	Firms      []string // the firms through which, when not (only) its own staff
}

// Choices lists every organisation the person may act for at the instant
// and the issues allowed for each, by the rules of Decide (a test holds
// them to the same answers), sorted by business ID. ms holds the person's
// mandates and the client mandates to the firms the person holds mandates
// from.
func Choices(person string, ms []Mandate, at time.Time, cat *Catalogue) []Choice {
	day := civil.Today(at)
	by := map[string]*Choice{}
	add := func(org string, issues []string, firm string) {
		if len(issues) == 0 {
			return
		}
		c := by[org]
		if c == nil {
			c = &Choice{BusinessID: org}
			by[org] = c
		}
		c.Issues = append(c.Issues, issues...)
		if firm != "" && !slices.Contains(c.Firms, firm) {
			c.Firms = append(c.Firms, firm)
		}
	}
	me := Pers(person)
	clients := map[string][]Mandate{} // firm → valid transaction mandates from clients
	for _, m := range ms {
		if m.Agent.Kind == Organisation && m.Principal.Kind == Organisation && m.Type == Transaction && m.ValidOn(day) {
			clients[m.Agent.ID] = append(clients[m.Agent.ID], m)
		}
	}
	for _, m := range ms {
		if m.Agent != me || m.Principal.Kind != Organisation || !m.ValidOn(day) {
			continue
		}
		switch m.Type {
		case Transaction:
			add(m.Principal.ID, m.Issues, "")
		case Representation:
			for _, c := range clients[m.Principal.ID] {
				if c.Principal.ID == m.Principal.ID {
					continue
				}
				var issues []string
				for _, i := range m.Issues {
					if !c.Covers(i) {
						continue
					}
					if spec, _ := cat.Issue(i); spec.Specifier == ByBusinessID && len(m.Restriction) > 0 && !slices.Contains(m.Restriction, c.Principal.ID) {
						continue
					}
					issues = append(issues, i)
				}
				add(c.Principal.ID, issues, m.Principal.ID)
			}
		}
	}
	out := make([]Choice, 0, len(by))
	for _, c := range by {
		slices.Sort(c.Issues)
		c.Issues = slices.Compact(c.Issues)
		slices.Sort(c.Firms)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Choice) int {
		if a.BusinessID < b.BusinessID {
			return -1
		}
		if a.BusinessID > b.BusinessID {
			return 1
		}
		return 0
	})
	return out
}
