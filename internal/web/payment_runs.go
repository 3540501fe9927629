package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/payment"
)

// Payment runs for operations staff (access.PaymentRun): the latest runs
// with their reports, one run's report with its refusals, and the same
// report as JSON. The reports hold counts, sums and internal benefit IDs,
// no personal data.

// runReportLimit is how many runs the list shows.
const runReportLimit = 100

// paymentRuns lists the latest payment runs with their reports.
func (s *Server) paymentRuns(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.PaymentRun)
	if sess == nil {
		return
	}
	runs, err := s.cfg.Payments.RunReports(r.Context(), actorOf(sess), runReportLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "payment_runs", &page{Title: "payrun.title", Data: runs})
}

// paymentRun is one run's report, as a page or (report.json) as JSON for
// staff tools.
func (s *Server) paymentRun(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.PaymentRun)
	if sess == nil {
		return
	}
	run, err := s.cfg.Payments.RunReport(r.Context(), actorOf(sess), r.PathValue("id"))
	switch {
	case err != nil:
		s.fail(w, r, err)
	case strings.HasSuffix(r.URL.Path, "/report.json"):
		writeJSON(w, http.StatusOK, payment.ReportJSON(run))
	default:
		s.render(w, r, http.StatusOK, "payment_run", &page{Title: "payrun.one_title", Data: run})
	}
}
