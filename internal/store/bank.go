package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime/debug"
	"strconv"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
)

// Bank entry statuses and the reasons an entry is not booked.
const (
	EntryBooked  = "booked"
	EntryQueued  = "queued"  // for staff: a credit we could not book by itself
	EntryRefused = "refused" // not a payment to book at all (debits, unbooked)

	ReasonDebit         = "bank.reason.debit"
	ReasonNotBooked     = "bank.reason.not_booked"
	ReasonReversal      = "bank.reason.reversal"
	ReasonDuplicate     = "bank.reason.duplicate"
	ReasonNoReference   = "bank.reason.no_reference"
	ReasonBadReference  = "bank.reason.bad_reference"
	ReasonUnknownRef    = "bank.reason.unknown_reference"
	ReasonClaimClosed   = "bank.reason.claim_closed"
	ReasonOverBalance   = "bank.reason.over_balance"
	reportLinesInMemory = 1000
)

// BankFile describes a statement file to import.
type BankFile struct {
	Name string
	// SHA256 is the file's hash when the caller has it; empty, the import
	// hashes the file as it reads it.
	SHA256   string
	By       string // who imported it: a staff ID or "cli"
	Creditor iban.IBAN
	// Rules accrue a claim's interest up to a payment's value date before
	// the payment is allocated; nil means the built-in table.
	Rules *recovery.Rules
}

// ReportLine is one entry the import did not book.
type ReportLine struct {
	Line        int
	EntryIndex  int
	EntryRef    string
	ArchiveID   string
	AmountCents int64
	Reference   string
	Status      string
	Reason      string
}

// BankReport is what an import did.
type BankReport struct {
	FileID      string
	Booked      int
	Queued      int
	Refused     int
	BookedCents int64
	Lines       []ReportLine // the first not-booked entries, at most 1,000
}

// ImportBankFile reads a camt.054 or camt.053 file and books each credit
// to the claim its reference names, in one transaction: a file that breaks
// part-way, or names an account not ours, books nothing, and the same file
// imported twice is refused. Entries that cannot be booked on their own go
// to the staff queue with the reason.
func (db *DB) ImportBankFile(ctx context.Context, f BankFile, r io.Reader) (BankReport, error) {
	var rep BankReport
	// Not inTx: a retry would find the reader already consumed.
	err := db.tryTx(ctx, func(tx *Tx) error {
		// Without a hash from the caller, the file is hashed as it is read,
		// so a big file is read once; the duplicate shows at the end.
		var h hash.Hash
		src := r
		if f.SHA256 == "" {
			h = sha256.New()
			src = io.TeeReader(r, h)
		} else {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bank_files WHERE sha256 = $1`, f.SHA256).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fault.New(fault.Conflict, "bank.error.already_imported")
			}
		}
		rd, err := iso20022.NewReader(src)
		if err != nil {
			return bankErr(err)
		}
		h0 := rd.Header()
		rep.FileID = NewID()
		sha := f.SHA256
		if sha == "" {
			sha = "pending:" + rep.FileID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bank_files (id, sha256, name, message, message_id, imported_by, booked, queued, refused, booked_cents, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, $7)`, rep.FileID, sha, f.Name, string(h0.Message), h0.MessageID, f.By, tx.now); err != nil {
			return err
		}
		if f.Rules == nil {
			f.Rules = recovery.DefaultRules()
		}
		b, err := tx.newBooker(ctx, rep.FileID, f.Rules)
		if err != nil {
			return err
		}
		defer b.close()
		// Parsing runs ahead on another core while this one books.
		entries, stop := readAhead(rd)
		defer stop()
		for item := range entries {
			if item.err != nil {
				return bankErr(item.err)
			}
			e := item.entry
			if acct, err := iban.Parse(e.AccountIBAN); err != nil || acct != f.Creditor {
				return &fault.Error{Kind: fault.Invalid, Key: "bank.error.account",
					Data: map[string]any{"Line": e.Line, "Entry": e.Index}, Err: fmt.Errorf("account %q is not ours", e.AccountIBAN)}
			}
			if err := b.entry(ctx, e, &rep); err != nil {
				return err
			}
		}
		if h != nil {
			if _, err := io.Copy(io.Discard, src); err != nil {
				return err
			}
			sha = hex.EncodeToString(h.Sum(nil))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bank_files SET booked = $1, queued = $2, refused = $3, booked_cents = $4, sha256 = $5 WHERE id = $6`,
			rep.Booked, rep.Queued, rep.Refused, rep.BookedCents, sha, rep.FileID); err != nil {
			if tx.db.dialect.uniqueViolation(err) {
				return fault.New(fault.Conflict, "bank.error.already_imported")
			}
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: actorKindOf(f.By), ActorID: f.By, Action: "bank.import",
			Object: "bank_file:" + rep.FileID,
			Detail: fmt.Sprintf("booked=%d queued=%d refused=%d", rep.Booked, rep.Queued, rep.Refused)})
	})
	return rep, db.mapErr(err)
}

func actorKindOf(by string) string {
	if by == "cli" {
		return audit.ActorSystem
	}
	return audit.ActorStaff
}

type readItem struct {
	entry iso20022.Entry
	err   error
}

// readAhead reads entries in a goroutine into a bounded channel, so that
// parsing the XML overlaps with booking. The channel ends after the last
// entry or after the first error, which it delivers; stop ends the reading
// early and waits for it.
func readAhead(rd *iso20022.Reader) (<-chan readItem, func()) {
	out := make(chan readItem, 512)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for {
			e, err := rd.Next()
			if err == io.EOF {
				return
			}
			select {
			case out <- readItem{e, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, func() {
		close(quit)
		for range out {
		}
		<-done
	}
}

// bankErr turns a reader's error into one the user is shown, with the line
// and entry it concerns.
func bankErr(err error) error {
	var ie *iso20022.Error
	if errors.As(err, &ie) {
		return &fault.Error{Kind: fault.Invalid, Key: "bank.error.file",
			Data: map[string]any{"Line": ie.Line, "Entry": ie.EntryIndex, "Reason": string(ie.Reason)}, Err: err}
	}
	return err
}

// booker books entries with statements prepared once per file.
type booker struct {
	tx                        *Tx
	fileID                    string
	rules                     *recovery.Rules
	byRef, update, event, ins *sql.Stmt
}

func (tx *Tx) newBooker(ctx context.Context, fileID string, rules *recovery.Rules) (*booker, error) {
	b := &booker{tx: tx, fileID: fileID, rules: rules}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	b.byRef = prep(`SELECT ` + claimColumns + ` FROM claims WHERE reference = $1`)
	b.update = prep(`UPDATE claims SET paid_fees = $1, paid_interest = $2, paid_principal = $3, status = $4, plan = $5, updated_at = $6,
		interest = $7, interest_to = $8 WHERE id = $9`)
	b.event = prep(`INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`)
	// A payment's archive ID already booked makes the insert do nothing,
	// which is how a duplicate is found without a lookup of its own.
	b.ins = prep(`INSERT INTO bank_entries (id, file_id, line, entry_index, archive_id, amount_cents, reference, value_date, status, reason, claim_id, person_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (archive_id) DO NOTHING`)
	if err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *booker) close() {
	for _, s := range []*sql.Stmt{b.byRef, b.update, b.event, b.ins} {
		if s != nil {
			s.Close()
		}
	}
}

func (b *booker) entry(ctx context.Context, e iso20022.Entry, rep *BankReport) error {
	txs := e.Transactions
	if len(txs) == 0 {
		txs = []iso20022.Transaction{{AmountCents: e.AmountCents, AcctSvcrRef: e.AcctSvcrRef}}
	}
	day := civil.Date{}
	if d, err := civil.ParseISO(e.ValueDate); err == nil {
		day = d
	} else if d, err := civil.ParseISO(e.BookingDate); err == nil {
		day = d
	} else {
		day = civil.Of(b.tx.now)
	}
	for i, t := range txs {
		archive := t.AcctSvcrRef
		if archive == "" {
			archive = e.AcctSvcrRef
		}
		if archive != "" && len(txs) > 1 {
			archive += "#" + strconv.Itoa(i+1)
		}
		line := ReportLine{Line: e.Line, EntryIndex: e.Index, EntryRef: e.EntryRef, ArchiveID: archive, AmountCents: t.AmountCents, Reference: t.Reference}
		status, reason, claim, accrued := b.decide(ctx, e, t, day)
		if err := b.record(ctx, e, day, line, status, reason, claim, accrued, rep); err != nil {
			return err
		}
	}
	return nil
}

// decide finds what to do with one payment: book it to a claim, or why not.
// The claim's interest is accrued up to the value date first (in memory;
// record writes it only when the payment is booked), so that the payment
// meets the interest of its day.
func (b *booker) decide(ctx context.Context, e iso20022.Entry, t iso20022.Transaction, day civil.Date) (status, reason string, c *recovery.Claim, accrued recovery.Event) {
	switch {
	case e.CreditDebit == iso20022.Debit:
		return EntryRefused, ReasonDebit, nil, accrued
	case e.Status != iso20022.StatusBooked:
		return EntryRefused, ReasonNotBooked, nil, accrued
	case e.Reversal:
		return EntryQueued, ReasonReversal, nil, accrued
	}
	if t.Reference == "" {
		return EntryQueued, ReasonNoReference, nil, accrued
	}
	ref, err := viite.ParseAny(t.Reference)
	if err != nil {
		return EntryQueued, ReasonBadReference, nil, accrued
	}
	claim, err := scanClaim(b.byRef.QueryRowContext(ctx, ref.String()))
	if err != nil {
		return EntryQueued, ReasonUnknownRef, nil, accrued
	}
	if !claim.Status.Collecting() && claim.Status != recovery.Enforcement {
		return EntryQueued, ReasonClaimClosed, &claim, accrued
	}
	accrued, _ = claim.AccrueInterest(day, b.rules)
	if t.AmountCents > claim.Balance() {
		return EntryQueued, ReasonOverBalance, &claim, recovery.Event{}
	}
	return EntryBooked, "", &claim, accrued
}

func (b *booker) record(ctx context.Context, e iso20022.Entry, day civil.Date, line ReportLine, status, reason string, c *recovery.Claim, accrued recovery.Event, rep *BankReport) error {
	tx := b.tx
	insert := func(archive any, status, reason string) (bool, error) {
		var claimID, personID any
		if c != nil {
			claimID, personID = c.ID, c.PersonID
		}
		res, err := b.ins.ExecContext(ctx, NewID(), b.fileID, e.Line, e.Index, archive, line.AmountCents, line.Reference, day,
			status, reason, claimID, personID, tx.now)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	var archive any
	if line.ArchiveID != "" {
		archive = line.ArchiveID
	}
	fresh, err := insert(archive, status, reason)
	if err != nil {
		return err
	}
	if !fresh {
		// The bank sent this payment before, in another file.
		status, reason = EntryQueued, ReasonDuplicate
		if _, err := insert(nil, status, reason); err != nil {
			return err
		}
	}
	if status != EntryBooked {
		if status == EntryQueued {
			rep.Queued++
		} else {
			rep.Refused++
		}
		line.Status, line.Reason = status, reason
		if len(rep.Lines) < reportLinesInMemory {
			rep.Lines = append(rep.Lines, line)
		}
		return nil
	}
	ev, _ := c.ApplyPayment(day, line.AmountCents)
	plan, err := planJSON(c.Plan)
	if err != nil {
		return err
	}
	if _, err := b.update.ExecContext(ctx, c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, string(c.Status), plan, tx.now,
		c.Interest, nullDate(c.InterestTo), c.ID); err != nil {
		return err
	}
	for _, x := range []recovery.Event{accrued, ev} {
		if x.Kind == "" {
			continue
		}
		if _, err := b.event.ExecContext(ctx, NewID(), c.ID, c.PersonID, x.On, string(x.Kind), x.Cents,
			x.Parts.Fees, x.Parts.Interest, x.Parts.Principal, x.Note, tx.now); err != nil {
			return err
		}
	}
	rep.Booked++
	rep.BookedCents += line.AmountCents
	return nil
}

// QueuedEntry is a bank entry waiting for staff.
type QueuedEntry struct {
	ID          string
	FileName    string
	Line        int
	AmountCents int64
	Reference   string
	ValueDate   civil.Date
	Reason      string
}

// QueuedEntries is the staff queue of payments not booked by themselves,
// oldest first.
func (db *DB) QueuedEntries(ctx context.Context, limit int) ([]QueuedEntry, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT e.id, f.name, e.line, e.amount_cents, e.reference, e.value_date, e.reason
		FROM bank_entries e JOIN bank_files f ON f.id = e.file_id
		WHERE e.status = $1 ORDER BY e.created_at, e.entry_index LIMIT $2`, EntryQueued, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueuedEntry
	for rows.Next() {
		var q QueuedEntry
		if err := rows.Scan(&q.ID, &q.FileName, &q.Line, &q.AmountCents, &q.Reference, &q.ValueDate, &q.Reason); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// TuneForImport sets the garbage collector for a process that does nothing
// but import a big bank file: collect less often (the XML reader makes a lot
// of short-lived garbage, and the live heap is small), but never let the heap
// pass 256 MiB. It returns a function that restores the settings. Only a
// process of its own (etuus reconcile) should call it: the settings are
// process-wide.
func TuneForImport() (restore func()) {
	gc := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(256 << 20)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}
