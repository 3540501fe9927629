package recovery

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
)

// What staff may do with a bank payment in the queue.
const (
	ResolveBook     = "book"    // book it to the claim staff name
	ResolveReturned = "return"  // the money was sent back to the payer
	ResolveHandled  = "handled" // dealt with otherwise, e.g. a repeat noticed by a person
)

// ResolveActions lists the actions, for forms.
var ResolveActions = []string{ResolveBook, ResolveReturned, ResolveHandled}

// The statuses staff leave a queued payment in.
const (
	EntryReturned = "returned"
	EntryHandled  = "handled"
)

// MaxResolutionNote is the longest reason staff give, in characters.
const MaxResolutionNote = 500

// Resolution is what a member of staff does with a queued bank payment,
// and why (the reason is audited and kept on the payment).
type Resolution struct {
	Action    string
	Reference string // for ResolveBook: the claim's reference, national or RF
	Note      string
}

// ResolveEntry deals with a bank payment waiting in the Centre's queue:
// books it to the claim staff name (locked, its interest accrued to the
// payment's value date, at most its balance), records that it was returned
// to the payer, or marks it handled. The reason is required and audited.
// A payment no longer queued is a fault.Conflict (someone else dealt with
// it first).
func (s *Service) ResolveEntry(ctx context.Context, a access.Actor, entryID string, res Resolution) (BankEntry, error) {
	var e BankEntry
	if err := s.cfg.Access.Check(a, access.RecoveryResolveBank); err != nil {
		return e, err
	}
	res.Note = strings.TrimSpace(res.Note)
	switch {
	case !slices.Contains(ResolveActions, res.Action):
		return e, fault.InvalidField("action", "bank.resolve.action", nil)
	case res.Note == "":
		return e, fault.InvalidField("note", "bank.resolve.note_needed", nil)
	case utf8.RuneCountInString(res.Note) > MaxResolutionNote:
		return e, fault.InvalidField("note", "bank.resolve.note_long", nil)
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		cur, err := tx.BankEntryForUpdate(ctx, entryID)
		if err != nil {
			return err
		}
		if cur.Status != EntryQueued {
			return fault.New(fault.Conflict, "bank.resolve.done")
		}
		entry := audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Object: "bank_entry:" + cur.ID, Detail: res.Action}
		switch res.Action {
		case ResolveBook:
			if err := s.bookByStaff(ctx, tx, cur, res.Reference); err != nil {
				return err
			}
			entry.SubjectID = cur.PersonID
		case ResolveReturned:
			cur.Status = EntryReturned
		default:
			cur.Status = EntryHandled
		}
		cur.Resolution = res.Note
		if err := tx.ResolveBankEntry(ctx, cur, a.ID); err != nil {
			return err
		}
		entry.Action = "bank.entry_" + cur.Status
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		e = *cur
		return nil
	})
	return e, err
}

// bookByStaff books a queued credit to the claim with the reference.
func (s *Service) bookByStaff(ctx context.Context, tx Tx, e *BankEntry, reference string) error {
	if e.Direction != iso20022.Credit || e.Reversal {
		return fault.InvalidField("action", "bank.resolve.not_credit", nil)
	}
	ref, ok := NormaliseReference(reference)
	if !ok {
		return fault.InvalidField("reference", "bank.resolve.reference", nil)
	}
	cs, err := tx.ClaimsByReferenceForUpdate(ctx, []string{ref.String()})
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return fault.InvalidField("reference", "bank.resolve.no_claim", nil)
	}
	c := cs[0]
	if !c.Status.Collecting() && c.Status != Enforcement {
		return fault.InvalidField("reference", "bank.resolve.claim_closed", nil)
	}
	day := e.ValueDate
	if day.IsZero() {
		day = civil.Of(tx.Now())
	}
	accrued, _ := c.AccrueInterest(day, s.cfg.Rules)
	if e.AmountCents > c.Balance() {
		return fault.InvalidField("reference", "bank.resolve.over_balance", nil)
	}
	ev, _ := c.ApplyPayment(day, e.AmountCents)
	if err := tx.SaveClaim(ctx, &c); err != nil {
		return err
	}
	for _, x := range []Event{accrued, ev} {
		if x.Kind != "" {
			if err := tx.AddEvent(ctx, &c, x); err != nil {
				return err
			}
		}
	}
	e.Status, e.Reason, e.ClaimID, e.PersonID, e.Alloc = EntryBooked, "", c.ID, c.PersonID, ev.Parts
	return nil
}

// FileEntries is every transaction of an imported file, in file order,
// for the Centre's staff: the bulk view of a file.
func (s *Service) FileEntries(ctx context.Context, a access.Actor, fileID string, limit, offset int) (BankFileRecord, []BankEntry, error) {
	if err := s.cfg.Access.Check(a, access.RecoveryQueue); err != nil {
		return BankFileRecord{}, nil, err
	}
	return s.repo.FileEntries(ctx, fileID, limit, offset)
}

// MayResolve reports whether the actor may deal with queued bank payments,
// so that pages offer the actions only to those who may use them.
func (s *Service) MayResolve(a access.Actor) bool {
	return s.cfg.Access.Allows(a, access.RecoveryResolveBank)
}
