package web

import (
	"bytes"
	"errors"
	"github.com/etuus/etuus/internal/auth"
	"net/http"
	"strconv"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/slip"
)

// today is the calendar date in Finland, where due dates fall.
func (s *Server) today() civil.Date { return civil.Today(s.now()) }

type claimView struct {
	recovery.Claim
	Details  *recovery.Details
	Events   []recovery.Event
	Overdue  bool
	Proposal *recovery.Proposal // the newest proposal, if any
	Pending  bool
	// Exemption is the newest exemption application, if any; CanExempt
	// says whether the kind of debt allows one and none is pending.
	Exemption *recovery.Exemption
	CanExempt bool
	Letters   []recovery.Letter // newest first
	// PlannedOffsets are the coming benefit payments' offsets for the claim.
	PlannedOffsets []recovery.Offset
}

// claimList is the customer's list of what is being recovered from them.
func (s *Server) claimList(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	cs, err := s.cfg.Recovery.Service.Claims(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.today()
	var total int64
	views := make([]claimView, len(cs))
	for i, c := range cs {
		views[i] = claimView{Claim: c, Overdue: c.Overdue(today)}
		total += c.Balance()
	}
	unlinked := false
	if len(cs) == 0 {
		if unlinked, err = s.unlinkedEIDAS(r, sess); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "claims", &page{Title: "claims.title", Data: struct {
		Claims   []claimView
		Total    int64
		Unlinked bool
	}{views, total, unlinked}})
}

// unlinkedEIDAS reports whether the session is an eIDAS identity staff
// have not yet linked to a customer record: it has no record of its own to
// show (a linked identity signs in as the record it is linked to).
func (s *Server) unlinkedEIDAS(r *http.Request, sess *auth.Session) (bool, error) {
	if sess.Kind != auth.EIDAS {
		return false, nil
	}
	p, err := s.store.PersonByID(r.Context(), sess.PersonID)
	return p.HETU == "", err
}

// loadClaim is a customer's own claim with everything its page shows;
// another customer's claim ID answers 404.
func (s *Server) loadClaim(w http.ResponseWriter, r *http.Request) (*claimView, bool) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return nil, false
	}
	cp, err := s.cfg.Recovery.Service.Claim(r.Context(), actorOf(sess), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	c := cp.Claim
	v := &claimView{Claim: c, Events: cp.Events, Overdue: c.Overdue(s.today()), PlannedOffsets: cp.PlannedOffsets}
	if c.Balance() > 0 && c.Status != recovery.Waived {
		d, err := recovery.PaymentDetails(c, s.cfg.Recovery.Service.Creditor(), s.today())
		if err == nil {
			v.Details = &d
		}
	}
	if len(cp.Proposals) > 0 {
		v.Proposal = &cp.Proposals[0]
		v.Pending = cp.Proposals[0].Status == recovery.Pending
	}
	if len(cp.Exemptions) > 0 {
		v.Exemption = &cp.Exemptions[0]
	}
	v.CanExempt = len(recovery.ExemptionKindsFor(c.Kind)) > 0 && c.Balance() > 0 &&
		(v.Exemption == nil || v.Exemption.Status != recovery.Pending)
	if v.Letters, err = s.cfg.Recovery.Service.Letters(r.Context(), actorOf(sess), c.ID); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return v, true
}

func (s *Server) claimShow(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	notice := ""
	switch r.URL.Query().Get("sent") {
	case "plan":
		notice = "plan.sent"
	case "exemption":
		notice = "exemption.sent"
	}
	s.render(w, r, http.StatusOK, "claim", &page{Title: "claim.title", Data: struct {
		*claimView
		Notice   string
		CanPlan  bool
		Creditor string
	}{v, notice, v.Status.Collecting() && v.Status != recovery.InPlan && !v.Pending && v.Balance() > 0, s.cfg.Recovery.CreditorName}})
}

// claimSlip is a printable payment slip: the details a bank or a payer
// needs, with the virtual barcode.
func (s *Server) claimSlip(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	if v.Details == nil {
		s.renderError(w, r, http.StatusNotFound, "claim.nothing_to_pay")
		return
	}
	s.render(w, r, http.StatusOK, "slip", &page{Title: "slip.title", Data: struct {
		*claimView
		Creditor string
	}{v, s.cfg.Recovery.CreditorName}})
}

// claimSlipPDF is the payment slip as a PDF to print or save.
func (s *Server) claimSlipPDF(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	if v.Details == nil {
		s.renderError(w, r, http.StatusNotFound, "claim.nothing_to_pay")
		return
	}
	l := s.localizer(r)
	d := v.Details
	var buf bytes.Buffer
	err := slip.Write(&buf, s.paySlip(l, d, l.T("slip.heading"), []slip.Block{slip.Para(l.T("pay.hint"))}))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="payment-slip-`+d.Reference.String()+`.pdf"`)
	buf.WriteTo(w)
}

// paySlip is the payment slip of the details with its labels in l's
// language, under a title and a body.
func (s *Server) paySlip(l *i18n.Localizer, d *recovery.Details, title string, body []slip.Block) slip.Slip {
	return slip.Slip{
		Title:     title,
		Lang:      l.Lang,
		Body:      body,
		Payee:     slip.Line{Label: l.T("pay.recipient"), Value: s.cfg.Recovery.CreditorName},
		IBAN:      slip.Line{Label: l.T("pay.iban"), Value: d.IBAN.Grouped()},
		Ref:       slip.Line{Label: l.T("pay.reference"), Value: d.Reference.Grouped()},
		RF:        slip.Line{Label: l.T("pay.rf"), Value: d.RF.Grouped()},
		Due:       slip.Line{Label: l.T("pay.due"), Value: formatDate(d.DueDate)},
		Amount:    slip.Line{Label: l.T("pay.amount"), Value: strings.ReplaceAll(formatEuros(d.AmountCents), "\u00a0", " ")},
		Barcode:   slip.Line{Label: l.T("pay.barcode"), Value: d.Barcode},
		BarsLabel: l.T("pay.bars"),
	}
}

type planData struct {
	Claim   *claimView
	Monthly string
	Months  string
	First   string
	Message string
	Plan    *recovery.Plan
	Rule    recovery.PlanRule
}

func (s *Server) planForm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	s.renderPlan(w, r, http.StatusOK, planData{Claim: v, First: s.today().AddDays(14).String()}, "", "")
}

func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, status int, d planData, errKey, field string) {
	rule, err := s.cfg.Recovery.Service.Rules().PlanAt(s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Rule = rule
	s.render(w, r, status, "plan", &page{Title: "plan.title", Data: d, Error: errKey, Field: field})
}

// planSubmit checks a proposal against the rules and either shows the
// resulting schedule (preview) or sends it to the Centre (send). A plan
// outside the rules is refused with the rule it breaks.
func (s *Server) planSubmit(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := planData{Claim: v, Monthly: strings.TrimSpace(f.Get("monthly")), Months: strings.TrimSpace(f.Get("months")),
		First: strings.TrimSpace(f.Get("first_due")), Message: strings.TrimSpace(f.Get("message"))}
	svc, actor := s.cfg.Recovery.Service, actorOf(session(r))
	req, err := parsePlanRequest(d)
	send := f.Get("action") == "send"
	var plan recovery.Plan
	if err == nil && !send {
		plan, err = svc.PreviewPlan(r.Context(), actor, v.ID, req)
	}
	if err == nil && send {
		// The service computes the schedule again from the balance it
		// locks, and approves it at once when the Centre has said so.
		_, err = svc.ProposePlan(r.Context(), actor, v.ID, req, d.Message)
	}
	switch {
	case err == nil && !send:
		d.Plan = &plan
		s.renderPlan(w, r, http.StatusOK, d, "", "")
	case err == nil:
		http.Redirect(w, r, "/my/claims/"+v.ID+"?sent=plan", http.StatusSeeOther)
	case fault.Is(err, fault.Invalid):
		s.renderPlanErr(w, r, d, err)
	case fault.Is(err, fault.Conflict):
		s.renderPlan(w, r, http.StatusConflict, d, fault.KeyOf(err), "")
	default:
		s.fail(w, r, err)
	}
}

// renderPlanErr shows a refused plan with the rule's own numbers, each
// problem in the summary and beside its field.
func (s *Server) renderPlanErr(w http.ResponseWriter, r *http.Request, d planData, err error) {
	rule, _ := s.cfg.Recovery.Service.Rules().PlanAt(s.today())
	d.Rule = rule
	s.render(w, r, http.StatusUnprocessableEntity, "plan", &page{Title: "plan.title", Data: d, Err: err})
}

// message renders an error's text in the request's language, with its
// amounts as euros and its dates the Finnish way.
func (s *Server) message(r *http.Request, err error) string {
	return messageText(s.localizer(r), err)
}

// messageText renders an error's text in l's language, with its amounts
// as euros and its dates the Finnish way.
func messageText(l *i18n.Localizer, err error) string {
	data := map[string]any{}
	for k, v := range fault.DataOf(err) {
		switch x := v.(type) {
		case int64:
			if strings.HasSuffix(k, "Cents") {
				data[k] = formatEuros(x)
				continue
			}
		case civil.Date:
			data[k] = formatDate(x)
			continue
		}
		data[k] = v
	}
	return l.T(fault.KeyOf(err), data)
}

// parsePlanRequest reads the form: a monthly amount in euros (comma or
// point) or a number of months, the first due date and the message; it
// reports every field that cannot be read, not only the first.
func parsePlanRequest(d planData) (recovery.PlanRequest, error) {
	var req recovery.PlanRequest
	var errs []error
	if d.Monthly != "" {
		c, ok := parseEuros(d.Monthly)
		if ok {
			req.MonthlyCents = c
		} else {
			errs = append(errs, fault.InvalidField("monthly", "plan.error.amount", nil))
		}
	}
	if d.Months != "" {
		n, err := strconv.Atoi(d.Months)
		if err != nil || n < 0 || n > 1000 {
			errs = append(errs, fault.InvalidField("months", "plan.error.months", nil))
		}
		req.Months = n
	}
	if d.First != "" {
		day, err := parseDate(d.First)
		if err != nil {
			errs = append(errs, fault.InvalidField("first_due", "plan.error.date", nil))
		}
		req.FirstDue = day
	}
	if len([]rune(d.Message)) > recovery.MaxPlanMessage {
		errs = append(errs, fault.InvalidField("message", "plan.error.message_long", nil))
	}
	return req, errors.Join(errs...)
}

// parseEuros reads "30", "30,5", "30.50", "1 234,56" or "1 234,56 €" into
// cents; it refuses more than two decimals, signs and anything else.
func parseEuros(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "€", "").Replace(s)
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, true
}

// parseDate reads an ISO date (the date input's value) or a Finnish one
// (d.m.yyyy) with civil.Parse, as a fault a form can show.
func parseDate(s string) (civil.Date, error) {
	d, err := civil.Parse(s)
	if err != nil {
		return civil.Date{}, fault.New(fault.Invalid, "plan.error.date")
	}
	return d, nil
}
