package mandate

import (
	"github.com/etuus/etuus/internal/fi/civil"
)

// Case is which of seed 004's three failure cases a person is in.
type Case int

// The three failure cases of seed 004.
const (
	CannotEnter Case = 1 // no organisation to act for at all
	OrgMissing  Case = 2 // the organisation is missing from the chooser
	Refused     Case = 3 // the organisation is chosen but the action is refused
)

// Step is one thing to do, as a translation key and what it names. Ask,
// when set, is the mandate to request: its type, from whom (Principal, a
// business ID) and for which issue; the diagnosis page offers to send that
// request.
type Step struct {
	Key       string     `json:"key"`
	Org       string     `json:"org,omitempty"`
	Firm      string     `json:"firm,omitempty"`
	Issue     string     `json:"issue,omitempty"`
	Have      Type       `json:"have,omitempty"`
	Need      Type       `json:"need,omitempty"`
	Start     civil.Date `json:"start,omitzero"`
	End       civil.Date `json:"end,omitzero"`
	Workplace string     `json:"workplace,omitempty"`
	Ask       *Ask       `json:"ask,omitempty"`
}

// Ask is a mandate a person can request.
type Ask struct {
	Principal string `json:"principal"` // business ID of the organisation asked
	Type      Type   `json:"type"`
	Issue     string `json:"issue"`
}

// SupportKey is the last step of every diagnosis: when the mandates look
// right, Kela's IT customer support (seed 004).
const SupportKey = "mandate.advice.support"

// Diagnose turns a decision's reasons into what exactly to do: whom to ask
// for which mandate type, one step per reason, the support step last. An
// allowed decision needs nothing.
func Diagnose(q Query, d Decision) []Step {
	if d.Allowed() {
		return nil
	}
	var steps []Step
	for _, r := range d.Reasons {
		s := Step{Key: "mandate.advice." + string(r.Code), Org: q.Org, Firm: r.Firm, Issue: r.Issue,
			Have: r.Have, Need: r.Need, Start: r.Start, End: r.End, Workplace: r.Workplace}
		if r.Link != "" {
			s.Key += "." + string(r.Link)
		}
		if r.Code == Restricted && r.Workplace != "" {
			s.Key = "mandate.advice.restricted.workplace"
		}
		switch r.Code {
		case NoMandate:
			// Either route may be the one meant: say both.
			s.Key = "mandate.advice.no_mandate.own"
			s.Ask = &Ask{Principal: q.Org, Type: Transaction, Issue: r.Issue}
			steps = append(steps, s, Step{Key: "mandate.advice.no_mandate.firm", Org: q.Org, Issue: r.Issue})
			continue
		case NotYetValid:
			// Nothing to request: the mandate starts later.
		case NoClientMandate:
			// The client grants the firm; the person asks the firm to see to it.
		default:
			s.Ask = ask(q, r)
		}
		steps = append(steps, s)
	}
	return append(steps, Step{Key: SupportKey})
}

// ask is the mandate that fixes a reason, asked from the organisation
// that grants it: the organisation itself for its own matters, the firm
// for a representation mandate. The client's mandate to the firm is the
// client's to give, not the person's to ask for.
func ask(q Query, r Reason) *Ask {
	switch r.Link {
	case Own:
		return &Ask{Principal: q.Org, Type: Transaction, Issue: r.Issue}
	case ByFirm:
		return &Ask{Principal: r.Firm, Type: Representation, Issue: r.Issue}
	}
	return nil
}
