package customer

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
)

// LinkStatus is where a proposed eIDAS link stands.
type LinkStatus string

// The statuses of a link. Only an approved link makes the identity's
// sign-ins act for the customer.
const (
	LinkProposed  LinkStatus = "proposed"  // waits for a second staff member
	LinkApproved  LinkStatus = "approved"  // in force
	LinkWithdrawn LinkStatus = "withdrawn" // given up before approval
	LinkUndone    LinkStatus = "undone"    // was in force, undone
)

// Link is a proposal that an eIDAS identity is a customer, and what became
// of it: four eyes (issue 17) — one staff member proposes with a reason, a
// second approves, and only then the link takes effect.
type Link struct {
	ID            string
	EIDASPersonID string
	PersonID      string
	Status        LinkStatus
	Reason        string
	ProposedBy    string // staff ID
	ProposedAt    time.Time
	DecidedBy     string // staff ID of the approver or withdrawer
	DecidedAt     time.Time
	UndoReason    string
	UndoneBy      string
	UndoneAt      time.Time
	// For staff pages: the two people, read with the link.
	EIDAS  Person
	Target Person
}

// MaxReasonRunes bounds a reason staff write.
const MaxReasonRunes = 1000

// Reason checks a reason staff wrote for proposing or undoing a link: it
// must say something, within MaxReasonRunes. The error is fault.Invalid on
// the field "reason".
func Reason(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", fault.InvalidField("reason", "eidas.error.reason", nil)
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxReasonRunes:
		return "", fault.InvalidField("reason", "eidas.error.reason_long", nil)
	}
	return s, nil
}

// CanApprove says whether the staff actor may approve the waiting link: it
// must wait, and the approver must be another person than the proposer.
// Whether the actor holds the permission is checked apart.
func CanApprove(l Link, a access.Actor) error {
	switch {
	case l.Status != LinkProposed:
		return fault.New(fault.Conflict, "eidas.error.not_waiting")
	case a.ID == "" || a.ID == l.ProposedBy:
		return fault.New(fault.Forbidden, "eidas.error.own")
	}
	return nil
}

// Action is an audit action of linking.
type Action string

// The audit actions of linking. "staff.link_eidas" is the link taking
// effect (on approval), as before four eyes.
const (
	ActionPropose  Action = "staff.link_eidas_propose"
	ActionApprove  Action = "staff.link_eidas"
	ActionWithdraw Action = "staff.link_eidas_withdraw"
	ActionUndo     Action = "staff.unlink_eidas"
)

// The notices the customer gets, by their notification choice. Like every
// notice they carry no name, identity code or content: they say that the
// e-service has something to see (the access log).
const (
	NoticeLinked   outbox.Kind = "eidas_linked"
	NoticeUnlinked outbox.Kind = "eidas_unlinked"
)

// NoticeKinds are the notices linking sends; t gives the catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		outbox.Fixed(t, NoticeLinked, "eidas.notice.linked.subject", "eidas.notice.linked.text", "eidas.notice.linked.sms"),
		outbox.Fixed(t, NoticeUnlinked, "eidas.notice.unlinked.subject", "eidas.notice.unlinked.text", "eidas.notice.unlinked.sms"),
	}
}
