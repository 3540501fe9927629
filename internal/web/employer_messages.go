package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
)

// An organisation's secure message threads (internal/message's Org
// methods): a person acting for an employer lists the organisation's
// threads, writes to Kela and answers. Each page is the mandate decision
// on message.OrgIssue, made and audited by the service; a refusal links
// to the access diagnosis of case 3, as the applications' pages do.

// employerMessaging is the signed-in customer, or nil when the answer was
// given (sign in first, or no employer pages).
func (s *Server) employerMessaging(w http.ResponseWriter, r *http.Request) *auth.Session {
	sess, m := s.employerSession(w, r)
	if m == nil {
		return nil
	}
	return sess
}

// orgBase is the organisation's messages' path.
func orgBase(org string) string { return "/employer/org/" + org + "/messages" }

type orgMessagesData struct {
	Org        message.Organisation
	Rows       []inboxRow
	Total      int
	Unread     int
	Page       int
	Prev, Next int
	Sent       bool
}

// employerMessages lists the organisation's threads, newest first.
func (s *Server) employerMessages(w http.ResponseWriter, r *http.Request) {
	sess := s.employerMessaging(w, r)
	if sess == nil {
		return
	}
	f, o, err := s.messages().OrgFolder(r.Context(), actorOf(sess), r.PathValue("org"), pageParam(r.URL.Query()))
	if err != nil {
		s.orgMessagesFail(w, r, err)
		return
	}
	l := s.localizer(r)
	items, err := s.threadItems(r, l.Lang, staffThreads(f.Threads))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := orgMessagesData{Org: o, Total: f.Total, Unread: f.Unread, Page: f.Page, Sent: r.URL.Query().Get("sent") == "1"}
	for _, t := range items {
		d.Rows = append(d.Rows, inboxRow{ID: t.ID, Title: t.Title, Topic: t.Topic, Unit: t.Unit, Last: formatWhen(t.LastMessageAt),
			Status: l.T("message.status." + string(t.Status)), Unread: t.UnreadByCustomer > 0})
	}
	if f.Page > 1 {
		d.Prev = f.Page - 1
	}
	if f.More {
		d.Next = f.Page + 1
	}
	s.render(w, r, http.StatusOK, "employer_messages", &page{L: l, Title: "employer.messages.title", Data: d})
}

type orgMessageNewData struct {
	Org      message.Organisation
	Subjects []message.Subject
	Topic    string // "subject.specification"
	Title    string
	Body     string
	MaxBody  int
}

// employerMessageNew is the form for a new message, shown only to a
// person the mandate decision allows.
func (s *Server) employerMessageNew(w http.ResponseWriter, r *http.Request) {
	sess := s.employerMessaging(w, r)
	if sess == nil {
		return
	}
	o, err := s.messages().OrgAgent(r.Context(), actorOf(sess), r.PathValue("org"))
	if err != nil {
		s.orgMessagesFail(w, r, err)
		return
	}
	s.renderOrgMessageNew(w, r, http.StatusOK, orgMessageNewData{Org: o}, nil)
}

func (s *Server) renderOrgMessageNew(w http.ResponseWriter, r *http.Request, status int, d orgMessageNewData, err error) {
	d.Subjects = s.messages().Catalogue().Offered(message.PartyOrganisation)
	d.MaxBody = s.limits().MaxBody
	s.render(w, r, status, "employer_message_new", &page{Title: "employer.messages.new_title", Data: d, Err: err})
}

// employerMessageSend starts a thread of the organisation; bad input
// shows the form again with the error summary.
func (s *Server) employerMessageSend(w http.ResponseWriter, r *http.Request) {
	sess := s.employerMessaging(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	l := s.localizer(r)
	d := orgMessageNewData{Topic: truncate(f.Get("topic"), 200), Title: f.Get("title"), Body: f.Get("body")}
	subject, spec, _ := strings.Cut(d.Topic, ".")
	t, o, err := s.messages().OrgSend(r.Context(), actorOf(sess), r.PathValue("org"), message.Draft{Lang: l.Lang, Subject: subject,
		Specification: spec, Title: d.Title, Body: d.Body})
	if err == nil {
		http.Redirect(w, r, orgBase(o.BusinessID)+"/"+t.ID+"?sent=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) {
		s.orgMessagesFail(w, r, err)
		return
	}
	d.Org = o
	s.renderOrgMessageNew(w, r, http.StatusUnprocessableEntity, d, err)
}

type orgThreadData struct {
	Org      message.Organisation
	Thread   threadItem
	Messages []message.Message
	Body     string
	MaxBody  int
	Replied  bool
}

// employerMessageThread is one of the organisation's threads, marked read
// by the organisation; another organisation's is 404.
func (s *Server) employerMessageThread(w http.ResponseWriter, r *http.Request) {
	sess := s.employerMessaging(w, r)
	if sess == nil {
		return
	}
	s.showOrgThread(w, r, sess, http.StatusOK, "", nil)
}

func (s *Server) showOrgThread(w http.ResponseWriter, r *http.Request, sess *auth.Session, status int, body string, refused error) {
	t, msgs, o, err := s.messages().OrgThread(r.Context(), actorOf(sess), r.PathValue("org"), r.PathValue("id"))
	if err != nil {
		s.orgMessagesFail(w, r, err)
		return
	}
	l := s.localizer(r)
	items, err := s.threadItems(r, l.Lang, []message.StaffThread{{Thread: t}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := orgThreadData{Org: o, Thread: items[0], Messages: msgs, Body: body, MaxBody: s.limits().MaxBody,
		Replied: r.URL.Query().Get("sent") == "1"}
	s.render(w, r, status, "employer_message", &page{L: l, Title: "employer.messages.thread_title", Data: d, Err: refused})
}

// employerMessageReply adds the person's answer to the organisation's
// thread.
func (s *Server) employerMessageReply(w http.ResponseWriter, r *http.Request) {
	sess := s.employerMessaging(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	body := r.PostForm.Get("body")
	_, err := s.messages().OrgReply(r.Context(), actorOf(sess), r.PathValue("org"), r.PathValue("id"), body)
	if err == nil {
		http.Redirect(w, r, orgBase(r.PathValue("org"))+"/"+r.PathValue("id")+"?sent=1", http.StatusSeeOther)
		return
	}
	if !fault.Is(err, fault.Invalid) {
		s.orgMessagesFail(w, r, err)
		return
	}
	s.showOrgThread(w, r, sess, http.StatusUnprocessableEntity, body, err)
}

// orgMessagesFail answers a refused request: a mandate refusal with 403
// and the link to its diagnosis on the messages issue.
func (s *Server) orgMessagesFail(w http.ResponseWriter, r *http.Request, err error) {
	s.mandateFail(w, r, err, message.OrgIssue)
}
