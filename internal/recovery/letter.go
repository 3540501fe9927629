package recovery

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/outbox"
)

// LetterKind is what a letter tells the customer.
type LetterKind string

// The letters the Centre sends: each decision on an application, each
// reminder, a lapsed plan and a transfer to enforcement.
const (
	LetterPlanApproved      LetterKind = "plan_approved"
	LetterPlanRejected      LetterKind = "plan_rejected"
	LetterExemptionApproved LetterKind = "exemption_approved"
	LetterExemptionRejected LetterKind = "exemption_rejected"
	LetterReminder          LetterKind = "reminder"
	LetterPlanLapsed        LetterKind = "plan_lapsed"
	LetterEnforcement       LetterKind = "enforcement"
	// LetterRecoveryStarted is the letter of the decision that started
	// the claim (a recovery decision, a fee charged): amount, due date,
	// payment details and, for an overpayment, the benefit, the period and
	// the decision.
	LetterRecoveryStarted LetterKind = "recovery_started"
)

// Letter is one letter the Centre sent a customer about a claim. Its text
// is written from these facts in the customer's language when it is read
// (the HTML page and the PDF); the facts are those of the day it was sent.
type Letter struct {
	ID       string     `json:"-"`
	PersonID string     `json:"-"`
	ClaimID  string     `json:"-"`
	Kind     LetterKind `json:"-"`
	On       civil.Date `json:"-"`
	Lang     string     `json:"-"`
	// NoticeChannel is how the customer was told of the letter: "email",
	// "sms", or "" when they chose no notices.
	NoticeChannel string    `json:"-"`
	CreatedAt     time.Time `json:"-"`

	ClaimKind Kind   `json:"claim_kind"`
	Reference string `json:"reference"`
	// ReasonKey is the decision's reason, or the rule applied (an i18n key).
	ReasonKey string `json:"reason,omitempty"`
	// Exemption and From are the exemption decided and its start.
	Exemption ExemptionKind `json:"exemption,omitempty"`
	From      civil.Date    `json:"from,omitzero"`
	// WrittenOffCents is what an approved exemption took off the claim.
	WrittenOffCents int64 `json:"written_off,omitempty"`
	// BalanceCents is what was left to pay after the event.
	BalanceCents int64 `json:"balance"`
	// AmountCents and DueDate are what to pay and by when (for a plan, the
	// next instalment); zero when nothing is to be paid.
	AmountCents int64      `json:"amount,omitempty"`
	DueDate     civil.Date `json:"due,omitzero"`
	// FeeCents is a reminder's fee; Reminder its number.
	FeeCents int64 `json:"fee,omitempty"`
	Reminder int   `json:"reminder,omitempty"`
	// NextStep is the day from which the rules take the next step if
	// the claim stays unpaid (a further reminder or enforcement).
	NextStep civil.Date `json:"next_step,omitzero"`
	// Plan is an approved plan's schedule.
	Plan *Plan `json:"plan,omitempty"`
	// BenefitKey and DecisionID are, for an overpayment, the benefit
	// recovered and the recovery decision (LetterRecoveryStarted).
	BenefitKey string `json:"benefit,omitempty"`
	DecisionID string `json:"decision,omitempty"`
	// PeriodFrom and PeriodTo are the period the claim concerns, when it
	// names one (Claim.PeriodFrom).
	PeriodFrom civil.Date `json:"period_from,omitzero"`
	PeriodTo   civil.Date `json:"period_to,omitzero"`
}

// Appealable reports whether the letter is a decision the customer may
// seek rectification of or appeal (the decisions on applications);
// reminders and notices of enforcement are not decisions.
func (l Letter) Appealable() bool {
	switch l.Kind {
	case LetterPlanRejected, LetterExemptionApproved, LetterExemptionRejected:
		return true
	case LetterRecoveryStarted:
		// The recovery decision on an overpayment is appealable; the other
		// kinds of debt start from a charge or a debt Kela took over.
		return l.ClaimKind == Overpayment
	}
	return false
}

// StartedLetter is the letter of the decision that started the claim, as
// the claim stands when it is created.
func StartedLetter(c Claim) Letter {
	l := letterBase(LetterRecoveryStarted, c)
	l.BenefitKey, l.DecisionID = c.BenefitKey, c.DecisionID
	l.PeriodFrom, l.PeriodTo = c.PeriodFrom, c.PeriodTo
	return l
}

// NoticeLetter is the outbox notice that a letter waits in the
// e-service. Like a message notice it carries no content, name or
// identity code.
const NoticeLetter outbox.Kind = "recovery_letter"

// NoticeKinds are the notices the recovery service sends; t gives the
// catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{outbox.Fixed(t, NoticeLetter, "letter.notice.subject", "letter.notice.text", "letter.notice.sms")}
}

// letterBase is a letter about the claim as it stands, with what to pay
// and by when.
func letterBase(kind LetterKind, c Claim) Letter {
	l := Letter{Kind: kind, PersonID: c.PersonID, ClaimID: c.ID, ClaimKind: c.Kind, Reference: c.Reference.String(),
		BalanceCents: c.Balance()}
	if c.Balance() > 0 && c.Status.Collecting() {
		l.AmountCents, l.DueDate = c.Balance(), c.DueDate
		if c.Status == InPlan && c.Plan != nil {
			paid := c.Paid.Total() - c.Plan.PaidAtApproval
			for _, in := range c.Plan.Instalments {
				if in.Cumulative > paid {
					l.AmountCents, l.DueDate = min(in.Cumulative-paid, l.AmountCents), in.Due
					break
				}
			}
		}
	}
	return l
}

func exemptionLetter(x Exemption, c Claim, writtenOff int64) Letter {
	kind := LetterExemptionRejected
	if x.Status == Approved {
		kind = LetterExemptionApproved
	}
	l := letterBase(kind, c)
	l.ReasonKey, l.Exemption, l.From, l.WrittenOffCents = x.ReasonKey, x.Request.Kind, x.Request.From, writtenOff
	return l
}

func planLetter(pr Proposal, c Claim) Letter {
	kind := LetterPlanRejected
	if pr.Status == Approved {
		kind = LetterPlanApproved
	}
	l := letterBase(kind, c)
	l.ReasonKey = pr.ReasonKey
	if pr.Status == Approved {
		l.Plan = c.Plan
	}
	return l
}

// sendLetter stores the letter about the claim in the customer's
// language and, when the customer chose notices to a proved address,
// queues the notice by their channel, all in the transaction.
func (s *Service) sendLetter(ctx context.Context, tx Tx, c *Claim, l Letter) error {
	consent, lang, err := tx.NoticeChoice(ctx, c.PersonID)
	if err != nil {
		return err
	}
	l.PersonID, l.ClaimID, l.Lang, l.On = c.PersonID, c.ID, lang, civil.Today(tx.Now())
	if consent.Notifies() {
		l.NoticeChannel = string(consent.Channel)
	}
	if err := tx.InsertLetter(ctx, &l); err != nil {
		return err
	}
	if l.NoticeChannel == "" {
		return nil
	}
	return tx.Enqueue(ctx, consent.Notice(NoticeLetter, lang, c.PersonID, ""))
}

// Letters lists the letters of the customer's own claim, newest first;
// another customer's claim has none.
func (s *Service) Letters(ctx context.Context, a access.Actor, claimID string) ([]Letter, error) {
	pid, err := customerOf(a)
	if err != nil {
		return nil, err
	}
	return s.repo.LettersOf(ctx, pid, claimID)
}

// Letter is one of the customer's own letters; another customer's is
// NotFound.
func (s *Service) Letter(ctx context.Context, a access.Actor, letterID string) (Letter, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Letter{}, err
	}
	return s.repo.LetterOf(ctx, pid, letterID)
}
