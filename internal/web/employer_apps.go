package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/payment"
)

// The employer e-service (internal/employer): an organisation's
// applications for reimbursement of daily allowance paid as salary, the
// staff queue that decides them, and the employee's view. Each employer
// page is the mandate decision on employer.Issue (audited by the mandate
// service); a refusal links to the access diagnosis of case 3.

// employerApps is the signed-in customer and the service, or nil when the
// answer was given.
func (s *Server) employerApps(w http.ResponseWriter, r *http.Request) (*auth.Session, *employer.Service) {
	sess, m := s.employerSession(w, r)
	if m == nil || !s.employerOn(w, r) {
		return nil, nil
	}
	return sess, s.cfg.Employer
}

type refusedData struct{ Org, Issue, Workplace string }

// employerFail answers an employer request the service refused: a
// mandate refusal with 403 and the link to its diagnosis, anything else
// as usual.
func (s *Server) employerFail(w http.ResponseWriter, r *http.Request, err error) {
	s.mandateFail(w, r, err, employer.Issue)
}

// mandateFail answers a request an employer-side service refused: the
// mandate decision's refusal (mandate.ErrNoMandate) with 403 and the link
// to the diagnosis of the issue, anything else as usual.
func (s *Server) mandateFail(w http.ResponseWriter, r *http.Request, err error, issue string) {
	if errors.Is(err, mandate.ErrNoMandate) {
		s.render(w, r, http.StatusForbidden, "employer_refused", &page{Title: "employer.apps.refused_title",
			Data: refusedData{Org: r.PathValue("org"), Issue: issue, Workplace: refusedWorkplace(err)}})
		return
	}
	s.fail(w, r, err)
}

// appView is an application with its names in the page's language.
type appView struct {
	employer.Application
	BenefitName, StatusName string
	// PaymentReason is why the bank rejected or returned the payment.
	PaymentReason string
}

func (s *Server) appViews(r *http.Request, apps []employer.Application) []appView {
	l := s.localizer(r)
	out := make([]appView, 0, len(apps))
	for _, a := range apps {
		v := appView{Application: a, BenefitName: l.T(benefitKey(a.Benefit)), StatusName: l.T(appStatusKey(a.Status))}
		if a.Kind == employer.OccupationalHealthcare {
			v.BenefitName = l.T("employer.ohc.queue_name", "Workplace", a.Workplace)
		}
		switch {
		case a.Payment.Sent():
			v.StatusName = l.T("employer.status.paid", "Date", a.Payment.PayDate.Finnish())
		case a.Payment.WaitingAccount():
			v.StatusName = l.T("employer.status.waiting_account")
			v.PaymentReason = l.T(payment.ReasonKey(a.Payment.ReasonCode))
		case a.Payment.Failed():
			v.StatusName = l.T("employer.status.account_given")
			v.PaymentReason = l.T(payment.ReasonKey(a.Payment.ReasonCode))
		}
		out = append(out, v)
	}
	return out
}

func benefitKey(b employer.Benefit) string {
	if b == employer.Parental {
		return "employer.benefit.parental"
	}
	return "employer.benefit.sickness"
}

func appStatusKey(st employer.Status) string {
	switch st {
	case employer.Approved:
		return "employer.status.approved"
	case employer.Refused:
		return "employer.status.refused"
	}
	return "employer.status.pending"
}

// benefitOption is a benefit of the form's choice, its name translated.
type benefitOption struct{ Value, Name string }

func (s *Server) benefitOptions(r *http.Request) []benefitOption {
	l := s.localizer(r)
	var out []benefitOption
	for _, b := range employer.Benefits {
		out = append(out, benefitOption{Value: string(b), Name: l.T(benefitKey(b))})
	}
	return out
}

// appsData is a page of applications: an organisation's, or staff's queue
// (Org "").
type appsData struct {
	Org        string
	Items      []appView
	Res        employer.Page
	Prev, Next int
	Decided    bool   // staff's queue after a decision
	Kind       string // staff's queue: the kind shown, "" both
}

func (s *Server) appsPage(r *http.Request, res employer.Page, org string) appsData {
	d := appsData{Org: org, Items: s.appViews(r, res.Items), Res: res, Decided: r.URL.Query().Get("decided") != ""}
	if res.Page > 1 {
		d.Prev = res.Page - 1
	}
	if res.Page < res.Pages {
		d.Next = res.Page + 1
	}
	return d
}

// employerAppList is the organisation's applications, newest first, paged.
func (s *Server) employerAppList(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	res, err := svc.List(r.Context(), actorOf(sess), r.PathValue("org"), pageParam(r.URL.Query()))
	if err != nil {
		s.employerFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_apps", &page{Title: "employer.apps.title", Data: s.appsPage(r, res, r.PathValue("org"))})
}

type appFormData struct {
	Org                                         string
	Benefit, Employee, Start, End, Salary, IBAN string
	Benefits                                    []benefitOption
}

// employerAppNew is the application form, shown only to a person the
// mandate decision allows.
func (s *Server) employerAppNew(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	org, err := svc.Authorise(r.Context(), actorOf(sess), r.PathValue("org"))
	if err != nil {
		s.employerFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_app_new", &page{Title: "employer.apps.new_title",
		Data: appFormData{Org: org, Benefits: s.benefitOptions(r)}})
}

// employerAppSubmit stores the application; bad input shows the form
// again with the error summary.
func (s *Server) employerAppSubmit(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := appFormData{Org: r.PathValue("org"), Benefits: s.benefitOptions(r), Benefit: f.Get("benefit"),
		Employee: truncate(strings.TrimSpace(f.Get("employee")), 20), Start: truncate(f.Get("start"), 20), End: truncate(f.Get("end"), 20),
		Salary: truncate(strings.TrimSpace(f.Get("salary")), 20), IBAN: truncate(strings.TrimSpace(f.Get("iban")), 42)}
	in := employer.Input{Benefit: d.Benefit, Employee: d.Employee, Start: d.Start, End: d.End, IBAN: d.IBAN}
	// A salary that is not euros goes to the service as -1, which refuses
	// it after the mandate decision, like any other bad field.
	in.SalaryCents = -1
	if cents, ok := parseEuros(d.Salary); ok {
		in.SalaryCents = cents
	}
	app, err := svc.Apply(r.Context(), actorOf(sess), d.Org, in)
	if err == nil {
		http.Redirect(w, r, "/employer/org/"+app.Org+"/applications/"+app.ID+"?sent=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.employerFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "employer_app_new", &page{Title: "employer.apps.new_title", Data: d,
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}

type appData struct {
	App  appView
	Sent bool
	// Account is the corrected account form's value, shown while the
	// application's last payment failed and waits for one; Saved after
	// it was given.
	Account string
	Saved   bool
}

// employerAppShow is one application of the organisation: its status, the
// decision and the payment. Another organisation's application is 404.
func (s *Server) employerAppShow(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	app, err := svc.Get(r.Context(), actorOf(sess), r.PathValue("org"), r.PathValue("id"))
	if err != nil {
		s.employerFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_app", &page{Title: "employer.apps.show_title",
		Data: appData{App: s.appViews(r, []employer.Application{app})[0], Sent: r.URL.Query().Get("sent") != "",
			Saved: r.URL.Query().Get("account") != ""}})
}

// employerAppAccount records the organisation's corrected account for an
// application whose payment the bank rejected or returned; the next
// payment run pays it again. Bad input shows the page again with the
// error summary.
func (s *Server) employerAppAccount(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil || !s.parseForm(w, r) {
		return
	}
	org, id := r.PathValue("org"), r.PathValue("id")
	account := truncate(strings.TrimSpace(r.PostForm.Get("iban")), 42)
	app, err := svc.GiveAccount(r.Context(), actorOf(sess), org, id, account)
	if err == nil {
		http.Redirect(w, r, "/employer/org/"+app.Org+"/applications/"+app.ID+"?account=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.employerFail(w, r, err)
		return
	}
	app, gerr := svc.Get(r.Context(), actorOf(sess), org, id)
	if gerr != nil {
		s.employerFail(w, r, gerr)
		return
	}
	status := http.StatusUnprocessableEntity
	if fault.Is(err, fault.Conflict) {
		status = http.StatusConflict
	}
	s.render(w, r, status, "employer_app", &page{Title: "employer.apps.show_title",
		Data:    appData{App: s.appViews(r, []employer.Application{app})[0], Account: account},
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}

// myEmployerApps lists the applications employers made naming the
// signed-in person.
func (s *Server) myEmployerApps(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	apps, err := svc.ForEmployee(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_employer_apps", &page{Title: "employer.mine.title", Data: s.appViews(r, apps)})
}

// staffEmployerQueue is the applications waiting for a decision (permission
// employer.decide; the read is audited).
func (s *Server) staffEmployerQueue(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.EmployerDecide)
	if sess == nil || !s.employerOn(w, r) {
		return
	}
	kind := employer.Kind(r.URL.Query().Get("kind"))
	if kind != employer.DailyAllowance && kind != employer.OccupationalHealthcare {
		kind = ""
	}
	res, err := s.cfg.Employer.Queue(r.Context(), actorOf(sess), kind, pageParam(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.appsPage(r, res, "")
	d.Kind = string(kind)
	s.render(w, r, http.StatusOK, "staff_employer", &page{Title: "employer.queue.title", Data: d})
}

func (s *Server) employerOn(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Employer == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return false
	}
	return true
}

type staffAppData struct {
	App            appView
	Amount, Reason string
}

// staffEmployerApp is one application for staff, with the decision form
// while it waits (the read is audited).
func (s *Server) staffEmployerApp(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.EmployerDecide)
	if sess == nil || !s.employerOn(w, r) {
		return
	}
	app, err := s.cfg.Employer.Read(r.Context(), actorOf(sess), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_employer_app", &page{Title: "employer.queue.app_title",
		Data: staffAppData{App: s.appViews(r, []employer.Application{app})[0]}})
}

// staffEmployerDecide approves with an amount or refuses with a reason.
func (s *Server) staffEmployerDecide(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.EmployerDecide)
	if sess == nil || !s.employerOn(w, r) || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := staffAppData{Amount: truncate(strings.TrimSpace(f.Get("amount")), 20), Reason: truncate(f.Get("reason"), 2*employer.MaxReason)}
	dec := employer.Decision{Approve: f.Get("decision") == "approve", Reason: d.Reason}
	var err error
	switch {
	case f.Get("decision") != "approve" && f.Get("decision") != "refuse":
		err = fault.InvalidField("decision", "employer.error.decision", nil)
	case dec.Approve:
		cents, ok := parseEuros(d.Amount)
		if !ok {
			err = fault.InvalidField("amount", "employer.error.amount_format", nil)
		}
		dec.AmountCents = cents
	}
	id := r.PathValue("id")
	if err == nil {
		if _, err = s.cfg.Employer.Decide(r.Context(), actorOf(sess), id, dec); err == nil {
			http.Redirect(w, r, "/staff/employer?decided=1", http.StatusSeeOther)
			return
		}
	}
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.fail(w, r, err)
		return
	}
	app, rerr := s.cfg.Employer.Read(r.Context(), actorOf(sess), id)
	if rerr != nil {
		s.fail(w, r, rerr)
		return
	}
	d.App = s.appViews(r, []employer.Application{app})[0]
	s.render(w, r, http.StatusUnprocessableEntity, "staff_employer_app", &page{Title: "employer.queue.app_title", Data: d,
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}
