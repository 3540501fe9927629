package recovery

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
)

// Offsetting in benefit payment runs: a payment run (internal/payment)
// withholds part of a benefit instalment for the overdue claims of the
// person paid, in the run's own transaction. The offset is booked to the
// claims the way a bank payment is — interest accrued to the pay day, the
// amount allocated, a "payment" history entry and a booked bank_entries
// row — so a claim's paid amount stays the sum of its booked transactions.
// Those rows belong to one bank file record per run (the run's offsets),
// and each is keyed by the payment and the claim, so it is booked once.

// ReasonOffsetWhole is why an instalment the offset would take whole is
// paid without one: a credit transfer of nothing cannot be made.
const ReasonOffsetWhole = "recovery.offset.whole"

// Offset is what one benefit payment withholds for one claim.
type Offset struct {
	PaymentID string
	ClaimID   string
	Reference string // the claim's national reference
	Kind      Kind
	Cents     int64
	EntryID   string // the booked bank entry (when booked)
	PayDate   civil.Date
}

// OffsetEligible reports whether a payment run may offset from the claim
// on the day: the Centre still collects it itself, it is overdue, no
// approved plan runs (the plan is how it is paid) and no plan proposal or
// exemption application waits for a decision (pending says so). Claims in
// enforcement are the enforcement authority's.
func OffsetEligible(c Claim, pending bool, day civil.Date) bool {
	return (c.Status == Open || c.Status == Reminded) && !pending && c.Overdue(day)
}

// claimTake is what an offset takes of one claim, with the claim's history
// entries (the interest accrued to the pay day, then the payment).
type claimTake struct {
	claim  *Claim
	cents  int64
	events []Event
}

// splitOffset computes what the payment withholds from the person's
// eligible claims (oldest due first) and applies it to them: each claim's
// interest is accrued to the pay day, the offset (OffsetAmount of the
// overdue balance) is taken from the oldest claim first. An offset that
// would take the whole instalment is not made (ReasonOffsetWhole).
func splitOffset(cs []*Claim, p BenefitPayment, rules *Rules) ([]claimTake, string) {
	trial := make([]Claim, len(cs))
	accrued := make([]Event, len(cs))
	var balance int64
	for i, c := range cs {
		trial[i] = *c
		accrued[i], _ = trial[i].AccrueInterest(p.PaymentDate, rules)
		balance += trial[i].Balance()
	}
	withheld, reason := OffsetAmount(p, balance, rules)
	if withheld <= 0 {
		return nil, reason
	}
	paid := p.GrossCents
	if p.NetCents > 0 {
		paid = min(p.NetCents, p.GrossCents)
	}
	if withheld >= paid {
		return nil, ReasonOffsetWhole
	}
	var takes []claimTake
	for i, c := range cs {
		take := min(withheld, trial[i].Balance())
		if take <= 0 {
			continue
		}
		*c = trial[i]
		var evs []Event
		if accrued[i].Kind != "" {
			evs = append(evs, accrued[i])
		}
		ev, _ := c.ApplyPayment(p.PaymentDate, take)
		ev.Note = "recovery.event.offset"
		takes = append(takes, claimTake{claim: c, cents: take, events: append(evs, ev)})
		if withheld -= take; withheld == 0 {
			break
		}
	}
	return takes, reason
}

// byDue orders claims oldest due first (then by reference), the order an
// offset pays them in.
func byDue(cs []*Claim) {
	slices.SortStableFunc(cs, func(a, b *Claim) int {
		return cmp.Or(a.DueDate.Compare(b.DueDate), cmp.Compare(a.Reference.String(), b.Reference.String()))
	})
}

// OffsetTx is the transaction a payment run books offsets in: the recovery
// service's Tx, and the reads that pick the claims.
type OffsetTx interface {
	Tx
	// OffsetClaimsForUpdate locks, in reference order, the open and
	// reminded claims due before the day.
	OffsetClaimsForUpdate(ctx context.Context, before civil.Date) ([]Claim, error)
	// PendingClaims returns which of the claims have a plan proposal or an
	// exemption application waiting.
	PendingClaims(ctx context.Context, claimIDs []string) (map[string]bool, error)
}

// OffsetRun names the payment run offsets are booked for.
type OffsetRun struct {
	RunID     string
	MessageID string // the run's pain.001 message ID
	FileName  string
	Account   string // the account benefits are paid from
	PayDate   civil.Date
}

// OffsetBook books one payment run's offsets. It holds the locks on the
// claims it may offset from until the run's transaction ends.
type OffsetBook struct {
	s        *Service
	tx       OffsetTx
	a        access.Actor
	run      OffsetRun
	byPerson map[string][]*Claim
	file     *BankFileRecord
	entries  int
}

// StartOffsets locks the claims a payment run may offset from (every open
// or reminded claim overdue on the pay day, in reference order as bank
// imports lock them, so the two never wait for each other in a circle)
// and keeps those OffsetEligible, by person.
func (s *Service) StartOffsets(ctx context.Context, tx OffsetTx, a access.Actor, run OffsetRun) (*OffsetBook, error) {
	cs, err := tx.OffsetClaimsForUpdate(ctx, run.PayDate)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	// Read after the locks: a proposal is written under its claim's lock,
	// so one sent before is seen here and none can be sent until the run
	// ends.
	pending, err := tx.PendingClaims(ctx, ids)
	if err != nil {
		return nil, err
	}
	b := &OffsetBook{s: s, tx: tx, a: a, run: run, byPerson: map[string][]*Claim{}}
	for i := range cs {
		if OffsetEligible(cs[i], pending[cs[i].ID], run.PayDate) {
			b.byPerson[cs[i].PersonID] = append(b.byPerson[cs[i].PersonID], &cs[i])
		}
	}
	for _, list := range b.byPerson {
		byDue(list)
	}
	return b, nil
}

// Has reports whether the person has a claim the run may offset from.
func (b *OffsetBook) Has(personID string) bool { return len(b.byPerson[personID]) > 0 }

// Offset withholds from the payment what the rules allow for the person's
// claims and books it to them: claim, history, booked bank entry and audit
// entry, in the run's transaction. It returns the offsets (none when
// nothing is withheld) and the rule that decided.
func (b *OffsetBook) Offset(ctx context.Context, paymentID, personID string, p BenefitPayment) ([]Offset, string, error) {
	cs := b.byPerson[personID]
	if len(cs) == 0 {
		return nil, "recovery.offset.nothing_due", nil
	}
	takes, reason := splitOffset(cs, p, b.s.cfg.Rules)
	if len(takes) == 0 {
		return nil, reason, nil
	}
	if b.file == nil {
		b.file = &BankFileRecord{SHA256: "offset:" + b.run.RunID, Name: b.run.FileName, Message: "offset",
			MessageID: b.run.MessageID, ImportedBy: b.a.AuditKind() + ":" + b.a.ID, Status: FileDone}
		if err := b.tx.StartBankFile(ctx, b.file); err != nil {
			return nil, "", err
		}
	}
	out := make([]Offset, 0, len(takes))
	for _, t := range takes {
		c := t.claim
		b.entries++
		e := &BankEntry{FileID: b.file.ID, Line: b.entries, EntryIndex: b.entries, TxIndex: 1, Account: b.run.Account,
			BookingDate: p.PaymentDate, ArchiveID: paymentID, Key: "offset:" + paymentID + ":" + c.ID,
			Direction: iso20022.Credit, AmountCents: t.cents, Reference: c.Reference.String(), RawReference: c.Reference.String(),
			ValueDate: p.PaymentDate, Status: EntryBooked, ClaimID: c.ID, PersonID: c.PersonID,
			Alloc: t.events[len(t.events)-1].Parts, Resolution: "offset from benefit payment"}
		if err := b.tx.InsertBankEntries(ctx, []*BankEntry{e}); err != nil {
			return nil, "", err
		}
		if err := b.tx.SaveClaim(ctx, c); err != nil {
			return nil, "", err
		}
		for _, ev := range t.events {
			if err := b.tx.AddEvent(ctx, c, ev); err != nil {
				return nil, "", err
			}
		}
		b.file.Report.Booked++
		b.file.Report.BookedCents += t.cents
		out = append(out, Offset{PaymentID: paymentID, ClaimID: c.ID, Reference: c.Reference.String(), Kind: c.Kind,
			Cents: t.cents, EntryID: e.ID, PayDate: p.PaymentDate})
		if err := b.tx.Audit(ctx, audit.Entry{ActorKind: b.a.AuditKind(), ActorID: b.a.ID, Action: "recovery.offset_booked",
			Object: "claim:" + c.ID, SubjectID: c.PersonID,
			Detail: fmt.Sprintf("payment %s, %d cents (%s)", paymentID, t.cents, reason)}); err != nil {
			return nil, "", err
		}
	}
	// The claims paid in full leave the run's list.
	b.byPerson[personID] = slices.DeleteFunc(cs, func(c *Claim) bool { return c.Balance() == 0 })
	return out, reason, nil
}

// Finish writes the run's offset file record's totals.
func (b *OffsetBook) Finish(ctx context.Context) error {
	if b == nil || b.file == nil {
		return nil
	}
	b.file.Entries, b.file.Progress = b.entries, b.entries
	return b.tx.SaveBankFile(ctx, *b.file)
}

// PlannedPayment is a benefit instalment not yet paid, for the forecast of
// offsets the customer is told of in advance.
type PlannedPayment struct {
	Key     string // the caller's name for it (benefit and period)
	Payment BenefitPayment
}

// PlannedOffsets is the customer's forecast: what each coming instalment
// (in pay day order) would withhold for which of their claims, if the
// claims stood as they do now. It reads only; the run decides on the day.
func (s *Service) PlannedOffsets(ctx context.Context, a access.Actor, pays []PlannedPayment) (map[string][]Offset, error) {
	pid, err := customerOf(a)
	if err != nil {
		return nil, err
	}
	return s.plannedOffsets(ctx, pid, pays)
}

func (s *Service) plannedOffsets(ctx context.Context, personID string, pays []PlannedPayment) (map[string][]Offset, error) {
	if len(pays) == 0 {
		return map[string][]Offset{}, nil
	}
	all, pending, err := s.repo.ClaimsPendingOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	return s.OffsetForecast(all, pending, pays), nil
}

// OffsetForecast is PlannedOffsets over the customer's claims as
// Repo.ClaimsPendingOf reads them (all of them, and which have an
// application waiting), for a caller that read them together with its
// own reads. It does not change claims.
func (s *Service) OffsetForecast(claims []Claim, pending map[string]bool, pays []PlannedPayment) map[string][]Offset {
	out := map[string][]Offset{}
	if len(pays) == 0 {
		return out
	}
	var cs []*Claim
	for i := range claims {
		c := claims[i]
		if c.Status != Open && c.Status != Reminded || c.Balance() == 0 || pending[c.ID] {
			continue
		}
		cs = append(cs, &c)
	}
	if len(cs) == 0 {
		return out
	}
	byDue(cs)
	pays = slices.Clone(pays)
	slices.SortStableFunc(pays, func(a, b PlannedPayment) int { return a.Payment.PaymentDate.Compare(b.Payment.PaymentDate) })
	for _, p := range pays {
		var due []*Claim
		for _, c := range cs {
			if OffsetEligible(*c, false, p.Payment.PaymentDate) {
				due = append(due, c)
			}
		}
		takes, _ := splitOffset(due, p.Payment, s.cfg.Rules)
		for _, t := range takes {
			out[p.Key] = append(out[p.Key], Offset{ClaimID: t.claim.ID, Reference: t.claim.Reference.String(),
				Kind: t.claim.Kind, Cents: t.cents, PayDate: p.Payment.PaymentDate})
		}
	}
	return out
}

// SetComingPayments tells the service where a person's coming benefit
// instalments are read from (the payment capability), so that a claim's
// page shows the offsets planned from them.
func (s *Service) SetComingPayments(f func(ctx context.Context, personID string) ([]PlannedPayment, error)) {
	s.coming = f
}

// claimOffsets is the offsets planned for one claim of the person.
func (s *Service) claimOffsets(ctx context.Context, personID, claimID string) ([]Offset, error) {
	if s.coming == nil {
		return nil, nil
	}
	pays, err := s.coming(ctx, personID)
	if err != nil {
		return nil, err
	}
	planned, err := s.plannedOffsets(ctx, personID, pays)
	if err != nil {
		return nil, err
	}
	var out []Offset
	for _, offs := range planned {
		for _, o := range offs {
			if o.ClaimID == claimID {
				out = append(out, o)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Offset) int { return a.PayDate.Compare(b.PayDate) })
	return out, nil
}
