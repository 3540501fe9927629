package payment

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/iso20022"
)

// Returns: a payment the bank rejected (a pain.002 status report) or sent
// back (a camt.054 return) is marked so with the bank's reason and waits in
// the staff queue. Staff record the corrected account and the payment is
// due again: the next run pays it once more, under the same key (benefit,
// person, period) with the next attempt number and a new end-to-end ID.
//
// The invariant (storetest): one payments row per benefit and period; its
// attempt is the number of its failed attempts paid again; each failed
// attempt is one payment_returns row, unique by its end-to-end ID, so the
// same report or return imported twice records nothing twice; a payment is
// rejected or returned exactly while its current attempt's return is open
// or ordered paid again. At most one attempt of a key is ever in flight,
// so at most one reaches the customer.

// The statuses of a payment whose current attempt failed.
const (
	Rejected = "rejected" // the bank refused it (pain.002 RJCT): no money left
	Returned = "returned" // the bank sent the money back (camt.054 return)
)

// The states of a failed attempt in the staff queue.
const (
	ReturnOpen   = "open"   // waiting for staff
	ReturnRepay  = "repay"  // account corrected: the next run pays again
	ReturnRepaid = "repaid" // paid again by a run
)

// Return is one failed attempt of a payment.
type Return struct {
	ID          string
	PaymentID   string
	PersonID    string
	Attempt     int
	RunID       string // the run that sent the failed attempt
	EndToEndID  string // the failed attempt's
	IBAN        string // the account it was sent to
	AmountCents int64
	Outcome     string // Rejected or Returned
	ReasonCode  string // the bank's ISO reason code, e.g. AC04
	Source      string // "pain.002 <MsgId>" or "camt.054 <MsgId>"
	State       string
	NewIBAN     string
	RepaidRunID string
	CreatedAt   time.Time
	ResolvedAt  time.Time
	ResolvedBy  string
	// Read with the queue: the payment's benefit, period and pay day.
	Kind    string
	Period  string
	PayDate civil.Date
}

// ReasonKey is the translation key of the return's reason code: a known
// ISO code has its own text, any other the general one.
func (r Return) ReasonKey() string { return ReasonKey(r.ReasonCode) }

// PeriodKind and PeriodText of the returned payment's period.
func (r Return) PeriodKind() string { return PeriodKind(r.Period) }
func (r Return) PeriodText() string { return PeriodText(r.Period) }

// ReasonCodes are the ISO external status reason codes with a text of
// their own (internal/i18n/locales/payment_returns.*.json).
var ReasonCodes = []string{"AC01", "AC04", "AC06", "AG01", "AM04", "AM05", "BE04", "MD07", "MS02", "MS03", "RC01", "RR04"}

// ReasonKey is the translation key of an ISO reason code.
func ReasonKey(code string) string {
	if slices.Contains(ReasonCodes, code) {
		return "payment.returns.reason." + code
	}
	return "payment.returns.reason.other"
}

// Attempt is a payment's current attempt as the returns read and lock it.
type Attempt struct {
	PaymentID   string
	PersonID    string
	BenefitID   string
	RunID       string
	EndToEndID  string
	IBAN        string
	AmountCents int64
	Status      string
	Attempt     int
}

// ReturnsRepo is the storage of the returns' reads.
type ReturnsRepo interface {
	// Returns lists the failed attempts in the states given, oldest first.
	Returns(ctx context.Context, states []string, limit int) ([]Return, error)
	// ReturnsOf lists the customer's failed attempts, newest first.
	ReturnsOf(ctx context.Context, personID string) ([]Return, error)
}

// ReturnsTx is the storage of the returns' writes, in one transaction.
type ReturnsTx interface {
	// RunByMessageID is the run whose file carried the message ID.
	RunByMessageID(ctx context.Context, messageID string) (Run, error)
	// AttemptsForUpdate locks the current attempts of the run: those with
	// the end-to-end IDs, or all when e2es is nil, in payment ID order.
	AttemptsForUpdate(ctx context.Context, runID string, e2es []string) ([]Attempt, error)
	// AttemptByEndToEndForUpdate locks the current attempt with the
	// end-to-end ID, of any run.
	AttemptByEndToEndForUpdate(ctx context.Context, e2e string) (Attempt, error)
	// ReturnsByEndToEnd are the failed attempts recorded with these
	// end-to-end IDs, by ID.
	ReturnsByEndToEnd(ctx context.Context, e2es []string) (map[string]Return, error)
	// MarkFailed sets the payment's status to the return's outcome and
	// stores the return, giving it an ID.
	MarkFailed(ctx context.Context, r *Return) error
	// ReturnForUpdate locks one failed attempt.
	ReturnForUpdate(ctx context.Context, id string) (Return, error)
	// OrderRepay stores the return's new state and account, and pays the
	// person's benefit — and their other benefits paid to the failed
	// account — to the new account from now on.
	OrderRepay(ctx context.Context, r *Return, benefitID string) error
	// ReturnsToRepay lists the failed attempts ordered paid again, with the
	// payment's benefit.
	ReturnsToRepay(ctx context.Context) ([]Return, error)
	// Repay records the payment's next attempt in the run, to the new
	// account with a new end-to-end ID, and marks the return repaid; false
	// when the payment or the return moved on meanwhile.
	Repay(ctx context.Context, r *Return, runID string, payDate civil.Date) (bool, error)
}

// The reasons a status report or a return is refused (i18n keys).
const (
	ErrStatusFile      = "payment.returns.error.file"
	ErrUnknownMessage  = "payment.returns.error.unknown_message"
	ErrNotPain001      = "payment.returns.error.not_pain001"
	ErrUnknownBlock    = "payment.returns.error.unknown_block"
	ErrUnknownPayment  = "payment.returns.error.unknown_payment"
	ErrNotSent         = "payment.returns.error.not_sent"
	ErrReturnNotOpen   = "payment.returns.error.not_open"
	ErrReturnIBAN      = "payment.returns.error.iban"
	ErrReturnNotDebtor = "payment.returns.error.account"
)

// StatusImport is what importing a status report did.
type StatusImport struct {
	MessageID         string // the report's
	OriginalMessageID string // the run's pain.001
	RunNumber         int64
	GroupStatus       string
	Rejected          int // payments marked rejected now
	AlreadyKnown      int // rejections recorded before (the same report again)
	Other             int // payments the report gives another status
}

// Counts are the import's numbers, as its message names them
// (payment.returns.imported_report).
func (r StatusImport) Counts() map[string]any {
	return map[string]any{"Message": r.MessageID, "Run": r.RunNumber, "Rejected": r.Rejected, "Known": r.AlreadyKnown, "Other": r.Other}
}

// fileError turns a reader's error into a translated refusal naming the
// line, the entry and the element.
func fileError(err error) error {
	if ie, ok := err.(*iso20022.Error); ok {
		return &fault.Error{Kind: fault.Invalid, Key: ErrStatusFile,
			Data: map[string]any{"Line": ie.Line, "ID": ie.ID, "Field": ie.Field, "Reason": string(ie.Reason)}, Err: err}
	}
	return err
}

// ImportStatusReport reads a pain.002.001.03 status report and marks each
// payment it rejects as rejected, with the reason, in the staff queue. The
// report must answer one of our runs (OrgnlMsgId), name only that run's
// payment information block and payments (OrgnlEndToEndId): otherwise, or
// when the file is malformed, nothing is written. A group or block status
// RJCT rejects every payment of the run. The same report imported again,
// even at the same time, changes nothing.
func (s *Service) ImportStatusReport(ctx context.Context, a access.Actor, r io.Reader) (StatusImport, error) {
	var out StatusImport
	if err := s.runner(a); err != nil {
		return out, err
	}
	rep, err := iso20022.ReadPain002(r)
	if err != nil {
		return out, fileError(err)
	}
	out.MessageID, out.OriginalMessageID, out.GroupStatus = rep.MessageID, rep.OriginalMessageID, rep.GroupStatus
	if !strings.HasPrefix(rep.OriginalMessageName, "pain.001") {
		return out, fault.InvalidField("file", ErrNotPain001, map[string]any{"Name": rep.OriginalMessageName})
	}
	// What the report rejects: every payment (nil list) or these, each
	// with its reason.
	all, allReason := rep.GroupStatus == iso20022.StatusRejected, iso20022.FirstReason(rep.GroupReasons)
	reasons := map[string]string{}
	var e2es []string
	for _, p := range rep.PaymentInfos {
		if p.Status == iso20022.StatusRejected && !all {
			all, allReason = true, firstOf(iso20022.FirstReason(p.Reasons), allReason)
		}
		for _, t := range p.Transactions {
			if t.Status == iso20022.StatusRejected {
				reasons[t.OriginalEndToEndID] = firstOf(iso20022.FirstReason(t.Reasons), iso20022.FirstReason(p.Reasons), allReason)
			} else {
				out.Other++
			}
			e2es = append(e2es, t.OriginalEndToEndID)
		}
	}
	source := "pain.002 " + rep.MessageID
	err = s.repo.InTx(ctx, func(tx Tx) error {
		o := out
		run, err := tx.RunByMessageID(ctx, rep.OriginalMessageID)
		if fault.Is(err, fault.NotFound) {
			return fault.InvalidField("file", ErrUnknownMessage, map[string]any{"ID": rep.OriginalMessageID})
		}
		if err != nil {
			return err
		}
		if run.Status != RunPublished {
			return fault.InvalidField("file", ErrNotSent, map[string]any{"ID": rep.OriginalMessageID})
		}
		o.RunNumber = run.Number
		for _, p := range rep.PaymentInfos {
			if p.OriginalPaymentInfoID != paymentInfoID(run) {
				return fault.InvalidField("file", ErrUnknownBlock, map[string]any{"ID": p.OriginalPaymentInfoID, "Line": p.Line})
			}
		}
		// Every payment the report names must be the run's: sent in it now,
		// or failed in it before and recorded.
		var lock []string
		if !all {
			lock = e2es
			if lock == nil {
				lock = []string{}
			}
		}
		cur, err := tx.AttemptsForUpdate(ctx, run.ID, lock)
		if err != nil {
			return err
		}
		emp, err := tx.EmployerPaymentsForUpdate(ctx, run.ID, lock)
		if err != nil {
			return err
		}
		known, err := tx.ReturnsByEndToEnd(ctx, e2es)
		if err != nil {
			return err
		}
		byE2E := make(map[string]bool, len(cur))
		for _, at := range cur {
			byE2E[at.EndToEndID] = true
		}
		for _, ep := range emp {
			byE2E[ep.EndToEndID] = true
		}
		for _, id := range e2es {
			if k, ok := known[id]; ok && k.RunID == run.ID {
				continue
			}
			if !byE2E[id] {
				return fault.InvalidField("file", ErrUnknownPayment, map[string]any{"ID": id})
			}
		}
		for _, at := range cur {
			reason, rejected := reasons[at.EndToEndID]
			if all {
				reason, rejected = firstOf(reason, allReason), true
			}
			if !rejected {
				continue
			}
			if _, ok := known[at.EndToEndID]; ok || at.Status == Rejected || at.Status == Returned {
				o.AlreadyKnown++
				continue
			}
			if at.Status != Sent {
				return fault.InvalidField("file", ErrNotSent, map[string]any{"ID": at.EndToEndID})
			}
			if err := s.markFailed(ctx, tx, newReturn(at, Rejected, reason, source)); err != nil {
				return err
			}
			o.Rejected++
		}
		// Employers' reimbursements in the run (employer.go).
		for _, ep := range emp {
			reason, rejected := reasons[ep.EndToEndID]
			if all {
				reason, rejected = firstOf(reason, allReason), true
			}
			switch {
			case !rejected:
				continue
			case ep.Status == Rejected || ep.Status == Returned:
				o.AlreadyKnown++
				continue
			case ep.Status != Sent:
				return fault.InvalidField("file", ErrNotSent, map[string]any{"ID": ep.EndToEndID})
			}
			if err := s.markEmployerFailed(ctx, tx, ep, Rejected, reason, source); err != nil {
				return err
			}
			o.Rejected++
		}
		for id := range reasons {
			if k, ok := known[id]; ok && !byE2E[id] && k.RunID == run.ID {
				o.AlreadyKnown++ // failed before and paid again since
			}
		}
		out = o
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.status_report",
			Object: "payment_run:" + run.ID,
			Detail: fmt.Sprintf("%s: group %s, %d rejected, %d known before, %d other", source, firstOf(rep.GroupStatus, "-"), o.Rejected, o.AlreadyKnown, o.Other)})
	})
	return out, err
}

// paymentInfoID is the PmtInfId of the run's one payment information
// block (writeFile).
func paymentInfoID(r Run) string { return r.MessageID + "-1" }

// markFailed records the failed attempt and tells the customer, in tx:
// a return is recorded once (its end-to-end ID is unique), and so told
// once.
func (s *Service) markFailed(ctx context.Context, tx Tx, r *Return) error {
	if err := tx.MarkFailed(ctx, r); err != nil {
		return err
	}
	p, err := tx.PaymentForNotice(ctx, r.PaymentID)
	if err != nil {
		return err
	}
	return s.tellReturn(ctx, tx, r, p.Kind, p.Period, p.PayDate)
}

func newReturn(at Attempt, outcome, reason, source string) *Return {
	return &Return{PaymentID: at.PaymentID, PersonID: at.PersonID, Attempt: at.Attempt, RunID: at.RunID,
		EndToEndID: at.EndToEndID, IBAN: at.IBAN, AmountCents: at.AmountCents, Outcome: outcome,
		ReasonCode: firstOf(reason, "NARR"), Source: source, State: ReturnOpen}
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ReturnQueue lists the rejected and returned payments waiting for staff
// or ordered paid again, oldest first. The read is audited.
func (s *Service) ReturnQueue(ctx context.Context, a access.Actor, limit int) ([]Return, error) {
	if err := s.runner(a); err != nil {
		return nil, err
	}
	rs, err := s.repo.Returns(ctx, []string{ReturnOpen, ReturnRepay}, limit)
	if err != nil {
		return nil, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.returns_viewed",
			Object: "payment_returns", Detail: fmt.Sprintf("%d listed", len(rs))})
	})
	return rs, err
}

// OrderRepay records the corrected account for the person of a rejected or
// returned payment and makes the payment due again: the next run pays it
// once, to that account. Only an open return can be ordered paid again.
func (s *Service) OrderRepay(ctx context.Context, a access.Actor, returnID, account string) (Return, error) {
	var r Return
	if err := s.runner(a); err != nil {
		return r, err
	}
	acct, err := iban.Parse(account)
	if err != nil {
		return r, fault.InvalidField("iban", ErrReturnIBAN, nil)
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		// The order ChangeAccount keeps: the runs' lock, the customer, the
		// return, its payment.
		if err := tx.LockRuns(ctx); err != nil {
			return err
		}
		owner, err := tx.ReturnOwner(ctx, returnID)
		if err != nil {
			return err
		}
		if _, _, err := tx.AccountsForUpdate(ctx, owner); err != nil {
			return err
		}
		cur, err := tx.ReturnForUpdate(ctx, returnID)
		if err != nil {
			return err
		}
		if cur.State != ReturnOpen {
			return fault.New(fault.Conflict, ErrReturnNotOpen)
		}
		if err := s.settle(ctx, tx, a, &cur, acct.String()); err != nil {
			return err
		}
		r = cur
		return nil
	})
	return r, err
}

// recordRepayments pays again, in the run, every failed attempt ordered
// paid again: the payment's next attempt, to the corrected account.
func (s *Service) recordRepayments(ctx context.Context, tx Tx, r *Run, payDate civil.Date, refused *[]Refusal) (int, error) {
	rs, err := tx.ReturnsToRepay(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rs {
		ret := &rs[i]
		if reason := Check(ret.NewIBAN, ret.AmountCents); reason != "" {
			*refused = append(*refused, Refusal{Period: ret.Period, Reason: reason})
			continue
		}
		ok, err := tx.Repay(ctx, ret, r.ID, payDate)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// ReturnsImport is what importing the bank's returns did.
type ReturnsImport struct {
	MessageID    string
	Returned     int      // payments marked returned now
	AlreadyKnown int      // returns recorded before (the same file again)
	Unknown      []string // end-to-end IDs of returns that are not our payments (or not of their amount)
	Other        int      // entries that are no return
}

// Counts are the import's numbers, as its message names them
// (payment.returns.imported_returns).
func (r ReturnsImport) Counts() map[string]any {
	return map[string]any{"Message": r.MessageID, "Returned": r.Returned, "Known": r.AlreadyKnown, "Unknown": len(r.Unknown), "Other": r.Other}
}

// mayTakeReturns: the payment run's staff and the system, or whoever may
// import the bank's statements (a return can come in a statement staff
// import for the recovery account).
func (s *Service) mayTakeReturns(a access.Actor) error {
	if err := s.runner(a); err == nil {
		return nil
	}
	return s.cfg.Access.Check(a, access.RecoveryImportBank)
}

// TakeReturns records each transaction that returns one of our sent
// payments (by its end-to-end ID and amount) as returned, with the bank's
// reason, once: the same return again records nothing. It answers the
// end-to-end IDs that are ours (returned now or before); the rest are the
// caller's. recovery.Service.ImportStatement hands the returns in the
// statements it imports here (recovery.PaymentReturns).
func (s *Service) TakeReturns(ctx context.Context, a access.Actor, source string, ts []iso20022.Transaction) (map[string]bool, ReturnsImport, error) {
	var out ReturnsImport
	taken := map[string]bool{}
	if err := s.mayTakeReturns(a); err != nil {
		return nil, out, err
	}
	if len(ts) == 0 {
		return taken, out, nil
	}
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(x, y iso20022.Transaction) int { return strings.Compare(x.EndToEndID, y.EndToEndID) })
	e2es := make([]string, len(ts))
	for i, t := range ts {
		e2es[i] = t.EndToEndID
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		o, got := ReturnsImport{MessageID: out.MessageID}, map[string]bool{}
		known, err := tx.ReturnsByEndToEnd(ctx, e2es)
		if err != nil {
			return err
		}
		// Benefit payments first, then employers' (in the order the status
		// reports lock them).
		var employers []iso20022.Transaction
		for _, t := range ts {
			if k, ok := known[t.EndToEndID]; ok && k.AmountCents == t.AmountCents {
				o.AlreadyKnown++
				got[t.EndToEndID] = true
				continue
			}
			at, err := tx.AttemptByEndToEndForUpdate(ctx, t.EndToEndID)
			if fault.Is(err, fault.NotFound) {
				employers = append(employers, t)
				continue
			}
			if err == nil && (at.Status != Sent || at.AmountCents != t.AmountCents || got[t.EndToEndID]) {
				o.Unknown = append(o.Unknown, t.EndToEndID)
				continue
			}
			if err != nil {
				return err
			}
			if err := s.markFailed(ctx, tx, newReturn(at, Returned, t.ReturnReason, source)); err != nil {
				return err
			}
			o.Returned++
			got[t.EndToEndID] = true
		}
		for _, t := range employers {
			ep, err := tx.EmployerPaymentByEndToEndForUpdate(ctx, t.EndToEndID)
			switch {
			case fault.Is(err, fault.NotFound) || err == nil && (ep.AmountCents != t.AmountCents || got[t.EndToEndID]):
				o.Unknown = append(o.Unknown, t.EndToEndID)
				continue
			case err != nil:
				return err
			case ep.Status == Returned:
				o.AlreadyKnown++
				got[t.EndToEndID] = true
				continue
			case ep.Status != Sent:
				o.Unknown = append(o.Unknown, t.EndToEndID)
				continue
			}
			if err := s.markEmployerFailed(ctx, tx, ep, Returned, t.ReturnReason, source); err != nil {
				return err
			}
			o.Returned++
			got[t.EndToEndID] = true
		}
		out, taken = o, got
		if o.Returned == 0 {
			return nil
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.returned",
			Object: "payment_returns", Detail: fmt.Sprintf("%s: %d returned, %d known before, %d not ours", source, o.Returned, o.AlreadyKnown, len(o.Unknown))})
	})
	return taken, out, err
}

// TakeReturnsOf is TakeReturns as recovery.PaymentReturns: the returns
// in a statement imported for the recovery account.
func (s *Service) TakeReturnsOf(ctx context.Context, a access.Actor, source string, ts []iso20022.Transaction) (map[string]bool, error) {
	taken, _, err := s.TakeReturns(ctx, a, source, ts)
	return taken, err
}

// ImportReturns reads a camt.054 (or camt.053) of the account benefits are
// paid from and records the returns of our payments in it (TakeReturns).
// The whole file is read first: a malformed file, or one of another
// account, writes nothing. Returns that are not our payments are listed in
// the answer, not written.
func (s *Service) ImportReturns(ctx context.Context, a access.Actor, r io.Reader) (ReturnsImport, error) {
	var out ReturnsImport
	if err := s.mayTakeReturns(a); err != nil {
		return out, err
	}
	rd, err := iso20022.NewReader(r)
	if err != nil {
		return out, fileError(err)
	}
	var ts []iso20022.Transaction
	other := 0
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, fileError(err)
		}
		if acct, err := iban.Parse(e.AccountIBAN); err != nil || acct != s.cfg.Debtor.IBAN {
			return out, fault.InvalidField("file", ErrReturnNotDebtor, map[string]any{"Line": e.Line})
		}
		for i := range e.Transactions {
			if iso20022.IsReturn(&e, &e.Transactions[i]) {
				ts = append(ts, e.Transactions[i])
			} else {
				other++
			}
		}
		if len(e.Transactions) == 0 {
			other++
		}
	}
	_, out, err = s.TakeReturns(ctx, a, "camt.054 "+rd.Header().MessageID, ts)
	out.MessageID, out.Other = rd.Header().MessageID, other
	return out, err
}
