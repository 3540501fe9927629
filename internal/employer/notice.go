package employer

import (
	"context"

	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// The organisation is told of a decision in the decision's transaction,
// so exactly once: a system message in a new thread of the organisation's
// secure messages (what was decided, the amount or the reason), written
// in the language of the person who applied; and, when that person chose
// and proved an address for notices, an e-mail or SMS that says only that
// a message waits (no amount, no employee, no name).
//
// The employee is told too, in the same transaction, when the identity
// code the employer gave is a customer's: a system message in a new
// thread of their own inbox, in their language (which employer applied,
// the benefit and period, the decision, why the allowance is paid to the
// employer; never the employer's account), and by their notice choice the
// content-free notice of a new message (message.NoticeNewMessage). One
// per application (the store keeps it once), so a retried decision tells
// nobody twice. A code of no customer is told nothing.

// NoticeDecision is the outbox notice to the person who applied for the
// organisation: a message about the organisation's application waits.
const NoticeDecision outbox.Kind = "employer_decision"

// NoticePayment is the outbox notice to the person who applied for the
// organisation that the bank did not pay the application's reimbursement
// (internal/payment tells it): a message about it waits.
const NoticePayment outbox.Kind = "employer_payment"

// NoticeKinds are the notices the employer e-services send; t gives the
// catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		outbox.Fixed(t, NoticeDecision, "employer.notice.mail.subject", "employer.notice.mail.text", "employer.notice.mail.sms"),
		outbox.Fixed(t, NoticePayment, "employer.notice.mail.subject", "employer.notice.payment_mail.text", "employer.notice.payment_mail.sms"),
	}
}

// The topic of the decision's thread (internal/message/topics.json), so
// that the organisation's answer reaches the people who handle
// reimbursements.
const (
	NoticeSubject       = "employer"
	NoticeSpecification = "reimbursement"
	// DefaultNoticeUnit is the unit the topic routes to.
	DefaultNoticeUnit = "benefit-services"
)

// The topic of the employee's thread: a customer topic
// (internal/message/topics.json) routed to the same unit as the
// organisation's, so that the employee's answer reaches the people who
// decide these applications.
const (
	EmployeeNoticeSubject       = "payments"
	EmployeeNoticeSpecification = "employer"
)

// EmployeeNotice is a decision told to the employee: the thread in their
// inbox and its system message.
type EmployeeNotice struct {
	ApplicationID string
	PersonID      string // the customer whose identity code the application names
	Lang          string
	UnitID        string
	Title, Body   string
	// Channel is how the employee was noticed: "email", "sms" or "".
	Channel  string
	ThreadID string // set by PostEmployeeNotice
}

// Notice is a decision told to the organisation: the thread and its
// system message.
type Notice struct {
	Org           string // business ID
	ApplicationID string
	Lang          string
	UnitID        string
	Title, Body   string
	ThreadID      string // set by PostNotice
}

// noticeTx is what the notice writes in the decision's transaction.
type noticeTx interface {
	// NoticeChoice is the person's notification choice (the zero Consent
	// when they never chose) and their language.
	NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error)
	// PostNotice stores the notice as a new thread of the organisation,
	// answered by the unit with one system message unread by the
	// organisation, giving its ID.
	PostNotice(ctx context.Context, n *Notice) error
	// PostEmployeeNotice stores the notice as a new thread of the
	// employee, answered by the unit with one system message unread by
	// them, giving its ID; false (nothing written) when the application's
	// employee was told before.
	PostEmployeeNotice(ctx context.Context, n *EmployeeNotice) (bool, error)
	// Enqueue writes a notice to the outbox in this transaction.
	Enqueue(ctx context.Context, it *outbox.Item) error
}

// Notices is how the service tells of decisions.
type Notices struct {
	// Text is the catalogue's texts for the decision's message; without
	// it the message carries the keys.
	Text outbox.Translate
	// Wake nudges the outbox worker after a notice was queued; may be nil.
	Wake func()
	// Quiet writes the organisation's message but queues no e-mail or
	// SMS: for the demo's seeded decisions, which no one is waiting for.
	Quiet bool
}

// SetNotices sets how the service tells of decisions.
func (s *Service) SetNotices(n Notices) { s.notices = n }

func (s *Service) t(lang, key string, args ...any) string {
	if s.notices.Text == nil {
		return key
	}
	return s.notices.Text(lang, key, args...)
}

// tell writes the decision's message to the organisation and the notice
// to the person who applied, in tx; it reports whether a notice was
// queued.
func (s *Service) tell(ctx context.Context, tx Tx, app Application) (bool, error) {
	consent, lang, err := tx.NoticeChoice(ctx, app.SubmittedBy)
	if err != nil {
		return false, err
	}
	benefit, period := s.benefit(lang, app), app.Start.Finnish()+"–"+app.End.Finnish()
	n := Notice{Org: app.Org, ApplicationID: app.ID, Lang: lang, UnitID: DefaultNoticeUnit}
	if app.Kind == OccupationalHealthcare {
		n.Title, n.Body = s.occupationalNotice(lang, app)
	} else if app.Status == Approved {
		n.Title = s.t(lang, "employer.notice.approved.title")
		n.Body = s.t(lang, "employer.notice.approved.body", "Benefit", benefit, "Period", period,
			"Amount", i18n.Euros(lang, app.AmountCents), "Employee", app.MaskedEmployee())
	} else {
		n.Title = s.t(lang, "employer.notice.refused.title")
		n.Body = s.t(lang, "employer.notice.refused.body", "Benefit", benefit, "Period", period,
			"Reason", app.Reason, "Employee", app.MaskedEmployee())
	}
	if err := tx.PostNotice(ctx, &n); err != nil {
		return false, err
	}
	if !consent.Notifies() || s.notices.Quiet {
		return false, nil
	}
	return true, tx.Enqueue(ctx, consent.Notice(NoticeDecision, lang, app.SubmittedBy, n.ThreadID))
}

func (s *Service) benefit(lang string, app Application) string {
	if app.Benefit == Parental {
		return s.t(lang, "employer.benefit.parental")
	}
	return s.t(lang, "employer.benefit.sickness")
}

// tellEmployee writes the decision's message to the employee, the
// customer personID, and queues the notice of it by their choice, in tx;
// it reports whether a notice was queued. Nothing is written when the
// employee was told of the application before.
func (s *Service) tellEmployee(ctx context.Context, tx Tx, app Application, personID string) (bool, error) {
	consent, lang, err := tx.NoticeChoice(ctx, personID)
	if err != nil {
		return false, err
	}
	n := EmployeeNotice{ApplicationID: app.ID, PersonID: personID, Lang: lang, UnitID: DefaultNoticeUnit}
	n.Title, n.Body = s.employeeMessage(lang, app)
	notify := consent.Notifies() && !s.notices.Quiet
	if notify {
		n.Channel = string(consent.Channel)
	}
	posted, err := tx.PostEmployeeNotice(ctx, &n)
	if err != nil || !posted || !notify {
		return false, err
	}
	return true, tx.Enqueue(ctx, consent.Notice(message.NoticeNewMessage, lang, personID, n.ThreadID))
}

// employeeMessage is the decision's message to the employee in lang:
// which employer applied (its name and business ID), the benefit and
// period, the decision with the amount paid to the employer or the
// reason, and why the allowance is the employer's. It names no account.
func (s *Service) employeeMessage(lang string, app Application) (title, body string) {
	name := app.OrgName
	if name == "" {
		name = app.Org
	}
	args := []any{"Employer", name, "BusinessID", app.Org, "Benefit", s.benefit(lang, app),
		"Period", app.Start.Finnish() + "–" + app.End.Finnish()}
	if app.Status == Approved {
		return s.t(lang, "employer.notice.employee.approved.title"),
			s.t(lang, "employer.notice.employee.approved.body", append(args, "Amount", i18n.Euros(lang, app.AmountCents))...)
	}
	return s.t(lang, "employer.notice.employee.refused.title"),
		s.t(lang, "employer.notice.employee.refused.body", append(args, "Reason", app.Reason)...)
}

// occupationalNotice is the title and text of a decision on an
// occupational-healthcare application: the workplace, the accounting
// period, the claimed and approved amounts or the reason.
func (s *Service) occupationalNotice(lang string, app Application) (string, string) {
	period := app.Start.Finnish() + "–" + app.End.Finnish()
	if app.Status == Approved {
		return s.t(lang, "employer.ohc.notice.approved.title"), s.t(lang, "employer.ohc.notice.approved.body",
			"Workplace", app.Workplace, "Period", period, "Claimed", i18n.Euros(lang, app.Claimed()),
			"Amount", i18n.Euros(lang, app.AmountCents), "Reason", app.Reason)
	}
	return s.t(lang, "employer.ohc.notice.refused.title"), s.t(lang, "employer.ohc.notice.refused.body",
		"Workplace", app.Workplace, "Period", period, "Reason", app.Reason)
}
