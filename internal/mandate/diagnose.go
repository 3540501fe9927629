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
		s := Step{Key: adviceKey(r), Org: q.Org, Firm: r.Firm, Issue: r.Issue,
			Have: r.Have, Need: r.Need, Start: r.Start, End: r.End, Workplace: r.Workplace}
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

// adviceKey is the translation key of what to do about a reason.
func adviceKey(r Reason) string {
	keys := map[Code][3]string{ // own, firm, client
		WrongType:       {"mandate.advice.wrong_type.own", "mandate.advice.wrong_type.firm", "mandate.advice.wrong_type.client"},
		IssueNotCovered: {"mandate.advice.issue_not_covered.own", "mandate.advice.issue_not_covered.firm", "mandate.advice.issue_not_covered.client"},
		Expired:         {"mandate.advice.expired.own", "mandate.advice.expired.firm", "mandate.advice.expired.client"},
		NotYetValid:     {"mandate.advice.not_yet_valid.own", "mandate.advice.not_yet_valid.firm", "mandate.advice.not_yet_valid.client"},
		Revoked:         {"mandate.advice.revoked.own", "mandate.advice.revoked.firm", "mandate.advice.revoked.client"},
		Restricted:      {"mandate.advice.restricted.workplace", "mandate.advice.restricted.firm", "mandate.advice.restricted.workplace"},
		NoClientMandate: {"mandate.advice.no_client_mandate", "mandate.advice.no_client_mandate", "mandate.advice.no_client_mandate"},
	}
	k, ok := keys[r.Code]
	if !ok {
		return "mandate.advice.no_mandate.own"
	}
	switch r.Link {
	case ByFirm:
		if r.Code == Restricted && r.Workplace != "" {
			return k[0]
		}
		return k[1]
	case Client:
		return k[2]
	}
	return k[0]
}

// TypeKey is the translation key of a mandate type's name.
func TypeKey(t Type) string {
	switch t {
	case Transaction:
		return "mandate.type.transaction"
	case Representation:
		return "mandate.type.representation"
	case Grant:
		return "mandate.type.grant"
	case RepresentationGrant:
		return "mandate.type.representation_grant"
	}
	return "mandate.type.unknown"
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
