package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/recovery"
)

// The customer's decisions and applications (issue 14): every
// application they sent with its status and when it is expected to be
// handled, and the letters of the decisions, each a page and a PDF in the
// language it was sent in.

// applicationRow is one application as the page lists it, in the
// reader's language.
type applicationRow struct {
	Kind   string
	About  string
	Sent   time.Time
	Status string
	// Expect says when it is expected to be handled ("" when no date can
	// be said).
	Expect string
	Link   string
}

type decisionsData struct {
	Applications []applicationRow
	Letters      []recovery.Letter
}

// decisionsShow is the signed-in customer's applications and decision
// letters.
func (s *Server) decisionsShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	apps, err := s.cfg.Desk.MyApplications(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	d := decisionsData{Applications: s.applicationRows(l, apps), Letters: apps.Record.Letters}
	s.render(w, r, http.StatusOK, "decisions", &page{L: l, Title: "decisions.title", Data: d})
}

// applicationRows lists the applications newest first, each with its
// status and its expected handling.
func (s *Server) applicationRows(l *i18n.Localizer, a desk.Applications) []applicationRow {
	var out []applicationRow
	decideBy := func(id string) string {
		if d, ok := a.Record.DecisionBy[id]; ok {
			return l.T("decisions.expect.decided_by", map[string]any{"Date": formatDate(d)})
		}
		return ""
	}
	for _, p := range a.Record.Proposals {
		out = append(out, applicationRow{Kind: l.T("decisions.app.plan"), About: l.T("kind."+string(p.Kind)) + " " + groupedRef(p.Reference),
			Sent: p.CreatedAt, Status: l.T("proposal." + p.Status), Expect: decideBy(p.ID), Link: "/my/claims/" + p.ClaimID})
	}
	for _, x := range a.Record.Exemptions {
		out = append(out, applicationRow{Kind: l.T("exemption.kind." + string(x.Request.Kind)), About: l.T("kind." + string(x.ClaimKind)),
			Sent: x.CreatedAt, Status: l.T("proposal." + x.Status), Expect: decideBy(x.ID), Link: "/my/claims/" + x.ClaimID})
	}
	today := s.today()
	for _, rep := range a.Reports {
		row := applicationRow{Kind: l.T("decisions.app.report"), About: formatDate(rep.Period.Start) + "–" + formatDate(rep.Period.End),
			Sent: rep.CreatedAt, Status: l.T("decisions.report.received"), Link: "/my/payments"}
		if !rep.PayDate.IsZero() && rep.AmountCents > 0 {
			key := "decisions.expect.paid_from"
			if !today.Before(rep.PayDate) {
				key = "decisions.expect.paid_since"
			}
			row.Expect = l.T(key, map[string]any{"Date": formatDate(rep.PayDate)})
		}
		out = append(out, row)
	}
	if s.cfg.Mandates == nil {
		a.Requests = nil
	}
	for _, q := range requestViews(s.cfg.Mandates, l, a.Requests) {
		row := applicationRow{Kind: l.T("decisions.app.mandate"), About: q.TypeName + ", " + q.IssueName + " (" + q.Principal + ")",
			Sent: q.CreatedAt, Status: q.StatusName, Link: "/employer/requests"}
		if q.Status == mandate.RequestPending {
			row.Expect = l.T("decisions.expect.organisation")
		}
		out = append(out, row)
	}
	slices.SortStableFunc(out, func(x, y applicationRow) int { return cmp.Compare(y.Sent.UnixNano(), x.Sent.UnixNano()) })
	return out
}
