package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/recovery"
)

// MessagesConfig is secure messaging's part of the web front.
type MessagesConfig struct {
	// Service is secure messaging's use cases; required.
	Service *message.Service
	// UploadDir is where attachments are received into temporary files
	// before they are stored; empty: os.TempDir(). Keep it on disk, not
	// on a memory file system.
	UploadDir string
	// UploadsPerPerson is how many message forms with attachments one
	// person may be sending at once; zero: DefaultUploadsPerPerson.
	UploadsPerPerson int
}

// messages is secure messaging's service.
func (s *Server) messages() *message.Service { return s.cfg.Messages.Service }

type threadItem struct {
	message.StaffThread
	Topic string
	Unit  string
}

// inboxRow is a thread as a folder lists it, every text ready, so that
// the template only prints strings.
type inboxRow struct {
	ID, Title, Topic, Unit, Last, Status string
	Unread                               bool
}

type inboxData struct {
	Box      message.Box
	Rows     template.HTML // the table rows, rendered by the "inbox-rows" template
	Any      bool
	Total    int
	Unread   int
	Page     int
	Prev     int
	Next     int
	Sent     bool // a message was just sent
	Verified bool // an address was just verified
	// Letters are the customer's newest letters (decisions, reminders),
	// listed in the inbox with a link to each and to all of them.
	Letters []recovery.Letter
}

// InboxLetters is how many of the newest letters the inbox lists.
const InboxLetters = 5

// folderRows keeps a folder page's table rows as the "inbox-rows" template
// rendered them, by customer, folder, page and language, for as long as
// the service serves the same page (message.Folder.Version): a customer
// coming back to an unchanged folder costs no template work for its rows.
// Rows are the bulk of a folder page's rendering; every text in them is
// still escaped by html/template, once.
type folderRows struct {
	mu sync.Mutex
	m  map[folderRowsKey]folderRowsEntry
}

type folderRowsKey struct {
	person string
	box    message.Box
	page   int
	lang   string
}

type folderRowsEntry struct {
	version uint64
	html    template.HTML
}

// maxFolderRows bounds the pages kept (some 6 KiB each); past it the
// cache starts over.
const maxFolderRows = 2048

func (c *folderRows) get(k folderRowsKey, version uint64) (template.HTML, bool) {
	if version == 0 {
		return "", false
	}
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	return e.html, ok && e.version == version
}

func (c *folderRows) put(k folderRowsKey, version uint64, html template.HTML) {
	if version == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxFolderRows {
		c.m = map[folderRowsKey]folderRowsEntry{}
	}
	c.m[k] = folderRowsEntry{version: version, html: html}
}

// renderRows renders a folder's table rows, each cell named by its column
// in l's language for the stacked rows of a narrow screen.
func (s *Server) renderRows(rows []inboxRow, l *i18n.Localizer) (template.HTML, error) {
	var b strings.Builder
	b.Grow(len(rows) * 400)
	err := s.templates["messages"].ExecuteTemplate(&b, "inbox-rows", struct {
		Rows                             []inboxRow
		NewBadge                         string
		Title, Topic, Unit, Last, Status string // the columns' names
	}{rows, l.T("message.new_badge"), l.T("message.col.title"), l.T("message.col.topic"), l.T("message.col.unit"),
		l.T("message.col.last"), l.T("message.col.status")})
	return template.HTML(b.String()), err
}

// topicLabel is a thread's topic as "Subject: specification" in lang.
func (s *Server) topicLabel(subject, spec, lang string) string {
	cat := s.messages().Catalogue()
	sub, ok := cat.Subject(subject)
	if !ok {
		return subject
	}
	if sp, ok := cat.Specification(subject, spec); ok {
		return sub.Label(lang) + ": " + sp.Label(lang)
	}
	return sub.Label(lang)
}

func unitName(units []org.Unit, id, lang string) string {
	for _, u := range units {
		if u.ID == id {
			return u.Name(lang)
		}
	}
	return id
}

func (s *Server) threadItems(r *http.Request, lang string, rows []message.StaffThread) ([]threadItem, error) {
	units, _, err := s.directory(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]threadItem, len(rows))
	for i, t := range rows {
		out[i] = threadItem{StaffThread: t, Topic: s.topicLabel(t.Subject, t.Specification, lang), Unit: unitName(units, t.UnitID, lang)}
	}
	return out, nil
}

// staffThreads wraps threads for threadItems.
func staffThreads(ts []message.Thread) []message.StaffThread {
	out := make([]message.StaffThread, len(ts))
	for i, t := range ts {
		out[i].Thread = t
	}
	return out
}

// messageList is the customer's inbox or sent folder.
func (s *Server) messageList(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	q := r.URL.Query()
	box, n := message.Inbox, pageParam(q)
	if q.Get("box") == string(message.Sent) {
		box = message.Sent
	}
	f, err := s.messages().Folder(r.Context(), actorOf(sess), box, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := inboxData{Box: f.Box, Page: f.Page, Total: f.Total, Unread: f.Unread, Sent: q.Get("sent") == "1", Verified: q.Get("verified") == "1"}
	if f.More {
		d.Next = f.Page + 1
	}
	if f.Page > 1 {
		d.Prev = f.Page - 1
	}
	l := s.localizer(r)
	key := folderRowsKey{person: sess.PersonID, box: f.Box, page: f.Page, lang: l.Lang}
	rows, ok := s.folderRows.get(key, f.Version)
	if !ok {
		if rows, err = s.folderTable(r, l, f.Threads); err != nil {
			s.fail(w, r, err)
			return
		}
		s.folderRows.put(key, f.Version, rows)
	}
	d.Rows, d.Any = rows, len(f.Threads) > 0
	if f.Box == message.Inbox && f.Page <= 1 && s.cfg.Recovery.Service != nil {
		if d.Letters, err = s.cfg.Recovery.Service.NewestLetters(r.Context(), actorOf(sess), InboxLetters); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "messages", &page{L: l, Title: "message.title", Data: d})
}

// folderTable renders a folder's threads as table rows in the viewer's
// language.
func (s *Server) folderTable(r *http.Request, l *i18n.Localizer, threads []message.Thread) (template.HTML, error) {
	items, err := s.threadItems(r, l.Lang, staffThreads(threads))
	if err != nil {
		return "", err
	}
	status := map[message.Status]string{}
	for _, st := range []message.Status{message.StatusOpen, message.StatusAnswered, message.StatusClosed} {
		status[st] = l.T("message.status." + string(st))
	}
	list := make([]inboxRow, len(items))
	for i, t := range items {
		list[i] = inboxRow{ID: t.ID, Title: t.Title, Topic: t.Topic, Unit: t.Unit, Last: formatWhen(t.LastMessageAt),
			Status: status[t.Status], Unread: t.UnreadByCustomer > 0}
	}
	return s.renderRows(list, l)
}

type newMessageData struct {
	Subjects []message.Subject
	Topic    string // "subject.specification"
	Title    string
	Body     string
	Consent  message.Consent
	Email    string
	Phone    string
	SMS      bool
	uploadForm
}

// messageNew is the form for a new message (seed 002: Lähetä viesti tai
// liite): topic, title, text, attachments and the notification choice.
func (s *Server) messageNew(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	c, err := s.messages().Consent(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := newMessageData{Topic: r.URL.Query().Get("topic"), Consent: c}
	switch c.Channel {
	case message.ChannelEmail:
		d.Email = c.Address
	case message.ChannelSMS:
		d.Phone = c.Address
	}
	s.renderNewMessage(w, r, http.StatusOK, d, nil)
}

// renderNewMessage shows the new message form, with err's problems when
// it was refused.
func (s *Server) renderNewMessage(w http.ResponseWriter, r *http.Request, status int, d newMessageData, err error) {
	d.Subjects = s.messages().Catalogue().Offered(message.PartyCustomer)
	d.uploadForm, d.SMS = s.uploadForm(), s.messages().SMS()
	s.render(w, r, status, "message_new", &page{Title: "message.new_title", Data: d, Err: err, Anchors: map[string]string{"address": addressAnchor("address", d.Consent)}})
}

func (s *Server) limits() message.Limits { return s.messages().Limits() }

// uploadForm is what a form with attachments shows of the limits.
type uploadForm struct {
	Limits message.Limits
	Types  string
}

func (s *Server) uploadForm() uploadForm {
	l := s.limits()
	return uploadForm{Limits: l, Types: message.TypeNames(l.Types)}
}

// uploadLimit is the largest message form with attachments.
func (l MessagesConfig) uploadLimit() int64 {
	lim := message.DefaultLimits()
	if l.Service != nil {
		lim = l.Service.Limits()
	}
	return int64(lim.MaxFiles)*lim.MaxFileBytes + 1<<20
}

// messageSend checks and stores a new message. A refused one is shown again
// with what the customer wrote (but not the files, which a browser never
// refills) and the reason in their language; nothing is stored.
func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	form := s.readMessageForm(w, r, actorOf(sess))
	if form == nil {
		return
	}
	defer form.Close()
	l := s.localizer(r)
	f := r.Form
	d := newMessageData{Topic: f.Get("topic"), Title: f.Get("title"), Body: f.Get("body"),
		Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone"))}
	d.Consent = consentFromForm(f.Get("allow"), f.Get("channel"), d.Email, d.Phone)
	subject, spec, _ := strings.Cut(d.Topic, ".")
	ups, err := form.Uploads, form.Err
	var t message.Thread
	var codeSent bool
	if err == nil {
		// The message and the notification choice are stored together:
		// a refused choice (too many codes) stores neither.
		choice := d.Consent
		t, codeSent, err = s.messages().Send(r.Context(), actorOf(sess), message.Draft{Lang: l.Lang, Subject: subject, Specification: spec,
			Title: d.Title, Body: d.Body, Files: ups, Consent: &choice})
	}
	if err != nil {
		s.refuseMessage(w, r, err, func(status int, err error) { s.renderNewMessage(w, r, status, d, err) })
		return
	}
	if codeSent {
		// Sent first, then the code: the person must not wonder whether
		// the message went.
		http.Redirect(w, r, "/my/notifications?code=sent&sent=1", http.StatusSeeOther)
		return
	}
	// The new thread, not the sent folder: showing what was sent reads one
	// thread, whatever the folder holds.
	http.Redirect(w, r, "/my/messages/"+t.ID+"?sent=1", http.StatusSeeOther)
}

// consentFromForm is the notification choice as the form gave it.
func consentFromForm(allow, channel, email, phone string) message.Consent {
	c := message.Consent{AllowMessages: allow == "yes", Channel: message.Channel(channel)}
	switch c.Channel {
	case message.ChannelEmail:
		c.Address = email
	case message.ChannelSMS:
		c.Address = phone
	}
	return c
}

// refuseMessage shows a refused form again with the reasons (422 for bad
// input, 413 for a file over the limit, 429 for too many codes, 503 when
// the virus scanner could not answer), or fails the request for other
// errors.
func (s *Server) refuseMessage(w http.ResponseWriter, r *http.Request, err error, again func(status int, err error)) {
	switch k := fault.KindOf(err); k {
	case fault.Invalid, fault.TooLarge, fault.TooMany:
		status := http.StatusUnprocessableEntity
		if k != fault.Invalid {
			status = k.Status()
		}
		again(status, err)
	case fault.Unavailable:
		if key := fault.KeyOf(err); key == "message.error.scan_unavailable" {
			again(http.StatusServiceUnavailable, &fault.Error{Kind: fault.Unavailable, Key: key, Field: "attachments", Err: err})
			return
		}
		s.fail(w, r, err)
	default:
		s.fail(w, r, err)
	}
}

type threadData struct {
	Thread   threadItem
	Messages []message.Message
	// AttachBase is the path an attachment's ID is appended to.
	AttachBase string
	Body       string
	Replied    bool
	uploadForm
}

// messageThread shows one of the customer's threads and marks it read.
func (s *Server) messageThread(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	s.showThread(w, r, actorOf(sess), http.StatusOK, "", "", "")
}

func (s *Server) showThread(w http.ResponseWriter, r *http.Request, a access.Actor, status int, body, msg, field string) {
	t, msgs, err := s.messages().Thread(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	items, err := s.threadItems(r, l.Lang, []message.StaffThread{{Thread: t}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := threadData{Thread: items[0], Messages: msgs, AttachBase: "/my/messages/" + t.ID + "/attachments/", Body: body,
		uploadForm: s.uploadForm(), Replied: r.URL.Query().Get("sent") == "1"}
	s.render(w, r, status, "message_thread", &page{L: l, Title: "message.thread_title", Data: d, Message: msg, Field: field})
}

// messageReply adds the customer's reply to their thread. A thread that is
// not theirs is 404, as one that does not exist.
func (s *Server) messageReply(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	a := actorOf(sess)
	form := s.readMessageForm(w, r, a)
	if form == nil {
		return
	}
	defer form.Close()
	body := r.Form.Get("body")
	ups, err := form.Uploads, form.Err
	if err == nil {
		_, err = s.messages().Reply(r.Context(), a, r.PathValue("id"), body, ups)
	}
	if err != nil {
		s.refuseMessage(w, r, err, func(status int, err error) {
			s.showThread(w, r, a, status, body, s.message(r, err), fault.FieldOf(err))
		})
		return
	}
	http.Redirect(w, r, "/my/messages/"+r.PathValue("id")+"?sent=1", http.StatusSeeOther)
}

// messageAttachment serves an attachment of the customer's own thread.
func (s *Server) messageAttachment(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
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

// serveAttachment sends a file as a download, never for the browser to
// show: its type is the one sniffed when it was stored, and its name is
// given both plainly (ASCII) and encoded (RFC 6266).
func serveAttachment(w http.ResponseWriter, a message.AttachmentMeta, data []byte) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", contentDisposition(a.Name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, b := range []byte(name) {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-._~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + enc.String()
}
