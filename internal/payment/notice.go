package payment

import (
	"context"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/recovery"
)

// Notices: the customer is told, in the transaction that records the
// event, when the bank rejected or returned a payment of theirs, when a
// run withheld part of a payment for a recovery claim, and when their
// payment account was changed. Each is a system message in a new thread
// of their inbox (Viestit), written in their language, and — by their
// notification choice — an e-mail or SMS that says only that a message
// waits (e-mail and SMS are not secure channels: no amount, account, name
// or identity code). A notice is stored once per event (its kind and the
// row it tells of are unique), so a re-import or re-run tells nobody twice.

// The kinds of notice, as payment_notices.kind.
const (
	NoticeReturned = "returned" // a payment the bank returned (camt.054)
	NoticeRejected = "rejected" // a payment the bank refused (pain.002)
	NoticeOffset   = "offset"   // a payment reduced by recovery offsetting
	NoticeAccount  = "account"  // the payment account was changed
	// NoticeEmployerPaid: the run paid an employer the daily allowance
	// of an application naming the customer as its employee (employer.go);
	// once an application.
	NoticeEmployerPaid = "employer_paid"
)

// The outbox notices payments send. Neither carries content.
const (
	// NoticeMessage tells the customer that a message about their
	// payments waits in the e-service.
	NoticeMessage outbox.Kind = "payment_message"
	// NoticeAccountChanged tells the customer that their payment account
	// was changed, and what to do if it was not them: the protection
	// against an account takeover, sent to a proved address even when the
	// customer allowed no messages.
	NoticeAccountChanged outbox.Kind = "payment_account_changed"
)

// NoticeKinds are the notices the payment service sends; t gives the
// catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		outbox.Fixed(t, NoticeMessage, "payment.notice.mail.subject", "payment.notice.mail.text", "payment.notice.mail.sms"),
		outbox.Fixed(t, NoticeAccountChanged, "payment.notice.account_mail.subject", "payment.notice.account_mail.text",
			"payment.notice.account_mail.sms"),
	}
}

// NoticeSubject is the topic catalogue's subject of the payments' notice
// threads (internal/message/topics.json); each kind is a specification.
const NoticeSubject = "payments"

// Notice is one thing the customer is told about their payments: the
// message in their inbox and how they were noticed of it.
type Notice struct {
	ID       string
	PersonID string
	Kind     string // NoticeReturned, NoticeRejected, NoticeOffset, NoticeAccount or NoticeEmployerPaid
	SourceID string // the return, payment or account change told of
	Lang     string
	// The inbox thread: routed to UnitID under NoticeSubject and the
	// kind's specification, titled and written in Lang.
	UnitID   string
	Title    string
	Body     string
	ThreadID string
	// Channel is how the customer was noticed: "email", "sms" or "".
	Channel   string
	CreatedAt time.Time
}

// Specification is the thread's specification key for the kind.
func (n Notice) Specification() string {
	switch n.Kind {
	case NoticeReturned, NoticeRejected:
		return "returned"
	case NoticeOffset:
		return "offset"
	case NoticeEmployerPaid:
		// The topic of the decision's message to the employee
		// (employer.EmployeeNoticeSpecification).
		return "employer"
	}
	return "account"
}

// noticeTx is what the notices write in the event's transaction (Tx
// embeds it).
type noticeTx interface {
	// NoticeChoice is the customer's notification choice (the zero
	// Consent when they never chose) and their language.
	NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error)
	// PostNotice stores the notice, once by its kind and source, with
	// its thread and system message, giving it and the thread IDs; false
	// (nothing written) when the source was told of before.
	PostNotice(ctx context.Context, n *Notice) (bool, error)
	// Enqueue writes a notice to the outbox in this transaction.
	Enqueue(ctx context.Context, it *outbox.Item) error
}

// DefaultNoticeUnit is the unit the notice threads are routed to, so that
// a customer's reply reaches people who handle payments.
const DefaultNoticeUnit = "benefit-services"

// t is the catalogue's text, or the key when the service has none.
func (s *Service) t(lang, key string, args ...any) string {
	if s.cfg.Text == nil {
		return key
	}
	return s.cfg.Text(lang, key, args...)
}

// tell writes the notice in the customer's language and, when their
// choice asks for it (security: any proved address), queues the outbox
// notice, all in tx; nothing when the source was told of before.
func (s *Service) tell(ctx context.Context, tx Tx, n Notice, write func(lang string) (title, body string), security bool) error {
	consent, lang, err := tx.NoticeChoice(ctx, n.PersonID)
	if err != nil {
		return err
	}
	n.Lang = lang
	n.UnitID = s.cfg.NoticeUnit
	if n.UnitID == "" {
		n.UnitID = DefaultNoticeUnit
	}
	n.Title, n.Body = write(lang)
	if Reaches(consent, security) {
		n.Channel = string(consent.Channel)
	}
	posted, err := tx.PostNotice(ctx, &n)
	if err != nil || !posted || n.Channel == "" {
		return err
	}
	kind := NoticeMessage
	if security {
		kind = NoticeAccountChanged
	}
	return tx.Enqueue(ctx, consent.Notice(kind, lang, n.PersonID, n.ThreadID))
}

// Reaches reports whether a notice goes out by e-mail or SMS: to a proved
// address the customer chose for notices; a security notice (the account
// changed) also when they allowed the institution no new threads, since
// it protects them.
func Reaches(c message.Consent, security bool) bool {
	if security {
		return c.Channel != message.ChannelNone && c.Channel != "" && c.Address != "" && c.Verified
	}
	return c.Notifies()
}

// what names a payment in a notice: the benefit and the period.
func (s *Service) what(lang, kind, period string) string {
	return s.t(lang, "benefit."+kind) + ", " + s.t(lang, "payment.period."+PeriodKind(period), "Period", PeriodText(period))
}

// tellReturn tells the customer that the bank rejected or returned their
// payment: what, why in plain words, and what to do.
func (s *Service) tellReturn(ctx context.Context, tx Tx, r *Return, kind, period string, payDate civil.Date) error {
	nk, title, body := NoticeReturned, "payment.notice.returned.title", "payment.notice.returned.body"
	if r.Outcome == Rejected {
		nk, title, body = NoticeRejected, "payment.notice.rejected.title", "payment.notice.rejected.body"
	}
	return s.tell(ctx, tx, Notice{PersonID: r.PersonID, Kind: nk, SourceID: r.ID}, func(lang string) (string, string) {
		return s.t(lang, title), s.t(lang, body, "What", s.what(lang, kind, period), "Amount", i18n.Euros(lang, r.AmountCents),
			"Date", payDate.Finnish(), "Account", MaskIBAN(r.IBAN), "Reason", s.t(lang, ReasonKey(r.ReasonCode)))
	}, false)
}

// tellOffset tells the customer that the run withheld part of their
// payment: how much went to which claim, and what was paid out.
func (s *Service) tellOffset(ctx context.Context, tx Tx, p *Payment, offs []recovery.Offset) error {
	return s.tell(ctx, tx, Notice{PersonID: p.PersonID, Kind: NoticeOffset, SourceID: p.ID}, func(lang string) (string, string) {
		var lines []string
		for _, o := range offs {
			line := s.t(lang, "payment.notice.offset.line", "Amount", i18n.Euros(lang, o.Cents),
				"Claim", s.t(lang, "kind."+string(o.Kind)), "Reference", o.Reference)
			lines = append(lines, "– "+line)
		}
		return s.t(lang, "payment.notice.offset.title"),
			s.t(lang, "payment.notice.offset.body", "What", s.what(lang, p.Kind, p.Period), "Date", p.PayDate.Finnish(),
				"Gross", i18n.Euros(lang, p.GrossCents()), "Offset", i18n.Euros(lang, p.OffsetCents), "Lines", strings.Join(lines, "\n"),
				"Paid", i18n.Euros(lang, p.AmountCents), "Account", MaskIBAN(p.IBAN))
	}, false)
}
