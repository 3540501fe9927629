package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/recovery"
)

type exemptionRow struct {
	recovery.Exemption
	Limit    int64
	HasLimit bool
}

type exemptionData struct {
	Claim    *claimView
	Kinds    []recovery.ExemptionKind
	Kind     string
	Income   string
	Children string
	From     string
	Reason   string
}

// exemptionForm is the application for exemption from child support debt
// or student loan debt.
func (s *Server) exemptionForm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	s.renderExemption(w, r, http.StatusOK, exemptionData{Claim: v, Children: "0"}, nil)
}

// renderExemption shows the application form, with err's problems when
// it was refused.
func (s *Server) renderExemption(w http.ResponseWriter, r *http.Request, status int, d exemptionData, err error) {
	d.Kinds = recovery.ExemptionKindsFor(d.Claim.Kind)
	if len(d.Kinds) == 0 {
		s.renderError(w, r, http.StatusNotFound, "exemption.error.kind")
		return
	}
	if d.Kind == "" {
		d.Kind = string(d.Kinds[0])
	}
	s.render(w, r, status, "exemption", &page{Title: "exemption.title", Data: d, Err: err})
}

// exemptionSubmit checks and stores an application. A refused one is shown
// again with the customer's input and the reason in their language.
func (s *Server) exemptionSubmit(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := exemptionData{Claim: v, Kind: f.Get("kind"), Income: strings.TrimSpace(f.Get("income")),
		Children: strings.TrimSpace(f.Get("children")), From: strings.TrimSpace(f.Get("from")), Reason: f.Get("reason")}
	req := recovery.ExemptionRequest{Kind: recovery.ExemptionKind(d.Kind), Reason: strings.TrimSpace(d.Reason)}
	// What cannot be read is refused together with what the rules refuse
	// in the rest, so that the form lists every problem at once.
	var unread []error
	if c, ok := parseEuros(d.Income); ok {
		req.MonthlyIncomeCents = c
	} else {
		unread = append(unread, fault.InvalidField("income", "exemption.error.income", nil))
	}
	if n, e := strconv.Atoi(d.Children); e != nil {
		unread = append(unread, fault.InvalidField("children", "exemption.error.children", nil))
	} else {
		req.Children = n
	}
	if day, e := parseDate(d.From); e != nil {
		unread = append(unread, fault.InvalidField("from", "exemption.error.from", nil))
	} else {
		req.From = day
	}
	var err error
	if len(unread) > 0 {
		err = withUnread(unread, recovery.CheckExemption(v.Kind, req, s.today()))
	} else {
		_, err = s.cfg.Recovery.Service.ApplyExemption(r.Context(), actorOf(session(r)), v.ID, req)
	}
	if err != nil {
		switch fault.KindOf(err) {
		case fault.Invalid, fault.Conflict:
			status := http.StatusUnprocessableEntity
			if fault.Is(err, fault.Conflict) {
				status = http.StatusConflict
			}
			s.renderExemption(w, r, status, d, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/my/claims/"+v.ID+"?sent=exemption", http.StatusSeeOther)
}

// exemptionDecide is the Centre's decision with a reason from the list.
func (s *Server) exemptionDecide(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.RecoveryDecideExem)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	// The reason is the select beside the button pressed: xa- to approve,
	// xr- to reject.
	decision := r.PostForm.Get("decision")
	ids := map[string]string{"reason": "xr"}
	if decision == "approve" {
		ids["reason"] = "xa"
	}
	if decision != "approve" && decision != "reject" {
		s.refuseInQueue(w, r, sess, fault.InvalidField("reason", "exemption.error.decision_reason", nil), ids, nil)
		return
	}
	if _, err := s.cfg.Recovery.Service.DecideExemption(r.Context(), actorOf(sess), r.PathValue("id"), decision == "approve", r.PostForm.Get("reason")); err != nil {
		s.refuseInQueue(w, r, sess, err, ids, nil)
		return
	}
	what := "rejected"
	if decision == "approve" {
		what = "approved"
	}
	http.Redirect(w, r, "/staff/recovery?decided=exemption_"+what, http.StatusSeeOther)
}
