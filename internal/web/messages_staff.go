package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
)

// The age filters of a unit's queue, as the service-level view counts them.
var queueAges = []struct {
	Key string
	Age time.Duration
}{
	{"1d", 24 * time.Hour},
	{"3d", 3 * 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
	{"14d", 14 * 24 * time.Hour},
}

// queueRow is a thread as the queue lists it, every text ready, so that
// the template prints strings (a page of 50 rows rendered through nested
// structs and a translation a cell cost more than its queries).
type queueRow struct {
	ID, Title, Party, Topic, Waited, Assigned, Status string
	Unread                                            bool
}

// queueCols are the queue table's column names, translated once a page
// (each cell repeats its column's name for the narrow-screen layout).
type queueCols struct {
	Title, Customer, Topic, Waited, Assigned, Status, NewBadge string
}

type queueData struct {
	View     string // "open", "waiting" (service level) or "closed"
	Topic    string
	Age      string
	Unread   bool
	Assigned string
	Subjects []message.Subject
	Ages     []string
	Threads  []queueRow
	Cols     queueCols
	// First links to the first page (on a later one); Next, when another
	// page follows, to it. Both keep the filters.
	First   string
	Next    string
	Waiting string // how many threads wait ("1000+" past message.WaitingCap); empty when none
	Oldest  string // the longest wait
	Query   string // the filters, for links that keep them
	Done    string
}

// staffMessages is a unit's message queue with filters, and the
// service-level view of the threads waiting longest for an answer.
func (s *Server) staffMessages(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	q := r.URL.Query()
	d := queueData{View: q.Get("view"), Topic: q.Get("topic"), Age: q.Get("age"), Unread: q.Get("unread") == "1",
		Assigned: q.Get("assigned"), Done: q.Get("done")}
	f := message.QueueFilter{Unread: d.Unread}
	// A cursor that is not one shows the first page, as a page number
	// that is not one does in the folders.
	f.After, _ = message.ParseQueueCursor(q.Get("after"))
	switch d.View {
	case "waiting":
		f.Waiting = true
	case "closed":
		f.Closed = true
	default:
		d.View = "open"
	}
	if d.Assigned == "me" || d.Assigned == "none" {
		f.Assigned = d.Assigned
	} else {
		d.Assigned = ""
	}
	f.Subject, f.Specification, _ = strings.Cut(d.Topic, ".")
	for _, a := range queueAges {
		d.Ages = append(d.Ages, a.Key)
		if a.Key == d.Age {
			f.Waiting, f.OlderThan = true, a.Age
		}
	}
	if f.OlderThan == 0 {
		d.Age = ""
	}
	// The service audits the read of the customers' names it lists.
	queue, err := s.messages().Queue(r.Context(), actorOf(sess), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, n, oldest := queue.Threads, queue.Waiting, queue.Oldest
	l := s.localizer(r)
	items, err := s.threadItems(r, l.Lang, rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	d.Threads = make([]queueRow, len(items))
	for i, it := range items {
		row := queueRow{ID: it.ID, Title: it.Title, Party: it.PartyName, Topic: it.Topic, Assigned: it.AssignedName,
			Status: l.T("message.status." + string(it.Status)), Unread: it.UnreadByStaff > 0}
		if it.PartyKind == message.PartyOrganisation {
			// An organisation, by name and business ID, never a person of it.
			row.Party = l.T("message.queue.org_party", "Name", it.PartyName)
		}
		if !it.WaitingSince.IsZero() {
			row.Waited = s.waited(l, now.Sub(it.WaitingSince))
		}
		d.Threads[i] = row
	}
	d.Cols = queueCols{Title: l.T("message.col.title"), Customer: l.T("message.queue.customer"), Topic: l.T("message.col.topic"),
		Waited: l.T("message.queue.waited_col"), Assigned: l.T("message.queue.assigned"), Status: l.T("message.col.status"),
		NewBadge: l.T("message.new_badge")}
	// The page links keep the filters and change only the cursor.
	keep := r.URL.Query()
	keep.Del("after")
	keep.Del("done")
	if !f.After.IsZero() {
		d.First = "/staff/messages?" + keep.Encode()
	}
	if !queue.Next.IsZero() {
		keep.Set("after", queue.Next.String())
		d.Next = "/staff/messages?" + keep.Encode()
	}
	switch {
	case n > message.WaitingCap:
		d.Waiting = strconv.Itoa(message.WaitingCap) + "+"
	case n > 0:
		d.Waiting = strconv.Itoa(n)
	}
	if n > 0 {
		d.Oldest = s.waited(l, now.Sub(oldest))
	}
	d.Subjects = s.messages().Catalogue().Subjects()
	d.Query = r.URL.RawQuery
	s.renderContentCached(w, r, http.StatusOK, "staff_messages", &page{L: l, Title: "message.queue.title", Data: d})
}

// waited is a wait as "2 d 5 h" in the viewer's language. The texts are
// kept by language, days and hours: the translation runs a template, and
// a queue page shows twenty waits that change only by the hour.
func (s *Server) waited(l *i18n.Localizer, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	k := waitKey{l.Lang, int(d / (24 * time.Hour)), int(d % (24 * time.Hour) / time.Hour)}
	if v, ok := s.waits.Load(k); ok {
		return v.(string)
	}
	text := l.T("message.queue.waited", "Days", k.days, "Hours", k.hours)
	if s.waitCount.Add(1) > maxWaits {
		s.waits.Clear()
		s.waitCount.Store(0)
	}
	s.waits.Store(k, text)
	return text
}

type waitKey struct {
	lang        string
	days, hours int
}

// maxWaits bounds the wait texts kept; past it they start over.
const maxWaits = 10000

type staffThreadData struct {
	message.StaffView
	Topic string
	Unit  string
	Units []org.Unit
	Body  string
	uploadForm
	Done     string
	Internal bool
}

// staffThread shows a thread of the staff member's unit with its internal
// notes and the notices sent about it; the read is audited.
func (s *Server) staffThread(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	s.showStaffThread(w, r, actorOf(sess), http.StatusOK, staffThreadData{Done: r.URL.Query().Get("done")}, "", "")
}

func (s *Server) showStaffThread(w http.ResponseWriter, r *http.Request, a access.Actor, status int, d staffThreadData, msg, field string) {
	v, err := s.messages().StaffThread(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	units, _, err := s.directory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.StaffView, d.Units = v, units
	d.Topic, d.Unit = s.topicLabel(v.Subject, v.Specification, l.Lang), unitName(units, v.UnitID, l.Lang)
	d.uploadForm = s.uploadForm()
	s.render(w, r, status, "staff_thread", &page{L: l, Title: "message.thread_title", Data: d, Message: msg, Field: field})
}

// staffReply stores a staff member's answer, or an internal note when the
// form says so. An answer queues the customer's notice in the same
// transaction and wakes the worker.
func (s *Server) staffReply(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	a := actorOf(sess)
	form := s.readMessageForm(w, r, a)
	if form == nil {
		return
	}
	defer form.Close()
	internal := r.Form.Get("internal") == "yes"
	id, body := r.PathValue("id"), r.Form.Get("body")
	ups, err := form.Uploads, form.Err
	if err == nil {
		if internal {
			_, err = s.messages().AddNote(r.Context(), a, id, body, ups)
		} else {
			_, err = s.messages().Reply(r.Context(), a, id, body, ups)
		}
	}
	if err != nil {
		s.refuseMessage(w, r, err, func(status int, err error) {
			s.showStaffThread(w, r, a, status, staffThreadData{Body: body, Internal: internal}, s.message(r, err), fault.FieldOf(err))
		})
		return
	}
	done := "replied"
	if internal {
		done = "noted"
	}
	http.Redirect(w, r, "/staff/messages/"+id+"?done="+done, http.StatusSeeOther)
}

// staffThreadAction assigns, moves or closes a thread of the staff
// member's unit.
func (s *Server) staffThreadAction(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	id, ctx, a := r.PathValue("id"), r.Context(), actorOf(sess)
	var err error
	to := "/staff/messages/" + id + "?done="
	switch action := r.PathValue("action"); action {
	case "assign":
		err = s.messages().Assign(ctx, a, id)
		to += "assigned"
	case "close":
		err = s.messages().Close(ctx, a, id)
		to += "closed"
	case "move":
		err = s.messages().Move(ctx, a, id, r.PostForm.Get("unit"))
		// The thread has left the unit: back to the queue.
		to = "/staff/messages?done=moved"
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		if fault.Is(err, fault.Invalid) {
			s.showStaffThread(w, r, a, http.StatusUnprocessableEntity, staffThreadData{}, s.message(r, err), "unit")
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// staffAttachment serves an attachment of a thread in the staff member's
// unit.
func (s *Server) staffAttachment(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	f, err := s.messages().Attachment(r.Context(), actorOf(sess), r.PathValue("aid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	serveAttachment(w, f.AttachmentMeta, f.Data)
}

// secureRead is where a secure e-mail sender reads the unit's answer, from
// the reading link in the notice (it works for 14 days, until the next answer).
func (s *Server) secureRead(w http.ResponseWriter, r *http.Request) {
	s.showSecureRead(w, r, http.StatusOK, threadData{Replied: r.URL.Query().Get("sent") == "1"}, nil)
}

// secureReply adds the sender's reply, written on the reading page with
// its attachments, to the same thread. The link is checked before the
// form is read, so that no file is received for a link that does not
// work; the files are received as a signed-in customer's are, counted
// against the thread's quota (the sender is signed in as no one), and
// one thread may be sending UploadsPerPerson forms with files at once.
func (s *Server) secureReply(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	threadID, left, err := s.secureMail().UploadAllowance(r.Context(), token)
	if err != nil {
		s.readLinkGone(w, r, err)
		return
	}
	form := s.readUploadForm(w, r, uploader{key: "thread:" + threadID, limits: s.secureMail().Limits(),
		left: func(context.Context) (int64, error) { return left, nil }, over: message.ThreadQuotaError})
	if form == nil {
		return
	}
	defer form.Close()
	body := r.Form.Get("body")
	err = form.Err
	if err == nil {
		_, err = s.secureMail().Reply(r.Context(), token, body, form.Uploads)
	}
	if err != nil {
		if fault.Is(err, fault.NotFound) {
			s.readLinkGone(w, r, err)
			return
		}
		s.refuseMessage(w, r, err, func(status int, err error) {
			s.showSecureRead(w, r, status, threadData{Body: body}, err)
		})
		return
	}
	http.Redirect(w, r, "/secure-email/r/"+url.PathEscape(token)+"?sent=1", http.StatusSeeOther)
}

// readLinkGone answers a reading link that expired, was replaced or never
// existed: 404, the same for each.
func (s *Server) readLinkGone(w http.ResponseWriter, r *http.Request, err error) {
	if !fault.Is(err, fault.NotFound) {
		s.fail(w, r, err)
		return
	}
	s.renderError(w, r, http.StatusNotFound, "message.error.read_link")
}

// showSecureRead shows the thread of a reading link with its reply form,
// and a refused reply's problems when there are any.
func (s *Server) showSecureRead(w http.ResponseWriter, r *http.Request, status int, d threadData, refusal error) {
	t, msgs, err := s.secureMail().Answer(r.Context(), r.PathValue("token"))
	if err != nil {
		s.readLinkGone(w, r, err)
		return
	}
	l := s.localizer(r)
	items, err := s.threadItems(r, l.Lang, []message.StaffThread{{Thread: t}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Thread, d.Messages = items[0], msgs
	d.AttachBase = "/secure-email/r/" + url.PathEscape(r.PathValue("token")) + "/attachments/"
	lim := s.secureMail().Limits()
	d.uploadForm = uploadForm{Limits: lim, Types: message.TypeNames(lim.Types)}
	s.render(w, r, status, "secure_read", &page{L: l, Title: "message.thread_title", Data: d, Err: refusal})
}

// secureAttachment serves an attachment of the thread a secure e-mail
// reading link points to.
func (s *Server) secureAttachment(w http.ResponseWriter, r *http.Request) {
	f, err := s.secureMail().AnswerAttachment(r.Context(), r.PathValue("token"), r.PathValue("aid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	serveAttachment(w, f.AttachmentMeta, f.Data)
}
