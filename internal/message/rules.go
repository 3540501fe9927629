package message

import (
	"strings"
	"time"
)

// The rules of a thread's state: what each event does to its status, its
// place in the queues and the unread counts. The Service applies them to a
// thread it has locked and writes the result.

// NewCustomerThread is the thread a customer's first message opens: open,
// waiting for the unit since now, with that message unread by staff.
func NewCustomerThread(p Party, unitID, subject, spec, title, lang string, now time.Time) Thread {
	return Thread{PartyKind: p.Kind, PartyID: p.ID, UnitID: unitID, Subject: subject, Specification: spec,
		Title: strings.TrimSpace(title), Status: StatusOpen, CreatedAt: now, LastMessageAt: now,
		WaitingSince: now, UnreadByStaff: 1, Lang: lang}
}

// CustomerWrote is a customer's message in the thread: it opens the
// thread again (a closed one too), waits since the oldest unanswered
// message, and counts as unread for staff.
func (t *Thread) CustomerWrote(now time.Time) {
	t.Status = StatusOpen
	t.wrote(now)
	if t.WaitingSince.IsZero() {
		t.WaitingSince = now
	}
	t.UnreadByStaff++
}

// wrote moves the last message's time on. Never back: on PostgreSQL a
// transaction's instant is taken at its start, and one that waited for the
// thread's lock commits after a later one.
func (t *Thread) wrote(now time.Time) {
	if now.After(t.LastMessageAt) {
		t.LastMessageAt = now
	}
}

// StaffAnswered is an answer the customer sees: the thread is answered,
// nothing waits, the customer has one more unread message, and the thread
// is the answerer's if it was nobody's.
func (t *Thread) StaffAnswered(staffID string, now time.Time) {
	t.Status, t.WaitingSince = StatusAnswered, time.Time{}
	t.wrote(now)
	t.UnreadByCustomer++
	if t.AssignedTo == "" {
		t.AssignedTo = staffID
	}
}

// MoveTo sends the thread to another unit's queue, nobody's there, and
// new to that unit's staff. Moving to the unit it is in is refused.
func (t *Thread) MoveTo(unitID string) error {
	if unitID == t.UnitID {
		return errMoveSame()
	}
	t.UnitID, t.AssignedTo = unitID, ""
	t.UnreadByStaff++
	return nil
}

// Close closes the thread: nothing waits any more. The customer's next
// message opens it again.
func (t *Thread) Close() {
	t.Status, t.WaitingSince = StatusClosed, time.Time{}
}

// Assign gives the thread to a member of staff.
func (t *Thread) Assign(staffID string) { t.AssignedTo = staffID }

// ReadBy marks the thread read by one side: the customer's side for a
// customer or a secure e-mail sender, staff's for staff. It reports
// whether anything changed.
func (t *Thread) ReadBy(side AuthorKind) bool {
	switch {
	case side == AuthorStaff && t.UnreadByStaff > 0:
		t.UnreadByStaff = 0
	case side == AuthorCustomer && t.UnreadByCustomer > 0:
		t.UnreadByCustomer = 0
	default:
		return false
	}
	return true
}

// The topic of threads that came by secure e-mail.
const (
	SecureEmailSubject       = "secure_email"
	SecureEmailSpecification = "other"
)

// NewEmailThread is the thread a message written through a secure e-mail
// link opens in its unit's queue. The sender is known only by the
// address; the thread's ID and its party's are the message's.
func NewEmailThread(messageID, email, unitID, lang, title string, now time.Time) Thread {
	return Thread{ID: messageID, PartyKind: PartyEmail, PartyID: messageID, Email: email, Lang: lang, UnitID: unitID,
		Subject: SecureEmailSubject, Specification: SecureEmailSpecification, Title: strings.TrimSpace(title),
		Status: StatusOpen, CreatedAt: now, LastMessageAt: now, WaitingSince: now, UnreadByStaff: 1}
}
