package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mandate"
)

// The employer pages (seed 004): the organisation chooser, an
// organisation's issues, and the access diagnosis of the three failure
// cases. Every decision is the mandate service's, audited there.

type chooserData struct {
	Search string
	Items  []choiceView
	Res    mandate.ChooserPage
	Prev   int
	Next   int
	// Entry is case 1's diagnosis, shown when there is no organisation.
	Entry []adviceView
}

type choiceView struct {
	BusinessID, Name string
	Issues           []string // names
	ViaFirm          bool
}

// adviceView is one step of a diagnosis, its text rendered.
type adviceView struct {
	Text     string
	Ask      *mandate.Ask
	AskLabel string // the button that sends the request
}

// employerSession is the signed-in customer and the mandate service, or
// nil when the answer was given (sign in first, or no employer pages).
func (s *Server) employerSession(w http.ResponseWriter, r *http.Request) (*auth.Session, *mandate.Service) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return nil, nil
	}
	if s.cfg.Mandates == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return nil, nil
	}
	return sess, s.cfg.Mandates
}

// employerChooser lists the organisations the signed-in person may act
// for, searchable and paged; with none, it runs case 1's diagnosis.
func (s *Server) employerChooser(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerSession(w, r)
	if svc == nil {
		return
	}
	l := s.localizer(r)
	q := r.URL.Query()
	search := strings.TrimSpace(q.Get("q"))
	if len(search) > 100 {
		search = search[:100]
	}
	res, err := svc.Chooser(r.Context(), actorOf(sess), search, pageParam(q))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := chooserData{Search: search, Res: res}
	for _, c := range res.Items {
		v := choiceView{BusinessID: c.BusinessID, Name: c.Name, ViaFirm: len(c.Firms) > 0}
		for _, k := range c.Issues {
			v.Issues = append(v.Issues, issueName(svc, k, l.Lang))
		}
		d.Items = append(d.Items, v)
	}
	if res.Page > 1 {
		d.Prev = res.Page - 1
	}
	if res.Page < res.Pages {
		d.Next = res.Page + 1
	}
	if res.All == 0 {
		dg, err := svc.Diagnose(r.Context(), actorOf(sess), mandate.CannotEnter, "", "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Entry = s.adviceViews(svc, l, dg)
	}
	s.render(w, r, http.StatusOK, "employer", &page{L: l, Title: "employer.title", Data: d})
}

type diagnosisData struct {
	Case    mandate.Case
	Org     string
	OrgName string
	Issue   string // name
	Allowed []string
	Steps   []adviceView
	Input   string
}

// employerDiagnosis is "Why can't I find my organisation?" (case 2) for a
// business ID the person types.
func (s *Server) employerDiagnosis(w http.ResponseWriter, r *http.Request) {
	s.diagnosis(w, r, mandate.OrgMissing, r.URL.Query().Get("org"), "")
}

// employerRefused is case 3: the organisation chosen, an issue refused.
func (s *Server) employerRefused(w http.ResponseWriter, r *http.Request) {
	s.diagnosis(w, r, mandate.Refused, r.PathValue("org"), r.URL.Query().Get("issue"))
}

func (s *Server) diagnosis(w http.ResponseWriter, r *http.Request, c mandate.Case, org, issue string) {
	// A refusal at one workplace (occupational healthcare) is diagnosed at
	// that workplace; a malformed one is left out, as a link never makes it.
	workplace := ""
	if c == mandate.Refused {
		if wp, err := employer.CheckWorkplace(r.URL.Query().Get("workplace")); err == nil {
			workplace = wp
		}
	}
	sess, svc := s.employerSession(w, r)
	if svc == nil {
		return
	}
	l := s.localizer(r)
	org = strings.TrimSpace(org)
	d := diagnosisData{Case: c, Input: truncate(org, 20)}
	if org == "" {
		s.render(w, r, http.StatusOK, "employer_diagnosis", &page{L: l, Title: "employer.diagnosis.title", Data: d})
		return
	}
	dg, err := svc.Diagnose(r.Context(), actorOf(sess), c, org, issue)
	if workplace != "" {
		dg, err = svc.DiagnoseWorkplace(r.Context(), actorOf(sess), org, issue, workplace)
	}
	if fault.Is(err, fault.Invalid) {
		s.render(w, r, http.StatusUnprocessableEntity, "employer_diagnosis", &page{L: l, Title: "employer.diagnosis.title",
			Data: d, Err: err})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Org, d.OrgName, d.Steps = dg.Org, dg.OrgName, s.adviceViews(svc, l, dg)
	if issue != "" {
		d.Issue = issueName(svc, issue, l.Lang)
	}
	for _, k := range dg.Allowed {
		d.Allowed = append(d.Allowed, issueName(svc, k, l.Lang))
	}
	s.render(w, r, http.StatusOK, "employer_diagnosis", &page{L: l, Title: "employer.diagnosis.title", Data: d})
}

type orgData struct {
	Org, Name string
	Issues    []issueView
}

type issueView struct {
	Key, Name string
	Allowed   bool
}

// employerOrg is an organisation chosen: each issue allowed or refused,
// a refused one linking to its diagnosis. An organisation the person may
// do nothing for answers 404, like any other customer's data.
func (s *Server) employerOrg(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerSession(w, r)
	if svc == nil {
		return
	}
	l := s.localizer(r)
	d := orgData{Org: r.PathValue("org")}
	some := false
	for _, is := range svc.Catalogue().Issues {
		dec, err := svc.Check(r.Context(), actorOf(sess), mandate.Query{Org: d.Org, Issue: is.Key})
		if err != nil {
			if fault.Is(err, fault.Invalid) {
				err = fault.New(fault.NotFound, "")
			}
			s.fail(w, r, err)
			return
		}
		some = some || dec.Allowed()
		d.Issues = append(d.Issues, issueView{Key: is.Key, Name: is.Name(l.Lang), Allowed: dec.Allowed()})
	}
	if !some {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	res, err := svc.Chooser(r.Context(), actorOf(sess), d.Org, 1)
	if err == nil && len(res.Items) == 1 {
		d.Name = res.Items[0].Name
	}
	s.render(w, r, http.StatusOK, "employer_org", &page{L: l, Title: "employer.org.title", Data: d})
}

// adviceViews renders a diagnosis's steps in the page's language.
func (s *Server) adviceViews(svc *mandate.Service, l *i18n.Localizer, dg mandate.Diagnosis) []adviceView {
	var out []adviceView
	for _, st := range dg.Steps {
		org := st.Org
		if org == dg.Org && dg.OrgName != "" {
			org = dg.OrgName + " (" + dg.Org + ")"
		}
		data := map[string]any{
			"Org": org, "Firm": st.Firm, "Issue": issueName(svc, st.Issue, l.Lang),
			"Have": l.T(mandate.TypeKey(st.Have)), "Need": l.T(mandate.TypeKey(st.Need)),
			"Start": formatDate(st.Start), "End": formatDate(st.End), "Workplace": st.Workplace,
		}
		v := adviceView{Text: l.T(st.Key, data), Ask: st.Ask}
		if st.Ask != nil {
			v.AskLabel = l.T("employer.request_button", map[string]any{"Type": l.T(mandate.TypeKey(st.Ask.Type)), "Org": st.Ask.Principal})
		}
		out = append(out, v)
	}
	return out
}

func issueName(svc *mandate.Service, key, lang string) string {
	if i, ok := svc.Catalogue().Issue(key); ok {
		return i.Name(lang)
	}
	return key
}

type staffMandatesData struct {
	Query    string
	Searched bool
	Rows     []mandateRow
}

type mandateRow struct {
	mandate.Mandate
	TypeName string
	Issues   []string
}

// staffMandates is the staff look-up of the register (permission
// mandate.lookup; every look-up audited by the service).
func (s *Server) staffMandates(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	svc := s.cfg.Mandates
	if svc == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	// The look-up is a POST: an identity code typed is never in a URL.
	q := ""
	if r.Method == http.MethodPost {
		if !s.parseForm(w, r) {
			return
		}
		q = r.PostForm.Get("q")
	}
	l := s.localizer(r)
	d := staffMandatesData{Query: truncate(strings.TrimSpace(q), 64)}
	p := &page{L: l, Title: "staff.mandates.title", Data: &d}
	if d.Query == "" {
		if err := svc.MayLookUp(actorOf(sess)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "staff_mandates", p)
		return
	}
	ms, err := svc.Lookup(r.Context(), actorOf(sess), d.Query)
	if fault.Is(err, fault.Invalid) {
		p.Err = err
		s.render(w, r, http.StatusUnprocessableEntity, "staff_mandates", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Searched = true
	for _, m := range ms {
		row := mandateRow{Mandate: m, TypeName: l.T(mandate.TypeKey(m.Type))}
		for _, k := range m.Issues {
			row.Issues = append(row.Issues, issueName(svc, k, l.Lang))
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "staff_mandates", p)
}

type requestsData struct {
	Mine, ToAnswer []requestView
	Sent           bool
	Notified       int
}

type requestView struct {
	mandate.Request
	TypeName, IssueName, StatusName string
}

// requestViews names the requests' types, issues and statuses in the
// localizer's language.
func requestViews(svc *mandate.Service, l *i18n.Localizer, rs []mandate.Request) []requestView {
	var out []requestView
	for _, q := range rs {
		out = append(out, requestView{Request: q, TypeName: l.T(mandate.TypeKey(q.Type)), IssueName: issueName(svc, q.Issue, l.Lang),
			StatusName: l.T(requestStatusKey(q.Status))})
	}
	return out
}

// employerRequests lists the person's mandate requests and those they
// may answer for their organisations.
func (s *Server) employerRequests(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerSession(w, r)
	if svc == nil {
		return
	}
	l := s.localizer(r)
	mine, toAnswer, err := svc.Requests(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := requestsData{Mine: requestViews(svc, l, mine), ToAnswer: requestViews(svc, l, toAnswer)}
	if n := r.URL.Query().Get("sent"); n != "" {
		d.Sent, d.Notified = true, atoiOr(n, 0)
	}
	s.render(w, r, http.StatusOK, "employer_requests", &page{L: l, Title: "employer.requests.title", Data: d})
}

func requestStatusKey(st mandate.RequestStatus) string {
	switch st {
	case mandate.RequestAccepted:
		return "employer.requests.status_accepted"
	case mandate.RequestRefused:
		return "employer.requests.status_refused"
	}
	return "employer.requests.status_pending"
}

func atoiOr(s string, def int) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1000 {
			return def
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// employerRequestSend sends a mandate request from a diagnosis step.
func (s *Server) employerRequestSend(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerSession(w, r)
	if svc == nil || !s.parseForm(w, r) {
		return
	}
	ask := mandate.Ask{Principal: r.PostFormValue("principal"), Type: mandate.Type(r.PostFormValue("type")), Issue: r.PostFormValue("issue")}
	_, n, err := svc.RequestMandate(r.Context(), actorOf(sess), ask)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/employer/requests?sent="+itoa(n), http.StatusSeeOther)
}

// employerRequestAnswer accepts or refuses a request.
func (s *Server) employerRequestAnswer(w http.ResponseWriter, r *http.Request) {
	sess, svc := s.employerSession(w, r)
	if svc == nil {
		return
	}
	answer := r.PathValue("answer")
	if answer != "accept" && answer != "refuse" {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if _, err := svc.AnswerRequest(r.Context(), actorOf(sess), r.PathValue("id"), answer == "accept"); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/employer/requests", http.StatusSeeOther)
}
