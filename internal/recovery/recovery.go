// Package recovery is the Overpayment Recovery Centre's domain: claims,
// their interest, reminders, payment plans, offsetting and payment details.
package recovery

import (
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/viite"
)

// Kind is the kind of debt a claim is (seed 002). Its String form is the
// stable key used in storage, the rule table and message keys.
type Kind string

// The four kinds of debt the Centre collects.
const (
	Overpayment   Kind = "overpayment"    // recovery of a benefit overpayment
	ChildSupport  Kind = "child_support"  // child support debt
	StudentLoan   Kind = "student_loan"   // government-guaranteed student loan debt
	HealthcareFee Kind = "healthcare_fee" // higher-education student healthcare fee
)

// Kinds lists every kind, in a fixed order.
func Kinds() []Kind { return []Kind{Overpayment, ChildSupport, StudentLoan, HealthcareFee} }

// Valid reports whether k is one of the four kinds.
func (k Kind) Valid() bool {
	switch k {
	case Overpayment, ChildSupport, StudentLoan, HealthcareFee:
		return true
	}
	return false
}

func (k Kind) String() string { return string(k) }

// UnmarshalText implements encoding.TextUnmarshaler and refuses unknown
// kinds, so that a typing error in the rule table is caught on loading.
func (k *Kind) UnmarshalText(b []byte) error {
	v := Kind(b)
	if !v.Valid() {
		return fmt.Errorf("recovery: unknown kind %q", b)
	}
	*k = v
	return nil
}

// Status is where a claim is in collection.
type Status string

// The statuses. A claim starts Open; Paid and Waived are final.
const (
	Open        Status = "open"
	InPlan      Status = "in_plan"     // an approved payment plan is running
	Reminded    Status = "reminded"    // at least one reminder sent
	Enforcement Status = "enforcement" // handed over to enforcement (ulosotto)
	Paid        Status = "paid"
	Waived      Status = "waived"
)

// Collecting reports whether the Centre still collects the claim itself:
// reminders and offsetting apply only to such claims.
func (s Status) Collecting() bool { return s == Open || s == InPlan || s == Reminded }

// Parts splits an amount into what it covers, in the order payments are
// allocated (fees, then interest, then principal).
type Parts struct {
	Fees      int64
	Interest  int64
	Principal int64
}

// Total is the sum of the parts.
func (p Parts) Total() int64 { return p.Fees + p.Interest + p.Principal }

// Claim is one debt of one person. Principal, Interest and Fees are what has
// been charged so far; Paid is what has been paid (or offset) against each,
// so Balance is the difference. All amounts are cents.
//
// Paid is kept per part rather than as one total because payments are
// allocated one at a time: a payment made before interest accrued went to
// the principal, and interest is computed on the principal left.
type Claim struct {
	ID        string
	Number    int64 // the claim number the reference is made from
	PersonID  string
	Kind      Kind
	Reference viite.Ref // ClaimReference(Kind, Number)

	Principal int64
	Interest  int64
	Fees      int64
	Paid      Parts

	DueDate civil.Date
	Status  Status

	BenefitKey string // Overpayment: the benefit recovered, e.g. "housing_allowance"
	DecisionID string // Overpayment: the recovery decision
	Term       Term   // HealthcareFee: the term charged
	// PeriodFrom and PeriodTo are the first and last day of the period
	// the overpayment or debt concerns (the benefit paid 1.3.–31.8.2026,
	// say), both included; both zero when the claim names none (claims
	// from before the period was recorded, healthcare fees). CheckPeriod
	// is the rule.
	PeriodFrom, PeriodTo civil.Date

	// InterestTo is the last day up to which interest has been charged;
	// the next accrual runs from it (see InterestBetween).
	InterestTo civil.Date
	// InterestFree are the periods approved exemptions free from interest
	// (ApplyExemption): InterestBetween charges nothing for their days.
	InterestFree []FreePeriod

	// Plan is the approved payment plan while Status is InPlan.
	Plan *Plan

	CreatedAt time.Time
}

// CheckPeriod is the rule for the period a claim concerns: none at all,
// or two valid days with the last not before the first. Half a period is
// refused too, because a claim page cannot say what it concerns from one
// end only.
func (c Claim) CheckPeriod() error {
	switch {
	case c.PeriodFrom.IsZero() && c.PeriodTo.IsZero():
		return nil
	case c.PeriodFrom.IsZero() || c.PeriodTo.IsZero():
		return fault.New(fault.Invalid, "recovery.error.period_half")
	case !c.PeriodFrom.IsValid() || !c.PeriodTo.IsValid():
		return fault.New(fault.Invalid, "recovery.error.period_date")
	case c.PeriodTo.Before(c.PeriodFrom):
		return fault.New(fault.Invalid, "recovery.error.period_order")
	}
	return nil
}

// Charged is everything charged on the claim, by part.
func (c Claim) Charged() Parts {
	return Parts{Fees: c.Fees, Interest: c.Interest, Principal: c.Principal}
}

// Outstanding is what is left to pay, by part. A part paid more than
// charged (which allocation never does) counts as zero.
func (c Claim) Outstanding() Parts {
	return Parts{
		Fees:      max(c.Fees-c.Paid.Fees, 0),
		Interest:  max(c.Interest-c.Paid.Interest, 0),
		Principal: max(c.Principal-c.Paid.Principal, 0),
	}
}

// Balance is what is left to pay, in cents.
func (c Claim) Balance() int64 { return c.Outstanding().Total() }

// Overdue reports whether the claim has an unpaid balance after its due
// date: the due date itself is still in time.
func (c Claim) Overdue(today civil.Date) bool {
	return c.Balance() > 0 && !c.DueDate.IsZero() && today.After(c.DueDate)
}

// ApplyPayment allocates a payment received on a day (Allocate), records it
// on the claim and returns the history entry and any excess, which belongs
// to the manual queue for refund or another claim. A claim paid in full
// becomes Paid.
func (c *Claim) ApplyPayment(on civil.Date, cents int64) (Event, int64) {
	fees, interest, principal, excess := Allocate(*c, cents)
	c.Paid.Fees += fees
	c.Paid.Interest += interest
	c.Paid.Principal += principal
	if c.Balance() == 0 && c.Status.Collecting() {
		c.Status = Paid
		c.Plan = nil
	}
	return Event{On: on, Kind: EventPayment, Cents: cents - excess,
		Parts: Parts{Fees: fees, Interest: interest, Principal: principal}, Note: "recovery.event.payment"}, excess
}

// ApprovePlan puts the claim in the plan and returns the history entry.
// The plan remembers what had been paid at approval, so that instalments
// are checked against payments made after it.
func (c *Claim) ApprovePlan(on civil.Date, p Plan) Event {
	p.PaidAtApproval = c.Paid.Total()
	c.Plan = &p
	c.Status = InPlan
	return Event{On: on, Kind: EventPlanApproved, Cents: p.Total, Note: "recovery.event.plan_approved"}
}

// ReversePayment takes back a payment the bank returned (a reversal):
// what it paid of each part is owed again, and the principal it paid earns
// interest again from its value date up to the day interest has been
// charged to (interest is simple, so the extra is the interest on that
// principal alone). A claim the payment had settled is open again. It
// returns the history entries.
func (c *Claim) ReversePayment(on, paidOn civil.Date, parts Parts, rules *Rules) []Event {
	c.Paid.Fees -= parts.Fees
	c.Paid.Interest -= parts.Interest
	c.Paid.Principal -= parts.Principal
	evs := []Event{{On: on, Kind: EventPaymentReversed, Cents: parts.Total(), Parts: parts, Note: "recovery.event.payment_reversed"}}
	if parts.Principal > 0 && !c.InterestTo.IsZero() && c.InterestTo.After(paidOn) {
		if extra, _ := InterestBetween(Claim{Kind: c.Kind, Principal: parts.Principal, InterestFree: c.InterestFree}, paidOn, c.InterestTo, rules); extra > 0 {
			c.Interest += extra
			evs = append(evs, Event{On: on, Kind: EventInterestAccrued, Cents: extra, Note: "recovery.event.interest_after_reversal"})
		}
	}
	if c.Status == Paid && c.Balance() > 0 {
		c.Status = Open
	}
	return evs
}

// EventKind is what happened to a claim.
type EventKind string

// The event kinds of a claim's history.
const (
	EventCreated         EventKind = "created"
	EventInterestAccrued EventKind = "interest_accrued"
	EventFeeAdded        EventKind = "fee_added"
	EventPayment         EventKind = "payment"
	EventPaymentReversed EventKind = "payment_reversed" // the bank took a payment back
	EventReminder        EventKind = "reminder"
	EventPlanApproved    EventKind = "plan_approved"
	EventPlanBroken      EventKind = "plan_broken"
	EventWaived          EventKind = "waived"
	EventToEnforcement   EventKind = "to_enforcement"
	EventOffset          EventKind = "offset"
	// EventWrittenOff: an approved exemption took amounts off the claim;
	// Parts says which, Note names the decision.
	EventWrittenOff EventKind = "written_off"
	// EventInterestToPrincipal: an approved exemption covered interest
	// the customer had already paid, and that payment now counts towards
	// the principal (Cents, Parts.Principal); Note names the decision.
	EventInterestToPrincipal EventKind = "interest_to_principal"
)

// Event is one dated entry in a claim's history. A history is kept in the
// order things happened; NextAction relies on that order.
type Event struct {
	On    civil.Date // the day it took effect (value date for payments)
	Kind  EventKind
	Cents int64  // the amount concerned, if any: payment, fee, interest
	Parts Parts  // for payments and offsets, how the amount was allocated
	Note  string // i18n key describing the entry, e.g. "recovery.event.payment"
	At    time.Time
}
