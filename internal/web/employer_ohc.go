package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
)

// The occupational-healthcare reimbursement pages (internal/employer,
// occupational.go): an organisation's applications for one workplace and
// accounting period each, the form and one application. Each page is the
// mandate decision on employer.OccupationalIssue for the workplace it is
// about; a person restricted by workplace lists their workplaces only.

// ohcFail answers a refused occupational-healthcare request: a mandate
// refusal with 403, naming the workplace when the mandate is restricted
// to others, and the link to the diagnosis.
func (s *Server) ohcFail(w http.ResponseWriter, r *http.Request, err error) {
	s.mandateFail(w, r, err, employer.OccupationalIssue)
}

type ohcListData struct {
	appsData
	Only []string // the workplaces a restricted person may act for
}

// employerOHCList is the organisation's occupational-healthcare
// applications the person may see, newest first, paged.
func (s *Server) employerOHCList(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	res, err := svc.ListOccupational(r.Context(), actorOf(sess), r.PathValue("org"), pageParam(r.URL.Query()))
	if err != nil {
		s.ohcFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_ohc", &page{Title: "employer.ohc.title",
		Data: ohcListData{appsData: s.appsPage(r, res.Page, res.Workplaces.Org), Only: res.Workplaces.Only}})
}

type ohcFormData struct {
	Org, Workplace, Start, End, Employees, Class1, Class2, Revenue, IBAN string
	Only                                                                 []string
}

// employerOHCNew is the form, shown to a person the mandate decision
// allows for some workplace of the organisation.
func (s *Server) employerOHCNew(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	wp, err := svc.AuthoriseWorkplace(r.Context(), actorOf(sess), r.PathValue("org"), "")
	if err != nil {
		s.ohcFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_ohc_new", &page{Title: "employer.ohc.new_title",
		Data: ohcFormData{Org: wp.Org, Only: wp.Only}})
}

// ohcEuros reads an amount field: empty is zero; what is not euros goes to
// the service as -1, which refuses it on its field after the mandate
// decision, like any other bad field.
func ohcEuros(s string) int64 {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	if c, ok := parseEuros(s); ok {
		return c
	}
	return -1
}

// employerOHCSubmit stores the application; bad input shows the form again
// with the error summary.
func (s *Server) employerOHCSubmit(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	field := func(name string, n int) string { return truncate(strings.TrimSpace(f.Get(name)), n) }
	d := ohcFormData{Org: r.PathValue("org"), Workplace: field("workplace", 40), Start: field("start", 20), End: field("end", 20),
		Employees: field("employees", 20), Class1: field("class1", 20), Class2: field("class2", 20), Revenue: field("revenue", 20),
		IBAN: field("iban", 42)}
	in := employer.OccupationalInput{Workplace: d.Workplace, Start: d.Start, End: d.End, Employees: d.Employees,
		Class1Cents: ohcEuros(d.Class1), Class2Cents: ohcEuros(d.Class2), RevenueCents: ohcEuros(d.Revenue), IBAN: d.IBAN}
	app, err := svc.ApplyOccupational(r.Context(), actorOf(sess), d.Org, in)
	if err == nil {
		http.Redirect(w, r, "/employer/org/"+app.Org+"/occupational-healthcare/"+app.ID+"?sent=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.ohcFail(w, r, err)
		return
	}
	if wp, werr := svc.AuthoriseWorkplace(r.Context(), actorOf(sess), d.Org, ""); werr == nil {
		d.Org, d.Only = wp.Org, wp.Only
	}
	s.render(w, r, http.StatusUnprocessableEntity, "employer_ohc_new", &page{Title: "employer.ohc.new_title", Data: d,
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}

// employerOHCShow is one application: its amounts, status, decision and
// payment. Another organisation's is 404; one of a workplace the person's
// mandate does not cover is the decision's refusal.
func (s *Server) employerOHCShow(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil {
		return
	}
	app, err := svc.GetOccupational(r.Context(), actorOf(sess), r.PathValue("org"), r.PathValue("id"))
	if err != nil {
		s.ohcFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "employer_ohc_app", &page{Title: "employer.ohc.show_title",
		Data: appData{App: s.appViews(r, []employer.Application{app})[0], Sent: r.URL.Query().Get("sent") != "",
			Saved: r.URL.Query().Get("account") != ""}})
}

// employerOHCAccount records the organisation's corrected account for an
// occupational-healthcare application whose payment the bank rejected or
// returned, under the decision for the application's workplace; the next
// payment run pays it again. It is its own route, not the daily-allowance
// one dispatching on the kind: the kind is known only from the
// application, which would then be read before any mandate decision.
// Bad input shows the page again with the error summary.
func (s *Server) employerOHCAccount(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerApps(w, r)
	if svc == nil || !s.parseForm(w, r) {
		return
	}
	org, id := r.PathValue("org"), r.PathValue("id")
	account := truncate(strings.TrimSpace(r.PostForm.Get("iban")), 42)
	app, err := svc.GiveOccupationalAccount(r.Context(), actorOf(sess), org, id, account)
	if err == nil {
		http.Redirect(w, r, "/employer/org/"+app.Org+"/occupational-healthcare/"+app.ID+"?account=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.ohcFail(w, r, err)
		return
	}
	app, gerr := svc.GetOccupational(r.Context(), actorOf(sess), org, id)
	if gerr != nil {
		s.ohcFail(w, r, gerr)
		return
	}
	status := http.StatusUnprocessableEntity
	if fault.Is(err, fault.Conflict) {
		status = http.StatusConflict
	}
	s.render(w, r, status, "employer_ohc_app", &page{Title: "employer.ohc.show_title",
		Data:    appData{App: s.appViews(r, []employer.Application{app})[0], Account: account},
		Message: s.message(r, err), Field: fault.FieldOf(err)})
}

// refusedWorkplace is the workplace a refusal names, "" for another
// refusal.
func refusedWorkplace(err error) string {
	var we *employer.WorkplaceError
	if errors.As(err, &we) {
		return we.Workplace
	}
	return ""
}
