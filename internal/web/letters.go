package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/slip"
)

// letterView is a recovery letter as its page and its PDF show it: the
// same paragraphs and facts for both, in one language.
type letterView struct {
	recovery.Letter
	Title      string
	Paragraphs []string
	Facts      []fact
	Details    *recovery.Details
	Plan       *recovery.Plan
	Creditor   string // the payee's name
}

type fact struct{ Label, Value string }

// loadLetter is the customer's own letter of the claim in the path;
// another customer's letter, or one of another claim, answers 404.
func (s *Server) loadLetter(w http.ResponseWriter, r *http.Request) (recovery.Letter, bool) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return recovery.Letter{}, false
	}
	l, err := s.cfg.Recovery.Service.Letter(r.Context(), actorOf(sess), r.PathValue("letter"))
	if err == nil && l.ClaimID != r.PathValue("id") {
		err = fault.New(fault.NotFound, "")
	}
	if err != nil {
		s.fail(w, r, err)
		return l, false
	}
	return l, true
}

// writeLetter puts the letter's text together in the localizer's language.
func (s *Server) writeLetter(loc *i18n.Localizer, l recovery.Letter) letterView {
	kind := loc.T("kind." + string(l.ClaimKind))
	v := letterView{Letter: l, Title: loc.T("letter.kind." + string(l.Kind)), Plan: l.Plan, Creditor: s.cfg.Recovery.CreditorName}
	exemption := ""
	if l.Exemption != "" {
		exemption = strings.ToLower(loc.T("exemption.kind." + string(l.Exemption)))
	}
	v.Paragraphs = append(v.Paragraphs, loc.T("letter.body."+string(l.Kind), map[string]any{"Kind": exemption, "From": formatDate(l.From)}))
	if l.ReasonKey != "" {
		v.Facts = append(v.Facts, fact{loc.T("letter.reason"), loc.T(l.ReasonKey)})
	}
	v.Facts = append(v.Facts, fact{loc.T("claim.title"), kind}, fact{loc.T("letter.reference"), groupedRef(l.Reference)})
	if l.BenefitKey != "" {
		benefit := recovery.Claim{BenefitKey: l.BenefitKey}.BenefitTextKey()
		if loc.Has(benefit) {
			benefit = loc.T(benefit)
		} else {
			benefit = l.BenefitKey
		}
		v.Facts = append(v.Facts, fact{loc.T("decisions.origin.benefit"), benefit})
	}
	if !l.PeriodFrom.IsZero() {
		v.Facts = append(v.Facts, fact{loc.T("decisions.origin.period"), formatDate(l.PeriodFrom) + "–" + formatDate(l.PeriodTo)})
	}
	if l.DecisionID != "" {
		v.Facts = append(v.Facts, fact{loc.T("decisions.origin.decision"), l.DecisionID})
	}
	if l.Kind == recovery.LetterExemptionApproved {
		if l.WrittenOffCents > 0 {
			v.Facts = append(v.Facts, fact{loc.T("letter.written_off"), formatEuros(l.WrittenOffCents)})
		} else if l.Exemption != recovery.ExemptFull {
			v.Paragraphs = append(v.Paragraphs, loc.T("letter.written_off_none"))
		}
	}
	if l.Reminder > 0 {
		v.Facts = append(v.Facts, fact{loc.T("letter.reminder_n"), itoa(l.Reminder)})
		v.Facts = append(v.Facts, fact{loc.T("letter.fee"), formatEuros(l.FeeCents)})
	}
	v.Facts = append(v.Facts, fact{loc.T("letter.balance"), formatEuros(l.BalanceCents)})
	if l.AmountCents > 0 {
		ref, err := viite.Parse(l.Reference)
		if err == nil {
			d, err := recovery.PaymentDetails(recovery.Claim{Reference: ref, Principal: l.AmountCents, DueDate: l.DueDate, Status: recovery.Open},
				s.cfg.Recovery.Service.Creditor(), s.today())
			if err == nil {
				v.Details = &d
			}
		}
	}
	if !l.NextStep.IsZero() {
		v.Paragraphs = append(v.Paragraphs, loc.T("letter.next_step", map[string]any{"Date": formatDate(l.NextStep)}))
	}
	v.Paragraphs = append(v.Paragraphs, loc.T("letter.rules", map[string]any{"Kind": strings.ToLower(kind)}))
	if l.Appealable() {
		v.Paragraphs = append(v.Paragraphs, loc.T("letter.appeal"))
	} else {
		v.Paragraphs = append(v.Paragraphs, loc.T("letter.not_decision"))
	}
	return v
}

func groupedRef(s string) string {
	if r, err := viite.Parse(s); err == nil {
		return r.Grouped()
	}
	return s
}

// letterShow is a letter as a page of the e-service.
func (s *Server) letterShow(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "letter", &page{Title: "letter.title", Data: s.writeLetter(s.localizer(r), l)})
}

// letterPDF is the letter as a PDF to keep, in the language it was sent
// in, with the payment slip when there is something to pay.
func (s *Server) letterPDF(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	loc := s.catalog.For(i18n.Match(l.Lang, ""))
	v := s.writeLetter(loc, l)
	// The PDF shows what the page shows, in the same order: the date sent,
	// the paragraphs, the facts as a table and the plan.
	nbsp := strings.NewReplacer("\u00a0", " ").Replace
	body := []slip.Block{slip.Para(loc.T("letter.sent") + " " + formatDate(l.On))}
	for _, p := range v.Paragraphs {
		body = append(body, slip.Para(nbsp(p)))
	}
	facts := make([]slip.Line, len(v.Facts))
	for i, f := range v.Facts {
		facts[i] = slip.Line{Label: f.Label, Value: nbsp(f.Value)}
	}
	if len(facts) > 0 {
		body = append(body, slip.Table(facts...))
	}
	if v.Plan != nil {
		// The schedule runs on as one paragraph, so that 36 instalments
		// still leave the form its place.
		parts := make([]string, len(v.Plan.Instalments))
		for i, in := range v.Plan.Instalments {
			parts[i] = itoa(in.N) + ". " + formatDate(in.Due) + " " + formatEuros(in.Cents)
		}
		body = append(body, slip.Para(nbsp(loc.T("plan.current")+": "+strings.Join(parts, "; "))))
	}
	sl := slip.Slip{Title: v.Title, Lang: loc.Lang, Body: body, NoForm: true}
	if v.Details != nil {
		sl = s.paySlip(loc, v.Details, v.Title, body)
	}
	var buf bytes.Buffer
	if err := slip.Write(&buf, sl); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="letter-`+l.On.String()+`.pdf"`)
	buf.WriteTo(w)
}
