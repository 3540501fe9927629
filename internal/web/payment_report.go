package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/payment"
)

// reportData is the status report form: the period asked for and what the
// customer typed.
type reportData struct {
	Next                   payment.ReportDue
	Hours, Income, SickDay string
}

// reportForm shows the next unemployment status report of the customer's
// benefit; another customer's benefit answers 404.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	next, err := s.cfg.Payments.NextReport(r.Context(), actorOf(sess), r.PathValue("benefit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "payment_report", &page{Title: "payment.report.heading", Data: reportData{Next: next}})
}

// reportSubmit files the report and shows the payments with the day it is
// paid; bad input shows the form again with the field and the reason.
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := reportData{Hours: strings.TrimSpace(f.Get("hours")), Income: strings.TrimSpace(f.Get("income")), SickDay: strings.TrimSpace(f.Get("sick_days"))}
	in, unread := parseReport(d)
	a, benefit := actorOf(sess), r.PathValue("benefit")
	var filed payment.StatusReport
	var err error
	if len(unread) == 0 {
		filed, err = s.cfg.Payments.FileReport(r.Context(), a, benefit, in)
	}
	switch {
	case len(unread) > 0:
	case err == nil:
		http.Redirect(w, r, "/my/payments?filed="+filed.PayDate.String(), http.StatusSeeOther)
		return
	case fault.Is(err, fault.Invalid), fault.Is(err, fault.Conflict):
	default:
		s.fail(w, r, err)
		return
	}
	next, nerr := s.cfg.Payments.NextReport(r.Context(), a, benefit)
	if nerr != nil {
		s.fail(w, r, nerr)
		return
	}
	d.Next = next
	if len(unread) > 0 {
		err = withUnread(unread, in.Check(next.Period))
	}
	s.render(w, r, http.StatusUnprocessableEntity, "payment_report", &page{Title: "payment.report.heading", Data: d, Err: err})
}

// parseReport reads the form's numbers: whole hours and days, income in
// euros (comma or point); an empty field is 0. It returns one error for
// each field it cannot read.
func parseReport(d reportData) (payment.ReportInput, []error) {
	var in payment.ReportInput
	var errs []error
	num := func(s, field string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, fault.InvalidField(field, "payment.report.error.number", nil))
		}
		return n
	}
	in.Hours = num(d.Hours, "hours")
	if d.Income != "" {
		c, ok := parseEuros(d.Income)
		if !ok {
			errs = append(errs, fault.InvalidField("income", "payment.report.error.income", nil))
		}
		in.IncomeCents = c
	}
	in.SickDays = num(d.SickDay, "sick_days")
	return in, errs
}
