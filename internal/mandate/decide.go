package mandate

import (
	"cmp"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Result is the answer of a decision, in the Suomi.fi shape.
type Result string

// The two answers.
const (
	Allowed    Result = "ALLOWED"
	Disallowed Result = "DISALLOWED"
)

// Code is a machine-readable reason of a decision.
type Code string

// The reasons. An ALLOWED decision names its basis (DirectMandate or
// FirmChain); a DISALLOWED one names every near miss it found, or
// NoMandate when there was none.
const (
	DirectMandate   Code = "direct_transaction_mandate" // O → P transaction mandate for the issue
	FirmChain       Code = "firm_chain"                 // O → F transaction and F → P representation
	NoMandate       Code = "no_mandate"                 // nothing links the person to the organisation
	WrongType       Code = "wrong_type"                 // a mandate of another type than the link needs
	IssueNotCovered Code = "issue_not_covered"          // the mandate does not name the issue
	Expired         Code = "expired"                    // the mandate's last day has passed
	NotYetValid     Code = "not_yet_valid"              // the mandate's first day has not come
	Revoked         Code = "revoked"                    // the register revoked the mandate
	Restricted      Code = "restricted"                 // the restriction specifier leaves this client or workplace out
	NoClientMandate Code = "no_client_mandate"          // the firm holds no transaction mandate from the client
)

// Link says which mandate of a route a reason is about.
type Link string

// The links of the two routes.
const (
	Own    Link = "own"    // O → P, for the organisation's own matters
	ByFirm Link = "firm"   // F → P, the firm's representation mandate to its employee
	Client Link = "client" // O → F, the client's transaction mandate to the firm
)

// Reason is one machine-readable reason of a decision.
type Reason struct {
	Code    Code   `json:"code"`
	Link    Link   `json:"link,omitempty"`
	Mandate string `json:"mandate,omitempty"` // the register's ID of the mandate it is about
	// ClientMandate is the client's mandate to the firm in a FirmChain.
	ClientMandate string     `json:"client_mandate,omitempty"`
	Firm          string     `json:"firm,omitempty"` // the firm's business ID, on the firm route
	Have          Type       `json:"have,omitempty"` // WrongType: the type the mandate has
	Need          Type       `json:"need,omitempty"` // WrongType: the type the link needs
	Issue         string     `json:"issue,omitempty"`
	Start         civil.Date `json:"start,omitzero"`
	End           civil.Date `json:"end,omitzero"`
	Workplace     string     `json:"workplace,omitempty"` // Restricted by workplace
}

// Query asks: may Person act for Org on Issue at At? Firm, when set, asks
// only about acting for Org as a client of that firm (the API's "client"
// form); Workplace, for an issue restricted by workplace, names the
// workplace acted for ("" asks about the organisation as a whole).
type Query struct {
	Person    string // identity code of the agent
	Org       string // business ID of the organisation whose matter it is
	Issue     string
	At        time.Time
	Firm      string
	Workplace string
}

// Decision is the answer with its reasons.
type Decision struct {
	Result  Result   `json:"decision"`
	Reasons []Reason `json:"reasons"`
	// Workplaces, on an ALLOWED decision for an issue restricted by
	// workplace, are the workplaces the person is limited to; nil means
	// all of them.
	Workplaces []string `json:"workplaces,omitempty"`
}

// Allowed reports whether the decision allows.
func (d Decision) Allowed() bool { return d.Result == Allowed }

// Decide answers a query from the mandates the register holds. ms may be
// the whole register or any part of it that holds every mandate whose
// agent is the person and every mandate from the organisation to another
// organisation (the store gives exactly those). The rules (DOMAIN.md
// section 3, seed 004):
//
//   - own organisation: a transaction mandate from O to P for the issue,
//     valid on the day of At in Finland (end date inclusive);
//   - accounting firm: a transaction mandate from O to a firm F and a
//     representation mandate from F to P, for the same issue, both valid
//     that day, and P's restriction specifier, if any, names O;
//   - a mandate of another type gives nothing on that link and is named
//     as WrongType (a representation mandate gives nothing in the firm's
//     own matters; a transaction mandate from a firm gives nothing for its
//     clients);
//   - nothing is said about a firm's clients unless the person holds a
//     mandate from that firm.
func Decide(q Query, ms []Mandate, cat *Catalogue) Decision {
	day := civil.Today(q.At)
	spec := ByBusinessID
	if i, ok := cat.Issue(q.Issue); ok {
		spec = i.Specifier
	}
	var ok, why []Reason
	var places []string
	unlimited := false
	allow := func(r Reason, m Mandate) {
		if spec == ByWorkplace && len(m.Restriction) > 0 && q.Workplace == "" {
			places = append(places, m.Restriction...)
		} else {
			unlimited = true
		}
		ok = append(ok, r)
	}
	if q.Firm == "" {
		for _, m := range ms {
			if m.Agent != Pers(q.Person) || m.Principal != Org(q.Org) {
				continue
			}
			if r, fail := check(m, Transaction, Own, q, day, spec); fail {
				why = append(why, r)
			} else {
				allow(Reason{Code: DirectMandate, Link: Own, Mandate: m.ID, Issue: q.Issue}, m)
			}
		}
	}
	for _, m := range ms {
		if m.Agent != Pers(q.Person) || m.Principal.Kind != Organisation || m.Principal.ID == q.Org {
			continue
		}
		firm := m.Principal.ID
		if q.Firm != "" && firm != q.Firm {
			continue
		}
		rep, repFail := check(m, Representation, ByFirm, q, day, spec)
		var clientOK []Mandate
		var clientWhy []Reason
		for _, c := range ms {
			if c.Principal != Org(q.Org) || c.Agent != Org(firm) {
				continue
			}
			if r, fail := check(c, Transaction, Client, q, day, spec); fail {
				r.Firm = firm
				clientWhy = append(clientWhy, r)
			} else {
				clientOK = append(clientOK, c)
			}
		}
		if len(clientOK) == 0 && len(clientWhy) == 0 {
			// The client gave this firm nothing: worth saying only when
			// this mandate would otherwise carry the person there.
			if !repFail {
				why = append(why, Reason{Code: NoClientMandate, Link: Client, Firm: firm, Issue: q.Issue})
			}
			continue
		}
		rep.Firm = firm
		if repFail {
			why = append(why, rep)
		}
		if len(clientOK) == 0 {
			why = append(why, clientWhy...)
		}
		if !repFail && len(clientOK) > 0 {
			allow(Reason{Code: FirmChain, Link: ByFirm, Mandate: m.ID, ClientMandate: clientOK[0].ID, Firm: firm, Issue: q.Issue}, m)
		}
	}
	if len(ok) > 0 {
		d := Decision{Result: Allowed, Reasons: sortReasons(ok)}
		if !unlimited {
			slices.Sort(places)
			d.Workplaces = slices.Compact(places)
		}
		return d
	}
	if len(why) == 0 {
		why = []Reason{{Code: NoMandate, Issue: q.Issue}}
	}
	return Decision{Result: Disallowed, Reasons: sortReasons(prune(why))}
}

// check is the first reason a mandate fails its link, in the order a
// person fixes them: revoked, wrong type, issue missing, not valid that
// day, restricted away.
func check(m Mandate, need Type, link Link, q Query, day civil.Date, spec Specifier) (Reason, bool) {
	r := Reason{Link: link, Mandate: m.ID, Issue: q.Issue, Start: m.Start, End: m.End}
	switch {
	case m.Revoked:
		r.Code = Revoked
	case m.Type != need:
		r.Code, r.Have, r.Need = WrongType, m.Type, need
	case !m.Covers(q.Issue):
		r.Code = IssueNotCovered
	case day.After(m.End):
		r.Code = Expired
	case day.Before(m.Start):
		r.Code = NotYetValid
	case len(m.Restriction) > 0 && spec == ByBusinessID && link == ByFirm && !slices.Contains(m.Restriction, q.Org):
		r.Code = Restricted
	case len(m.Restriction) > 0 && spec == ByWorkplace && q.Workplace != "" && !slices.Contains(m.Restriction, q.Workplace):
		r.Code, r.Workplace = Restricted, q.Workplace
	default:
		return Reason{}, false
	}
	return r, true
}

func sortReasons(rs []Reason) []Reason {
	slices.SortStableFunc(rs, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(a.Firm, b.Firm), cmp.Compare(a.Link, b.Link), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Mandate, b.Mandate))
	})
	return rs
}

// prune keeps what a person should act on: on each link (own, or a firm's
// or its client's), a mandate that lacks the issue is not worth naming
// beside one that names it and fails for another reason, and one such
// mandate is enough to name.
func prune(rs []Reason) []Reason {
	type link struct {
		l    Link
		firm string
	}
	closer := map[link]bool{}
	for _, r := range rs {
		if r.Code != IssueNotCovered {
			closer[link{r.Link, r.Firm}] = true
		}
	}
	named := map[link]bool{}
	out := rs[:0]
	for _, r := range rs {
		k := link{r.Link, r.Firm}
		if r.Code == IssueNotCovered {
			if closer[k] || named[k] {
				continue
			}
			named[k] = true
		}
		out = append(out, r)
	}
	return out
}
