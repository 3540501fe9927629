package recovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
)

// Bank entry statuses and the reasons an entry is not booked.
const (
	EntryBooked  = "booked"
	EntryQueued  = "queued"  // for staff: a credit we could not book by itself
	EntryRefused = "refused" // not a payment to book at all (debits, unbooked)

	ReasonDebit        = "bank.reason.debit"
	ReasonNotBooked    = "bank.reason.not_booked"
	ReasonReversal     = "bank.reason.reversal"
	ReasonDuplicate    = "bank.reason.duplicate"
	ReasonNoReference  = "bank.reason.no_reference"
	ReasonBadReference = "bank.reason.bad_reference"
	ReasonUnknownRef   = "bank.reason.unknown_reference"
	ReasonClaimClosed  = "bank.reason.claim_closed"
	ReasonOverBalance  = "bank.reason.over_balance"

	reportLinesInMemory = 1000
)

// EntryReasons lists every reason an entry is not booked (each a
// translated text).
var EntryReasons = []string{ReasonDebit, ReasonNotBooked, ReasonReversal, ReasonDuplicate, ReasonNoReference,
	ReasonBadReference, ReasonUnknownRef, ReasonClaimClosed, ReasonOverBalance}

// StatementFile describes a bank statement file to import.
type StatementFile struct {
	Name string
	// SHA256 is the file's hash when the caller has it; empty, the import
	// hashes the file as it reads it.
	SHA256 string
}

// BankFileRecord is an imported file as stored.
type BankFileRecord struct {
	ID         string
	SHA256     string
	Name       string
	Message    string
	MessageID  string
	ImportedBy string
	Report     BankReport
}

// BankEntry is one bank transaction as stored: booked to a claim, queued
// for staff, or refused, with the reason.
type BankEntry struct {
	FileID      string
	Line        int
	EntryIndex  int
	ArchiveID   string // the bank's archive ID; empty when the bank gave none
	AmountCents int64
	Reference   string
	ValueDate   civil.Date
	Status      string
	Reason      string
	ClaimID     string
	PersonID    string
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

// ImportStatement reads a camt.054 or camt.053 file and books each credit
// to the claim its reference names, in one transaction: a file that breaks
// part-way, names an account not ours, or meets a database error books
// nothing, and the same file imported twice is refused. Each claim is
// locked before it is booked to, so a payment never meets a concurrent
// decision or collection on the same claim. Entries that cannot be booked
// on their own go to the staff queue with the reason. Interest is accrued
// to the payment's value date under the configured rules first.
func (s *Service) ImportStatement(ctx context.Context, a access.Actor, f StatementFile, r io.Reader) (BankReport, error) {
	var rep BankReport
	if err := s.mayImport(a); err != nil {
		return rep, err
	}
	if f.SHA256 != "" {
		// Refused before the write transaction, so a file sent again
		// holds no lock.
		if done, err := s.repo.BankFileImported(ctx, f.SHA256); err != nil {
			return rep, err
		} else if done {
			return rep, fault.New(fault.Conflict, "bank.error.already_imported")
		}
	}
	err := s.repo.InTxOnce(ctx, func(tx Tx) error {
		rep = BankReport{}
		// Without a hash from the caller, the file is hashed as it is read,
		// so a big file is read once; a duplicate shows at the end.
		var h hash.Hash
		src := r
		if f.SHA256 == "" {
			h = sha256.New()
			src = io.TeeReader(r, h)
		}
		rd, err := iso20022.NewReader(src)
		if err != nil {
			return bankErr(err)
		}
		hd := rd.Header()
		file := &BankFileRecord{SHA256: f.SHA256, Name: f.Name, Message: string(hd.Message), MessageID: hd.MessageID, ImportedBy: a.ID}
		if err := tx.StartBankFile(ctx, file); err != nil {
			return err
		}
		rep.FileID = file.ID
		b := booker{s: s, tx: tx, fileID: file.ID, rep: &rep}
		// Parsing runs ahead on another core while this one books.
		entries, stop := readAhead(rd)
		defer stop()
		for item := range entries {
			if item.err != nil {
				return bankErr(item.err)
			}
			e := item.entry
			if acct, err := iban.Parse(e.AccountIBAN); err != nil || acct != s.cfg.Creditor {
				return &fault.Error{Kind: fault.Invalid, Key: "bank.error.account",
					Data: map[string]any{"Line": e.Line, "Entry": e.Index}, Err: fmt.Errorf("account %q is not ours", e.AccountIBAN)}
			}
			if err := b.entry(ctx, e); err != nil {
				return err
			}
		}
		if h != nil {
			if _, err := io.Copy(io.Discard, src); err != nil {
				return err
			}
			file.SHA256 = hex.EncodeToString(h.Sum(nil))
		}
		file.Report = rep
		if err := tx.FinishBankFile(ctx, file); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "bank.import",
			Object: "bank_file:" + file.ID,
			Detail: fmt.Sprintf("booked=%d queued=%d refused=%d", rep.Booked, rep.Queued, rep.Refused)})
	})
	return rep, err
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

// booker books the entries of one file in its transaction.
type booker struct {
	s      *Service
	tx     Tx
	fileID string
	rep    *BankReport
}

func (b *booker) entry(ctx context.Context, e iso20022.Entry) error {
	txs := e.Transactions
	if len(txs) == 0 {
		txs = []iso20022.Transaction{{AmountCents: e.AmountCents, AcctSvcrRef: e.AcctSvcrRef}}
	}
	day, err := civil.ParseISO(e.ValueDate)
	if err != nil {
		if day, err = civil.ParseISO(e.BookingDate); err != nil {
			day = civil.Of(b.tx.Now())
		}
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
		if err := b.book(ctx, e, t, day, line); err != nil {
			return err
		}
	}
	return nil
}

// classify says why an entry is not a payment to book by itself, or ""
// when it may be booked to the claim its reference names.
func classify(e iso20022.Entry, t iso20022.Transaction) (status, reason string) {
	switch {
	case e.CreditDebit == iso20022.Debit:
		return EntryRefused, ReasonDebit
	case e.Status != iso20022.StatusBooked:
		return EntryRefused, ReasonNotBooked
	case e.Reversal:
		return EntryQueued, ReasonReversal
	case t.Reference == "":
		return EntryQueued, ReasonNoReference
	}
	return "", ""
}

// book decides one payment and records it: booked to its claim (locked
// first, its interest accrued to the value date so the payment meets the
// interest of its day) or not, with the reason. A database error fails
// the import; only a reference no claim has is "unknown".
func (b *booker) book(ctx context.Context, e iso20022.Entry, t iso20022.Transaction, day civil.Date, line ReportLine) error {
	status, reason := classify(e, t)
	var c *Claim
	var accrued Event
	if status == "" {
		ref, err := viite.ParseAny(t.Reference)
		if err != nil {
			status, reason = EntryQueued, ReasonBadReference
		} else {
			claim, err := b.tx.ClaimByReferenceForUpdate(ctx, ref)
			switch {
			case fault.Is(err, fault.NotFound):
				status, reason = EntryQueued, ReasonUnknownRef
			case err != nil:
				return fmt.Errorf("line %d: claim by reference: %w", e.Line, err)
			case !claim.Status.Collecting() && claim.Status != Enforcement:
				c, status, reason = &claim, EntryQueued, ReasonClaimClosed
			default:
				c = &claim
				accrued, _ = c.AccrueInterest(day, b.s.cfg.Rules)
				if t.AmountCents > c.Balance() {
					status, reason = EntryQueued, ReasonOverBalance
				} else {
					status = EntryBooked
				}
			}
		}
	}
	row := &BankEntry{FileID: b.fileID, Line: e.Line, EntryIndex: e.Index, ArchiveID: line.ArchiveID, AmountCents: line.AmountCents,
		Reference: line.Reference, ValueDate: day, Status: status, Reason: reason}
	if c != nil {
		row.ClaimID, row.PersonID = c.ID, c.PersonID
	}
	fresh, err := b.tx.RecordBankEntry(ctx, row)
	if err != nil {
		return err
	}
	if !fresh {
		// The bank sent this payment before, in another file.
		row.ArchiveID, row.Status, row.Reason = "", EntryQueued, ReasonDuplicate
		if _, err := b.tx.RecordBankEntry(ctx, row); err != nil {
			return err
		}
	}
	rep := b.rep
	if row.Status != EntryBooked {
		if row.Status == EntryQueued {
			rep.Queued++
		} else {
			rep.Refused++
		}
		line.Status, line.Reason = row.Status, row.Reason
		if len(rep.Lines) < reportLinesInMemory {
			rep.Lines = append(rep.Lines, line)
		}
		return nil
	}
	ev, _ := c.ApplyPayment(day, line.AmountCents)
	if err := b.tx.SaveClaim(ctx, c); err != nil {
		return err
	}
	for _, x := range []Event{accrued, ev} {
		if x.Kind == "" {
			continue
		}
		if err := b.tx.AddEvent(ctx, c, x); err != nil {
			return err
		}
	}
	rep.Booked++
	rep.BookedCents += line.AmountCents
	return nil
}
