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
	in, err := parseReport(d)
	a, benefit := actorOf(sess), r.PathValue("benefit")
	var filed payment.StatusReport
	if err == nil {
		filed, err = s.cfg.Payments.FileReport(r.Context(), a, benefit, in)
	}
	switch {
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
	s.render(w, r, http.StatusUnprocessableEntity, "payment_report", &page{Title: "payment.report.heading", Data: d,
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}

// parseReport reads the form's numbers: whole hours and days, income in
// euros (comma or point); an empty field is 0.
func parseReport(d reportData) (payment.ReportInput, error) {
	var in payment.ReportInput
	num := func(s, field string) (int, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fault.InvalidField(field, "payment.report.error.number", nil)
		}
		return n, nil
	}
	var err error
	if in.Hours, err = num(d.Hours, "hours"); err != nil {
		return in, err
	}
	if d.Income != "" {
		c, ok := parseEuros(d.Income)
		if !ok {
			return in, fault.InvalidField("income", "payment.report.error.income", nil)
		}
		in.IncomeCents = c
	}
	in.SickDays, err = num(d.SickDay, "sick_days")
	return in, err
}
