package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
)

// The payment account: the account a customer's benefits are paid to.
// The customer sees it and changes it in the e-service; the change applies
// to every payment not yet recorded in a run (a run and a change take the
// runs' lock in that order, so a run pays the old account or the new one,
// never some of each), settles any rejected or returned payment waiting
// for a new account (as OrderRepay does for staff), is kept in the
// account's history with who changed it, and is told to the customer by
// their notification channel — the protection against someone else
// changing it.

// MaxHolder is the longest account holder's name a bank file carries
// (pain.001 Nm, Max70Text).
const MaxHolder = 70

// The reasons an account change is refused (i18n keys).
const (
	ErrAccountIBAN    = "payment.account.error.iban"
	ErrAccountSEPA    = "payment.account.error.sepa"
	ErrAccountHolder  = "payment.account.error.holder"
	ErrAccountSame    = "payment.account.error.same"
	ErrAccountNone    = "payment.account.error.no_benefits"
	ErrAccountConfirm = "payment.account.error.changed_meanwhile"
)

// AccountChange is one change of a customer's payment account, as the
// account's history keeps it.
type AccountChange struct {
	ID       string
	PersonID string
	// Old lists the accounts the benefits were paid to before (usually
	// one), New the account they are paid to from AppliesFrom on.
	Old         []string
	New         string
	Holder      string
	AppliesFrom civil.Date
	// ChangedBy is who changed it ("customer:<id>", "staff:<id>").
	ChangedBy string
	// Settled is how many rejected or returned payments the change
	// ordered paid again to the new account.
	Settled   int
	CreatedAt time.Time
}

// ByKind is who changed the account: "customer" or "staff".
func (c AccountChange) ByKind() string {
	if strings.HasPrefix(c.ChangedBy, "customer:") {
		return "customer"
	}
	return "staff"
}

// MaskedOld and MaskedNew are the accounts as pages and notices show them.
func (c AccountChange) MaskedOld() string { return maskAll(c.Old) }
func (c AccountChange) MaskedNew() string { return MaskIBAN(c.New) }

func maskAll(ibans []string) string {
	out := make([]string, len(ibans))
	for i, a := range ibans {
		out[i] = MaskIBAN(a)
	}
	return strings.Join(out, ", ")
}

// Account is a customer's payment account as they see it.
type Account struct {
	// IBANs are the accounts the customer's benefits are paid to now (one
	// unless staff set different ones), Holder the name last given (the
	// customer's own before they gave one).
	IBANs  []string
	Holder string
	// History is the account's changes, newest first.
	History []AccountChange
	// Waiting are the customer's payments rejected or returned and not yet
	// ordered paid again: a change pays them to the new account.
	Waiting []Return
	// AppliesFrom is the first pay day a change made now applies to.
	AppliesFrom civil.Date
}

// Masked is the current accounts as the page shows them.
func (a Account) Masked() string { return maskAll(a.IBANs) }

// AccountInput is a change as the customer gives it.
type AccountInput struct {
	IBAN   string
	Holder string
}

// ValidAccount checks a change as the customer typed it and returns the
// account in electronic form and the holder trimmed: an IBAN that is not
// valid, or of a country outside SEPA, and an empty or over-long holder's
// name are refused with field messages ("iban", "holder").
func ValidAccount(in AccountInput) (iban.IBAN, string, error) {
	var errs []error
	acct, err := iban.Parse(in.IBAN)
	switch {
	case errors.Is(err, iban.ErrCountry):
		errs = append(errs, fault.InvalidField("iban", ErrAccountSEPA, map[string]any{"Country": strings.ToUpper(firstN(strings.TrimSpace(in.IBAN), 2))}))
	case err != nil:
		errs = append(errs, fault.InvalidField("iban", ErrAccountIBAN, nil))
	}
	holder := strings.Join(strings.Fields(in.Holder), " ")
	if holder == "" || utf8.RuneCountInString(holder) > MaxHolder || strings.ContainsFunc(holder, unicode.IsControl) {
		errs = append(errs, fault.InvalidField("holder", ErrAccountHolder, map[string]any{"Max": MaxHolder}))
	}
	return acct, holder, errors.Join(errs...)
}

func firstN(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// MaskIBAN shows only an account's country and its last four characters,
// FI** **** **** **34 56 as FI•• … 3456: enough for the customer to know
// it, too little to be of use to anyone else.
func MaskIBAN(s string) string {
	a := strings.ReplaceAll(strings.ToUpper(s), " ", "")
	if len(a) < 8 {
		return strings.Repeat("•", len(a))
	}
	return a[:2] + "•• … " + a[len(a)-4:]
}

// AccountAppliesFrom is the first pay day a change made today applies
// to: today when it is a banking day and no run has recorded it yet, else
// the next banking day after the latest run's pay day. Payments recorded
// in a run before the change keep the account they were recorded with.
func AccountAppliesFrom(today, lastRun civil.Date) civil.Date {
	from := bankday.NextOrSame(today)
	if !lastRun.IsZero() && !lastRun.Before(from) {
		from = bankday.Next(lastRun)
	}
	return from
}

// AccountRepo is the reads of the payment account (Repo embeds it).
type AccountRepo interface {
	// AccountChangesOf lists the customer's account changes, newest first.
	AccountChangesOf(ctx context.Context, personID string) ([]AccountChange, error)
	// LastRunPayDate is the latest pay day of any run (zero when none).
	LastRunPayDate(ctx context.Context) (civil.Date, error)
	// PersonName is the customer's own name, the holder's name the form
	// offers before they gave one.
	PersonName(ctx context.Context, personID string) (string, error)
}

// AccountTx is the writes of the payment account (Tx embeds it).
type AccountTx interface {
	// AccountsForUpdate locks the customer and their benefits and lists
	// the distinct accounts the benefits are paid to, sorted, with the
	// holder's name last given (the customer's own name when none).
	AccountsForUpdate(ctx context.Context, personID string) ([]string, string, error)
	// ReturnOwner is the customer of a failed attempt, read without a
	// lock (the customer is locked before their returns).
	ReturnOwner(ctx context.Context, returnID string) (string, error)
	// OpenReturnsOfForUpdate locks the customer's failed attempts that
	// wait for a new account, oldest first.
	OpenReturnsOfForUpdate(ctx context.Context, personID string) ([]Return, error)
	// SetAccount pays all the customer's benefits to the account.
	SetAccount(ctx context.Context, personID, account string) error
	// InsertAccountChange stores a change in the history, giving it an ID.
	InsertAccountChange(ctx context.Context, c *AccountChange) error
	// LastRunPayDate is the latest pay day of any run, read under the
	// runs' lock.
	LastRunPayDate(ctx context.Context) (civil.Date, error)
}

// MyAccount is the customer's own payment account, its history and the
// pay day a change now would apply from.
func (s *Service) MyAccount(ctx context.Context, a access.Actor) (Account, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, pid)
}

func (s *Service) account(ctx context.Context, pid string) (Account, error) {
	var out Account
	bs, err := s.repo.BenefitsOf(ctx, pid)
	if err != nil {
		return out, err
	}
	raw := make([]string, len(bs))
	for i, b := range bs {
		raw[i] = b.IBAN
	}
	out.IBANs = accountSet(raw)
	if out.History, err = s.repo.AccountChangesOf(ctx, pid); err != nil {
		return out, err
	}
	if len(out.History) > 0 {
		out.Holder = out.History[0].Holder
	} else if out.Holder, err = s.repo.PersonName(ctx, pid); err != nil {
		return out, err
	}
	rs, err := s.repo.ReturnsOf(ctx, pid)
	if err != nil {
		return out, err
	}
	for _, r := range rs {
		if r.State == ReturnOpen {
			out.Waiting = append(out.Waiting, r)
		}
	}
	last, err := s.repo.LastRunPayDate(ctx)
	if err != nil {
		return out, err
	}
	out.AppliesFrom = AccountAppliesFrom(civil.Today(s.now()), last)
	return out, nil
}

// AccountHistory is a customer's account changes for staff who see
// payments in the 360 view (access.DeskPayments); the desk audits the view.
func (s *Service) AccountHistory(ctx context.Context, a access.Actor, personID string) ([]AccountChange, error) {
	if err := s.cfg.Access.Check(a, access.DeskPayments); err != nil {
		return nil, err
	}
	return s.repo.AccountChangesOf(ctx, personID)
}

// AccountPreview is what a change would do, for the confirmation step:
// the masked old and new accounts and the pay day it applies from.
type AccountPreview struct {
	Input       AccountInput // as normalised: the IBAN grouped, the holder trimmed
	Old         []string
	New         string
	AppliesFrom civil.Date
	Settles     int // rejected or returned payments it would pay again
	// OldToken stands for the old accounts in the confirmation form
	// (AccountsToken), so the form carries no account number.
	OldToken string
}

// accountSet is the distinct accounts, each written as iban.Parse writes
// it (or, if it does not parse, in capitals without spaces), sorted: the
// preview and the change compute AccountsToken from the same form.
func accountSet(ibans []string) []string {
	var out []string
	for _, s := range ibans {
		k := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if x, err := iban.Parse(s); err == nil {
			k = x.String()
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// AccountsToken is a short digest of the accounts, which a confirmation
// hands back to ChangeAccount to say which accounts it confirmed changing.
func AccountsToken(ibans []string) string {
	sum := sha256.Sum256([]byte(strings.Join(ibans, ",")))
	return hex.EncodeToString(sum[:12])
}

// MaskedOld and MaskedNew are the accounts as the confirmation shows them.
func (p AccountPreview) MaskedOld() string { return maskAll(p.Old) }
func (p AccountPreview) MaskedNew() string { return MaskIBAN(p.New) }

// PreviewAccount checks the customer's change and says what it would do;
// it writes nothing.
func (s *Service) PreviewAccount(ctx context.Context, a access.Actor, in AccountInput) (AccountPreview, error) {
	var p AccountPreview
	pid, err := customerOf(a)
	if err != nil {
		return p, err
	}
	acct, holder, err := ValidAccount(in)
	if err != nil {
		return p, err
	}
	cur, err := s.account(ctx, pid)
	if err != nil {
		return p, err
	}
	if len(cur.IBANs) == 0 {
		return p, fault.New(fault.Conflict, ErrAccountNone)
	}
	if len(cur.Waiting) == 0 && len(cur.IBANs) == 1 && cur.IBANs[0] == acct.String() && holder == cur.Holder {
		return p, fault.InvalidField("iban", ErrAccountSame, nil)
	}
	p = AccountPreview{Input: AccountInput{IBAN: acct.Grouped(), Holder: holder}, Old: cur.IBANs, New: acct.String(),
		AppliesFrom: cur.AppliesFrom, Settles: len(cur.Waiting), OldToken: AccountsToken(cur.IBANs)}
	return p, nil
}

// ChangeAccount pays the customer's benefits to the account from the
// first pay day not yet run, in one transaction: it takes the runs' lock
// (so a run in progress finishes with the old account first), locks the
// customer and their waiting returns, settles those returns to the new
// account (paid again by the next run, once), stores the change in the
// history, audits it and tells the customer in their inbox and by their
// notification channel. oldToken is the AccountsToken of the accounts
// the customer confirmed changing from (the confirmation step's; "" checks
// nothing): if they changed meanwhile, nothing is written and
// fault.Conflict is returned.
func (s *Service) ChangeAccount(ctx context.Context, a access.Actor, in AccountInput, oldToken string) (AccountChange, error) {
	var c AccountChange
	pid, err := customerOf(a)
	if err != nil {
		return c, err
	}
	acct, holder, err := ValidAccount(in)
	if err != nil {
		return c, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		c = AccountChange{PersonID: pid, New: acct.String(), Holder: holder, ChangedBy: a.AuditKind() + ":" + a.ID}
		// The order every writer of accounts keeps: the runs' lock, the
		// customer (and benefits), the returns, their payments.
		if err := tx.LockRuns(ctx); err != nil {
			return err
		}
		olds, curHolder, err := tx.AccountsForUpdate(ctx, pid)
		if err != nil {
			return err
		}
		if len(olds) == 0 {
			return fault.New(fault.Conflict, ErrAccountNone)
		}
		olds = accountSet(olds)
		if oldToken != "" && AccountsToken(olds) != oldToken {
			return fault.New(fault.Conflict, ErrAccountConfirm)
		}
		rs, err := tx.OpenReturnsOfForUpdate(ctx, pid)
		if err != nil {
			return err
		}
		if len(rs) == 0 && len(olds) == 1 && olds[0] == c.New && holder == curHolder {
			return fault.InvalidField("iban", ErrAccountSame, nil)
		}
		c.Old = olds
		last, err := tx.LastRunPayDate(ctx)
		if err != nil {
			return err
		}
		c.AppliesFrom = AccountAppliesFrom(civil.Today(tx.Now()), last)
		for i := range rs {
			if err := s.settle(ctx, tx, a, &rs[i], c.New); err != nil {
				return err
			}
			c.Settled++
		}
		if err := tx.SetAccount(ctx, pid, c.New); err != nil {
			return err
		}
		if err := tx.InsertAccountChange(ctx, &c); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, Notice{PersonID: pid, Kind: NoticeAccount, SourceID: c.ID}, func(lang string) (string, string) {
			return s.t(lang, "payment.notice.account.title"),
				s.t(lang, "payment.notice.account.body", "Old", c.MaskedOld(), "New", c.MaskedNew(), "Date", c.AppliesFrom.Finnish(),
					"Changed", civil.Today(tx.Now()).Finnish(), "Settled", c.Settled)
		}, true); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: pid, Action: "payment.account_changed",
			Object: "payment_account:" + c.ID,
			Detail: fmt.Sprintf("to %s from %s, %d returns settled", c.MaskedNew(), c.AppliesFrom, c.Settled)})
	})
	return c, err
}

// settle orders a locked open return paid again to the account: the
// return's state and new account, and the benefit paid to it.
func (s *Service) settle(ctx context.Context, tx Tx, a access.Actor, r *Return, account string) error {
	at, err := tx.AttemptByEndToEndForUpdate(ctx, r.EndToEndID)
	if err != nil {
		return err
	}
	r.State, r.NewIBAN, r.ResolvedBy, r.ResolvedAt = ReturnRepay, account, a.AuditKind()+":"+a.ID, tx.Now()
	if err := tx.OrderRepay(ctx, r, at.BenefitID); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: r.PersonID, Action: "payment.repay_ordered",
		Object: "payment:" + r.PaymentID, Detail: fmt.Sprintf("attempt %d %s %s: account corrected, due again", r.Attempt, r.Outcome, r.ReasonCode)})
}
