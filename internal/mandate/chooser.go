package mandate

import (
	"slices"
	"strings"
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
	ch := newChooser(person, ms, at, cat)
	spans := ch.spans()
	out := make([]Choice, len(spans))
	for i, sp := range spans {
		out[i] = ch.choice(sp)
	}
	return out
}

// chooser is Choices' rule in two steps, so that a page of the chooser
// builds only the choices it shows: newChooser finds every link that
// allows at least one issue (cheaply: no issue list is built), spans
// groups them by organisation, and choice builds one organisation's
// Choice from its links.
type chooser struct {
	ms    []Mandate
	cat   *Catalogue
	links []link // by organisation, then as found
}

// link is one way the person may act for an organisation: a transaction
// mandate of their own from it (client -1), or a representation mandate
// from a firm (own) with the organisation's transaction mandate to that
// firm (client); indexes into ms.
type link struct {
	org         string
	own, client int32
}

// span is one organisation's links, links[from:to].
type span struct {
	org      string
	from, to int32
}

func newChooser(person string, ms []Mandate, at time.Time, cat *Catalogue) *chooser {
	day := civil.Today(at)
	ch := &chooser{ms: ms, cat: cat}
	me := Pers(person)
	clients := map[string][]int32{} // firm → valid transaction mandates from clients
	for i := range ms {
		m := &ms[i]
		if m.Agent.Kind == Organisation && m.Principal.Kind == Organisation && m.Type == Transaction && m.ValidOn(day) {
			clients[m.Agent.ID] = append(clients[m.Agent.ID], int32(i))
		}
	}
	for i := range ms {
		m := &ms[i]
		if m.Agent != me || m.Principal.Kind != Organisation || !m.ValidOn(day) {
			continue
		}
		switch m.Type {
		case Transaction:
			if len(m.Issues) > 0 {
				ch.links = append(ch.links, link{m.Principal.ID, int32(i), -1})
			}
		case Representation:
			for _, j := range clients[m.Principal.ID] {
				c := &ms[j]
				if c.Principal.ID == m.Principal.ID {
					continue
				}
				if slices.ContainsFunc(m.Issues, func(i string) bool { return ch.allows(m, c, i) }) {
					ch.links = append(ch.links, link{c.Principal.ID, int32(i), j})
				}
			}
		}
	}
	slices.SortStableFunc(ch.links, func(a, b link) int { return strings.Compare(a.org, b.org) })
	return ch
}

// allows tells whether the firm's representation mandate m with the
// client's transaction mandate c allows the issue.
func (ch *chooser) allows(m, c *Mandate, issue string) bool {
	if !c.Covers(issue) {
		return false
	}
	spec, _ := ch.cat.Issue(issue)
	return spec.Specifier != ByBusinessID || len(m.Restriction) == 0 || slices.Contains(m.Restriction, c.Principal.ID)
}

// spans are the organisations the person may act for, by business ID.
func (ch *chooser) spans() []span {
	var out []span
	for i, l := range ch.links {
		if n := len(out); n > 0 && out[n-1].org == l.org {
			out[n-1].to = int32(i + 1)
			continue
		}
		out = append(out, span{l.org, int32(i), int32(i + 1)})
	}
	return out
}

// choice is one organisation's Choice (without its name).
func (ch *chooser) choice(sp span) Choice {
	c := Choice{BusinessID: sp.org}
	for _, l := range ch.links[sp.from:sp.to] {
		m := &ch.ms[l.own]
		if l.client < 0 {
			c.Issues = append(c.Issues, m.Issues...)
			continue
		}
		for _, i := range m.Issues {
			if ch.allows(m, &ch.ms[l.client], i) {
				c.Issues = append(c.Issues, i)
			}
		}
		if !slices.Contains(c.Firms, m.Principal.ID) {
			c.Firms = append(c.Firms, m.Principal.ID)
		}
	}
	slices.Sort(c.Issues)
	c.Issues = slices.Compact(c.Issues)
	slices.Sort(c.Firms)
	return c
}
