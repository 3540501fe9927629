// Package message is secure messaging between customers and the
// institution's units: the topic catalogue that routes a thread to a unit,
// threads and messages, the rules a new message and its attachments must
// keep, and the data-free notices that tell a customer a message is waiting.
package message

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/outbox"
)

// PartyKind says who a thread is with.
type PartyKind string

// The parties a unit can hold a thread with.
const (
	PartyCustomer     PartyKind = "customer"     // a person; PartyID is the customer ID
	PartyOrganisation PartyKind = "organisation" // an employer or partner; PartyID is the organisation ID
	// PartyEmail is a sender known only by the address a secure e-mail
	// link went to; such a thread's party ID is the message that opened it.
	PartyEmail PartyKind = "email"
)

// Valid reports whether k is one of the kinds.
func (k PartyKind) Valid() bool { return k == PartyCustomer || k == PartyOrganisation }

// Party is who a customer-side thread belongs to: a person, an
// organisation, or a secure e-mail sender.
type Party struct {
	Kind PartyKind
	ID   string
}

// AuditSubject is the party as the audit log's subject: a person's ID,
// else none (the log names customers only).
func (p Party) AuditSubject() string {
	if p.Kind == PartyCustomer {
		return p.ID
	}
	return ""
}

// Status is where a thread stands.
type Status string

// The statuses. A customer's message opens (or reopens) a thread, a staff
// reply that the customer can see answers it, and staff close it.
const (
	StatusOpen     Status = "open"
	StatusAnswered Status = "answered"
	StatusClosed   Status = "closed"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s == StatusOpen || s == StatusAnswered || s == StatusClosed }

// AuthorKind says who wrote a message.
type AuthorKind string

// The authors. System messages are the institution's automatic ones
// (an acknowledgement, a thread moved to another unit).
const (
	AuthorCustomer AuthorKind = "customer"
	AuthorStaff    AuthorKind = "staff"
	AuthorSystem   AuthorKind = "system"
)

// Valid reports whether k is one of the kinds.
func (k AuthorKind) Valid() bool { return k == AuthorCustomer || k == AuthorStaff || k == AuthorSystem }

// Thread is one conversation between a party and a unit on one topic.
//
// Subject and Specification are catalogue keys, not labels, so a thread
// keeps its topic when the labels are reworded; UnitID is where the
// thread was routed and stays put if the catalogue later routes the topic
// elsewhere, until staff move the thread.
type Thread struct {
	ID            string
	PartyKind     PartyKind
	PartyID       string
	UnitID        string
	Subject       string // subject key, e.g. "recovery"
	Specification string // specification key within the subject, e.g. "payment_plan"
	Title         string // the customer's own title; never holds an identity code
	Status        Status
	AssignedTo    string // staff ID, empty while in the unit's queue
	CreatedAt     time.Time
	LastMessageAt time.Time
	// Unread counts are messages the side has not opened; internal notes
	// never count for the customer.
	UnreadByCustomer int
	UnreadByStaff    int
	// WaitingSince is when the oldest customer message staff have not yet
	// answered arrived; zero when nothing waits for an answer.
	WaitingSince time.Time
	Lang         string // the language the party wrote in, for notices to a PartyEmail
	Email        string // for PartyEmail: the address the link went to
	// ReadUntil is, for PartyEmail, until when the one-time link to read
	// the unit's latest answer works; zero when there is none.
	ReadUntil time.Time
}

// Party is the thread's party.
func (t Thread) Party() Party { return Party{Kind: t.PartyKind, ID: t.PartyID} }

// StaffThread is a thread as staff see it in their queue: with the
// party's name (a person's, an organisation's, or the secure e-mail
// address) and the handler's.
type StaffThread struct {
	Thread
	PartyName    string
	AssignedName string
}

// StaffView is a thread opened by staff.
type StaffView struct {
	StaffThread
	Messages []Message     // internal notes too
	Notices  []outbox.Item // the thread's notices and how they went, without payloads
	// Reach is how an answer now would reach the party: the customer's
	// notice choice as it stands.
	Reach Reach
}

// Message is one message in a thread.
//
// Body is plain text as the author wrote it. HTML in it is allowed and is
// stored as text, never interpreted: escaping it is the view's job, as for
// any other text.
type Message struct {
	ID       string
	ThreadID string
	Author   AuthorKind
	AuthorID string // customer, organisation contact or staff ID; empty for AuthorSystem
	Body     string
	// Internal marks a staff note: it is part of the thread for staff and is
	// never shown to the customer, counted as unread by them, or noticed.
	Internal    bool
	CreatedAt   time.Time
	Attachments []AttachmentMeta
}

// VisibleToCustomer reports whether the customer may see the message.
func (m Message) VisibleToCustomer() bool { return !m.Internal }

// CustomerView returns the messages the customer may see, in order.
func CustomerView(msgs []Message) []Message {
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		if m.VisibleToCustomer() {
			out = append(out, m)
		}
	}
	return out
}

// Box is a customer's folder.
type Box string

// The folders: the inbox lists every thread by its newest message, sent
// lists the threads the customer has written in by their own newest one.
const (
	Inbox Box = "inbox"
	Sent  Box = "sent"
)

// QueueFilter narrows a unit's queue.
type QueueFilter struct {
	UnitID        string
	Subject       string // a subject key, or every subject
	Specification string // with Subject: a specification key
	Unread        bool   // only threads with messages staff have not read
	// Assigned is "me" (StaffID's), "none" (in the queue), or empty for both.
	Assigned string
	StaffID  string
	// Waiting lists only threads waiting for an answer, oldest wait first
	// (the service-level view); otherwise open and answered threads by
	// their newest message.
	Waiting bool
	// OlderThan, with Waiting, keeps threads that have waited at least this
	// long.
	OlderThan time.Duration
	Closed    bool // closed threads instead of open and answered ones
	Limit     int
	// After is where the page starts: after this thread in the view's
	// order (zero: from the first).
	After QueueCursor
}

// QueueCursor is a place in a queue view's order: a thread's sort time
// (its newest message, or in the waiting view when its wait began) and its
// ID, which breaks ties. A page read after it comes from the index in that
// order, however deep into the queue it is.
type QueueCursor struct {
	At time.Time
	ID string
}

// IsZero reports whether the cursor is the start of the queue.
func (c QueueCursor) IsZero() bool { return c.ID == "" }

// String is the cursor as a URL carries it: "UNIXNANO.ID"; "" for the start.
func (c QueueCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + c.ID
}

// ParseQueueCursor reads a cursor written by String; "" is the start.
// Anything else is not a cursor (false).
func ParseQueueCursor(s string) (QueueCursor, bool) {
	if s == "" {
		return QueueCursor{}, true
	}
	at, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" || len(id) > 64 || strings.ContainsAny(id, ". ") {
		return QueueCursor{}, false
	}
	return QueueCursor{At: time.Unix(0, n).UTC(), ID: id}, true
}

// AttachmentMeta describes a stored attachment; the bytes live elsewhere,
// addressed by ID. ContentType is what SniffType found in the content, never
// what the uploader claimed, and Name is SafeName of the uploaded name.
type AttachmentMeta struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
}

// File is an attachment: to store, checked, scanned and hashed, with Open
// to read its content from; read back for a download, with its Data.
type File struct {
	AttachmentMeta
	// Data is the stored file's bytes, when read back.
	Data []byte
	// Open reads the content to store from its start; the store copies
	// it in chunks and checks it against Size and SHA256.
	Open func() (io.ReadCloser, error)
}

// NewFile fills in a file's size and content hash from bytes in memory.
func NewFile(name, contentType string, data []byte) File {
	u := NewUpload(name, data)
	return File{AttachmentMeta: AttachmentMeta{Name: name, ContentType: contentType,
		Size: u.Size, SHA256: u.SHA256}, Data: data, Open: u.Open}
}
