package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/pharmacy"
)

// PharmacyConfig is pharmacy direct reimbursement's part of the web front:
// the customer's year on My page and the staff's call history.
type PharmacyConfig struct {
	Service *pharmacy.Service // nil: the pages are not offered
}

type pharmacyRight struct {
	Name     string
	From, To civil.Date
}

type pharmacyPurchase struct {
	pharmacy.Purchase
	StatusKey string
}

type pharmacyMyData struct {
	Today     civil.Date
	O         pharmacy.Overview
	Rights    []pharmacyRight
	Purchases []pharmacyPurchase
}

// pharmacyMy shows the signed-in customer's deductible and ceiling of the
// year, their rights and the year's purchases.
func (s *Server) pharmacyMy(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	p, err := s.store.PersonByID(r.Context(), sess.PersonID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	svc := s.cfg.Pharmacy.Service
	today := civil.Today(s.now())
	o, err := svc.Status(r.Context(), actorOf(sess), p.ID, p.BirthDate, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	d := pharmacyMyData{Today: today, O: o}
	for _, rt := range o.Rights {
		if !rt.To.IsZero() && rt.To.Before(today) {
			continue
		}
		d.Rights = append(d.Rights, pharmacyRight{Name: rightName(l, svc, rt), From: rt.From, To: rt.To})
	}
	for _, pu := range o.Purchases {
		key := "pharmacy.status.recorded"
		switch {
		case pu.Status == pharmacy.Cancelled:
			key = "pharmacy.status.cancelled"
		case pu.Fallback:
			key = "pharmacy.status.fallback"
		}
		d.Purchases = append(d.Purchases, pharmacyPurchase{Purchase: pu, StatusKey: key})
	}
	s.render(w, r, http.StatusOK, "pharmacy_my", &page{L: l, Title: "pharmacy.title", Data: d})
}

// rightName is a right as the customer reads it.
func rightName(l *i18n.Localizer, svc *pharmacy.Service, rt pharmacy.Right) string {
	if rt.Kind == pharmacy.RightBasic {
		return l.T("pharmacy.right.basic")
	}
	c, ok := svc.Catalogue().Category(rt.Kind)
	if !ok {
		return rt.Kind
	}
	rate := svc.Figures().Classes.LowerSpecialBP
	if c.Class == pharmacy.ClassHigher {
		rate = svc.Figures().Classes.HigherSpecialBP
	}
	return l.T("pharmacy.right.special", "Name", c.Name(l.Lang), "Rate", rate/100)
}

type pharmacyCall struct {
	pharmacy.Call
	OpText, OutcomeText string
}

type pharmacyStaffData struct {
	PharmacyID string
	Calls      []pharmacyCall
}

// pharmacyCalls shows a pharmacy's call history to staff who hold
// access.PharmacyCalls; the service audits the read.
func (s *Server) pharmacyCalls(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.PharmacyCalls)
	if sess == nil {
		return
	}
	id := strings.TrimSpace(r.URL.Query().Get("pharmacy"))
	d := pharmacyStaffData{PharmacyID: id}
	l := s.localizer(r)
	if id != "" {
		calls, err := s.cfg.Pharmacy.Service.Calls(r.Context(), actorOf(sess), truncate(id, 100), 200)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ops := map[string]string{pharmacy.OpCheck: l.T("pharmacy.op.check"), pharmacy.OpPurchase: l.T("pharmacy.op.purchase"),
			pharmacy.OpCancel: l.T("pharmacy.op.cancel")}
		for _, c := range calls {
			out := l.T("pharmacy.outcome.ok")
			if c.Outcome != "ok" {
				out = c.Outcome
				if l.Has(c.Outcome) {
					// The refusal's text without the figures of that call.
					out = l.T(c.Outcome, "Line", "–", "Max", "–", "Year", "–")
				}
			}
			d.Calls = append(d.Calls, pharmacyCall{Call: c, OpText: ops[c.Op], OutcomeText: out})
		}
	}
	s.render(w, r, http.StatusOK, "staff_pharmacy", &page{L: l, Title: "pharmacy.staff.title", Data: d})
}
