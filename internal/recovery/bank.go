package recovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
)

// What became of a bank transaction, and why one is not booked.
const (
	EntryBooked        = "booked"         // paid to the claim its reference names
	EntryQueued        = "queued"         // for staff: a credit etuus could not book by itself
	EntryRefused       = "refused"        // not a payment to book (our own debits, unbooked entries)
	EntryReportedAgain = "reported_again" // the same transaction, reported before
	EntryReversal      = "reversal"       // a reversal applied to the payment it takes back
	EntryReversed      = "reversed"       // a payment the bank took back
	EntryItemised      = "itemised"       // a statement's sum whose payments a notification itemised
	EntrySuperseded    = "superseded"     // reported again with the details it lacked, and dealt with then

	ReasonDebit         = "bank.reason.debit"
	ReasonNotBooked     = "bank.reason.not_booked"
	ReasonReversal      = "bank.reason.reversal" // a reversal whose payment was not found
	ReasonDebitReversal = "bank.reason.debit_reversal"
	ReasonIDReused      = "bank.reason.id_reused"
	ReasonNoReference   = "bank.reason.no_reference"
	ReasonBadReference  = "bank.reason.bad_reference"
	ReasonUnknownRef    = "bank.reason.unknown_reference"
	ReasonClaimClosed   = "bank.reason.claim_closed"
	ReasonOverBalance   = "bank.reason.over_balance"

	reportLinesInMemory = 1000
	// chunkEntries is how many entries one transaction books: small enough
	// that the e-service's writers wait for a chunk, not for a file.
	chunkEntries = 2000
)

// EntryReasons lists every reason an entry is not booked (each a
// translated text).
var EntryReasons = []string{ReasonDebit, ReasonNotBooked, ReasonReversal, ReasonDebitReversal, ReasonIDReused,
	ReasonNoReference, ReasonBadReference, ReasonUnknownRef, ReasonClaimClosed, ReasonOverBalance, ReasonPaymentReturn}

// StatementFile describes a bank statement file to import.
type StatementFile struct {
	Name string
	// SHA256 is the file's hash when the caller has it; empty, the import
	// hashes the file while it checks it.
	SHA256 string
	// DryRun books nothing: the report says what the import would do.
	DryRun bool
	// Progress, when set, is told after each chunk how many of the file's
	// entries are done.
	Progress func(done, total int)
}

// BankFileRecord is an imported file as stored.
type BankFileRecord struct {
	ID         string
	SHA256     string
	Name       string
	Message    string
	MessageID  string
	ImportedBy string
	// Status is "importing" until the last chunk is booked, then "done";
	// Progress is the number of entries booked so far.
	Status   string
	Progress int
	Entries  int
	Report   BankReport
}

// The statuses of a bank file.
const (
	FileImporting = "importing"
	FileDone      = "done"
)

// BankEntry is one bank transaction as stored.
type BankEntry struct {
	ID          string
	FileID      string
	Line        int
	EntryIndex  int
	TxIndex     int
	Account     string
	BookingDate civil.Date
	ArchiveID   string
	// Key is the transaction's identity (account, booking date, archive
	// ID), empty when it has none; BatchKey is that of the entry it came in
	// when the entry's own archive ID is not the transaction's.
	Key          string
	BatchKey     string
	Direction    iso20022.CreditDebit
	Reversal     bool
	AmountCents  int64
	Reference    string // the national reference it names, or what was sent when it names none
	RawReference string // as the bank sent it
	ValueDate    civil.Date
	Status       string
	Reason       string
	ClaimID      string
	PersonID     string
	OriginalID   string // what a repeat, a reused ID or a reversal refers to
	Alloc        Parts  // how a booked payment was allocated
	Resolution   string
}

// HoldsKey says whether the row holds its transaction's identity: every
// transaction the bank booked, once (a repeat, an ID reused by another
// transaction and an entry the bank has not booked hold none).
func (e *BankEntry) HoldsKey() bool {
	return e.Key != "" && e.Status != EntryReportedAgain && e.Reason != ReasonIDReused && e.Reason != ReasonNotBooked
}

// ReportLine is one transaction the import did not book.
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
	FileID        string
	Entries       int // entries in the file
	Booked        int
	Queued        int
	Refused       int
	ReportedAgain int // transactions reported before, and statement sums itemised before
	Reversed      int // payments the bank took back
	BookedCents   int64
	Resumed       bool         // an import cut short was carried on
	DryRun        bool         // nothing was written
	Lines         []ReportLine // the first queued and refused transactions, at most 1,000
}

func (r *BankReport) add(o BankReport) {
	r.Booked += o.Booked
	r.Queued += o.Queued
	r.Refused += o.Refused
	r.ReportedAgain += o.ReportedAgain
	r.Reversed += o.Reversed
	r.BookedCents += o.BookedCents
	for _, l := range o.Lines {
		if len(r.Lines) < reportLinesInMemory {
			r.Lines = append(r.Lines, l)
		}
	}
}

// QueuedEntry is a bank entry waiting for staff, with the file and line it
// came in and, for an archive ID used twice, the first transaction's.
type QueuedEntry struct {
	ID           string
	FileID       string
	FileName     string
	Line         int
	ArchiveID    string
	AmountCents  int64
	Reference    string
	ValueDate    civil.Date
	Reason       string
	OriginalFile string
	OriginalLine int
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// ImportStatement books a camt.054 or camt.053 file's payments to the
// claims their references name. Every bank transaction is known by its
// identity — the account, the booking date and the bank's archive ID — not
// by its place in a file, so any file, or a day's notifications and then
// the statement, can be imported in any order, any number of times, and
// each payment is booked once: a second report is recorded as reported
// again, a statement's sum whose payments a notification itemised is known
// as such, and a reversal takes its payment back off the claim.
//
// The whole file is read and checked first (format, account, hash): a
// malformed file, another account's file or one imported before books
// nothing. Then it is booked in chunks, each one transaction that locks
// the claims it books to (in reference order, so two imports never wait
// for each other in a circle); an import cut short is carried on where it
// stopped by importing the same file again. Interest is accrued to each
// payment's value date under the configured rules first. A database error
// fails the import; only a reference no claim has is "unknown".
func (s *Service) ImportStatement(ctx context.Context, a access.Actor, f StatementFile, r io.ReadSeeker) (BankReport, error) {
	var rep BankReport
	if err := s.mayImport(a); err != nil {
		return rep, err
	}
	hd, entries, sha, err := s.checkStatement(r, f.SHA256)
	if err != nil {
		return rep, err
	}
	rep.Entries = entries
	file := &BankFileRecord{SHA256: sha, Name: f.Name, Message: string(hd.Message), MessageID: hd.MessageID, ImportedBy: a.ID,
		Status: FileImporting, Entries: entries}
	if f.DryRun {
		rep.DryRun = true
		err := s.repo.InTxOnce(ctx, func(tx Tx) error {
			start := 0
			prev, err := tx.BankFileBySHA(ctx, sha)
			switch {
			case err == nil && prev.Status == FileDone:
				return fault.New(fault.Conflict, "bank.error.already_imported")
			case err == nil:
				// Cut short before: the dry run shows what carrying on
				// would book.
				file, start, rep.Resumed = &prev, prev.Progress, true
			case !fault.Is(err, fault.NotFound):
				return err
			default:
				if err := tx.StartBankFile(ctx, file); err != nil {
					return err
				}
			}
			err = s.bookFile(ctx, r, file, start, func(fn func(Tx) error) error { return fn(tx) }, nil, &rep, f.Progress)
			if err != nil {
				return err
			}
			return errDryRun
		})
		if errors.Is(err, errDryRun) {
			err = nil
		}
		return rep, err
	}
	start := 0
	prev, err := s.repo.BankFileBySHA(ctx, sha)
	switch {
	case err == nil && prev.Status == FileDone:
		return rep, fault.New(fault.Conflict, "bank.error.already_imported")
	case err == nil:
		// Cut short before: carry on after what was booked.
		file, start, rep.Resumed = &prev, prev.Progress, true
		rep.add(prev.Report)
		rep.Entries = entries
	case !fault.Is(err, fault.NotFound):
		return rep, err
	default:
		if err := s.repo.InTx(ctx, func(tx Tx) error { return tx.StartBankFile(ctx, file) }); err != nil {
			return rep, err
		}
	}
	rep.FileID = file.ID
	inTx := func(fn func(Tx) error) error { return s.repo.InTx(ctx, fn) }
	returns := func(chunk []iso20022.Entry) (map[string]bool, error) {
		return s.takeReturns(ctx, a, string(hd.Message)+" "+hd.MessageID, chunk)
	}
	if err := s.bookFile(ctx, r, file, start, inTx, returns, &rep, f.Progress); err != nil {
		return rep, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		cur, err := tx.BankFileForUpdate(ctx, file.ID)
		if err != nil {
			return err
		}
		if cur.Status == FileDone || cur.Progress != entries {
			return fault.New(fault.Conflict, "bank.error.already_imported")
		}
		cur.Status = FileDone
		if err := tx.SaveBankFile(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "bank.import",
			Object: "bank_file:" + file.ID,
			Detail: fmt.Sprintf("booked=%d queued=%d refused=%d reported_again=%d reversed=%d",
				cur.Report.Booked, cur.Report.Queued, cur.Report.Refused, cur.Report.ReportedAgain, cur.Report.Reversed)})
	})
	return rep, err
}

// checkStatement reads the whole file once: it must parse, every entry must
// be for the Centre's account, and its hash is taken unless given.
func (s *Service) checkStatement(r io.ReadSeeker, sha string) (iso20022.Header, int, string, error) {
	var src io.Reader = r
	h := sha256.New()
	if sha == "" {
		src = io.TeeReader(r, h)
	}
	rd, err := iso20022.NewReader(src)
	if err != nil {
		return iso20022.Header{}, 0, "", bankErr(err)
	}
	n := 0
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return iso20022.Header{}, 0, "", bankErr(err)
		}
		if acct, err := iban.Parse(e.AccountIBAN); err != nil || acct != s.cfg.Creditor {
			return iso20022.Header{}, 0, "", &fault.Error{Kind: fault.Invalid, Key: "bank.error.account",
				Data: map[string]any{"Line": e.Line, "Entry": e.Index}, Err: fmt.Errorf("account %q is not ours", e.AccountIBAN)}
		}
		n++
	}
	if sha == "" {
		if _, err := io.Copy(io.Discard, src); err != nil {
			return iso20022.Header{}, 0, "", err
		}
		sha = hex.EncodeToString(h.Sum(nil))
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return iso20022.Header{}, 0, "", err
	}
	return rd.Header(), n, sha, nil
}

// bookFile books the file's entries after the first start, a chunk per
// transaction. Each chunk checks, with the file's row locked, that nobody
// else booked it meanwhile (two imports of one file at once: the second is
// refused).
func (s *Service) bookFile(ctx context.Context, r io.Reader, file *BankFileRecord, start int,
	inTx func(func(Tx) error) error, returns func([]iso20022.Entry) (map[string]bool, error), rep *BankReport, progress func(done, total int)) error {
	rd, err := iso20022.NewReader(r)
	if err != nil {
		return bankErr(err)
	}
	entries, stop := readAhead(rd)
	defer stop()
	done := 0
	var chunk []iso20022.Entry
	flush := func() error {
		from := done
		var got BankReport
		// Returns of our own payments go to the payment capability
		// first (not in a dry run); the chunk then books them to nothing.
		var taken map[string]bool
		if returns != nil {
			var err error
			if taken, err = returns(chunk); err != nil {
				return err
			}
		}
		err := inTx(func(tx Tx) error {
			cur, err := tx.BankFileForUpdate(ctx, file.ID)
			if err != nil {
				return err
			}
			if cur.Status == FileDone || cur.Progress != from {
				return fault.New(fault.Conflict, "bank.error.already_imported")
			}
			got = BankReport{}
			b := &chunkBooker{s: s, tx: tx, fileID: file.ID, rep: &got, returns: taken}
			if err := b.book(ctx, chunk); err != nil {
				return err
			}
			cur.Progress = from + len(chunk)
			cur.Report.add(got)
			return tx.SaveBankFile(ctx, cur)
		})
		if err != nil {
			return err
		}
		done += len(chunk)
		rep.add(got)
		chunk = chunk[:0]
		if progress != nil {
			progress(done, file.Entries)
		}
		return nil
	}
	for item := range entries {
		if item.err != nil {
			return bankErr(item.err)
		}
		if item.entry.Index <= start {
			done = item.entry.Index
			continue
		}
		chunk = append(chunk, item.entry)
		if len(chunk) == chunkEntries {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(chunk) > 0 {
		return flush()
	}
	return nil
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
	out := make(chan readItem, 2*chunkEntries)
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

// NormaliseReference reads a creditor reference as banks send it: spaces,
// tabs, line breaks and no-break spaces anywhere are dropped, leading zeros
// of a national reference too, lower-case "rf" is read as "RF", and an RF
// reference is read as the national reference it carries. Anything else —
// other letters, hyphens, dots, a wrong check digit — is not a reference.
func NormaliseReference(s string) (viite.Ref, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '\u202f':
			return -1
		}
		return r
	}, s)
	ref, err := viite.ParseAny(s)
	return ref, err == nil
}

// txKey is a bank transaction's identity: the account, the booking date and
// the archive ID.
func txKey(account string, booking civil.Date, archive string) string {
	if archive == "" {
		return ""
	}
	return account + "|" + booking.String() + "|" + archive
}

// item is one transaction of a chunk on its way to a row.
type item struct {
	e      *iso20022.Entry
	t      iso20022.Transaction
	row    *BankEntry
	legacy string // the archive ID as the import before identities wrote it
	ref    viite.Ref
	refOK  bool
	detail bool // the bank itemised the entry (TxDtls)
}

// chunkBooker books one chunk of a file in one transaction: it reads what
// the chunk needs in a few queries (the claims, locked in reference order;
// the transactions reported before), decides in memory, and writes.
type chunkBooker struct {
	s      *Service
	tx     Tx
	fileID string
	rep    *BankReport
	// returns are the end-to-end IDs the payment capability took as
	// returns of our own payments.
	returns map[string]bool

	known   map[string]*BankEntry // by identity: rows before this chunk and in it
	batches map[string]int64      // itemised totals by batch key
	claims  map[string]*Claim     // by reference
	touched map[string]*Claim     // claims written, by ID
	events  []ClaimEvent
	rows    []*BankEntry // new rows
	updated []*BankEntry // earlier rows changed
}

// ClaimEvent is a history entry of a claim, to be written.
type ClaimEvent struct {
	Claim *Claim
	Event Event
}

func (b *chunkBooker) book(ctx context.Context, entries []iso20022.Entry) error {
	items := b.items(entries)
	var keys, refs []string
	for _, it := range items {
		if it.row.BatchKey != "" {
			keys = append(keys, it.row.BatchKey)
		}
		if it.row.Key != "" {
			keys = append(keys, it.row.Key)
			if it.legacy != "" {
				keys = append(keys, "legacy:"+it.legacy)
			}
		}
		if it.refOK {
			refs = append(refs, it.ref.String())
		}
	}
	// The claims first, in reference order, then the transactions reported
	// before, locked too: what this chunk decides from them cannot change
	// under it (staff resolving a queued payment, another import).
	slices.Sort(refs)
	refs = slices.Compact(refs)
	cs, err := b.tx.ClaimsByReferenceForUpdate(ctx, refs)
	if err != nil {
		return err
	}
	b.claims = make(map[string]*Claim, len(cs))
	for i := range cs {
		b.claims[cs[i].Reference.String()] = &cs[i]
	}
	if b.known, err = b.tx.BankEntriesByKey(ctx, keys); err != nil {
		return err
	}
	for k, v := range b.known {
		if strings.HasPrefix(k, "legacy:") {
			// A transaction booked before identities had an account and a
			// date: its archive ID alone stands for it.
			for _, it := range items {
				if "legacy:"+it.legacy == k && it.row.Key != "" {
					if _, ok := b.known[it.row.Key]; !ok {
						b.known[it.row.Key] = v
					}
				}
			}
		}
	}
	var lumps []string
	for _, it := range items {
		if !it.detail && it.row.Key != "" {
			lumps = append(lumps, it.row.Key)
		}
	}
	if b.batches, err = b.tx.BatchTotals(ctx, lumps); err != nil {
		return err
	}
	b.touched = map[string]*Claim{}
	for _, it := range items {
		if err := b.decide(ctx, it); err != nil {
			return err
		}
		b.count(it)
	}
	b.itemise(items)
	return b.write(ctx)
}

// itemise marks a statement's sum queued for want of a reference as
// itemised once a notification lists the payments of that entry: the
// payments are dealt with one by one, and the sum needs no person.
func (b *chunkBooker) itemise(items []*item) {
	sums := map[string]int64{}
	for _, it := range items {
		if it.row.BatchKey != "" && it.row.Status != EntryReportedAgain && it.row.Reason != ReasonIDReused {
			sums[it.row.BatchKey] += it.row.AmountCents
		}
	}
	for k, sum := range sums {
		prev, ok := b.known[k]
		if ok && prev.Status == EntryQueued && prev.Reason == ReasonNoReference && prev.AmountCents == sum && prev.ID != "" {
			prev.Status, prev.Resolution = EntryItemised, "itemised by a notification"
			b.updated = append(b.updated, prev)
			b.rep.ReportedAgain++
		}
	}
}

// items turns the chunk's entries into rows to decide, one per transaction.
func (b *chunkBooker) items(entries []iso20022.Entry) []*item {
	var out []*item
	for i := range entries {
		e := &entries[i]
		txs := e.Transactions
		detail := len(txs) > 0
		if !detail {
			txs = []iso20022.Transaction{{AmountCents: e.AmountCents, AcctSvcrRef: e.AcctSvcrRef}}
		}
		// Without a booking date the value date stands in; without either
		// the transaction has no identity (the day of the import would
		// make the same payment two transactions on two days).
		booking, err := civil.ParseISO(e.BookingDate)
		if err != nil {
			booking, _ = civil.ParseISO(e.ValueDate)
		}
		day, err := civil.ParseISO(e.ValueDate)
		if err != nil {
			day = booking
		}
		if day.IsZero() {
			day = civil.Of(b.tx.Now())
		}
		acct := strings.ReplaceAll(e.AccountIBAN, " ", "")
		for n, t := range txs {
			archive := t.AcctSvcrRef
			if archive == "" && e.AcctSvcrRef != "" {
				archive = e.AcctSvcrRef
				if len(txs) > 1 {
					// A batch whose payments carry no archive ID of their
					// own: the place in the batch is all there is.
					archive += "/" + strconv.Itoa(n+1)
				}
			}
			row := &BankEntry{FileID: b.fileID, Line: e.Line, EntryIndex: e.Index, TxIndex: n + 1, Account: acct, BookingDate: booking,
				ArchiveID: archive, Direction: e.CreditDebit, Reversal: e.Reversal,
				AmountCents: t.AmountCents, RawReference: t.Reference, ValueDate: day}
			if !booking.IsZero() {
				row.Key = txKey(acct, booking, archive)
			}
			if e.AcctSvcrRef != "" && e.AcctSvcrRef != archive {
				row.BatchKey = txKey(acct, booking, e.AcctSvcrRef)
			}
			it := &item{e: e, t: t, row: row, detail: detail}
			// The import before identities keyed a payment by its archive
			// ID alone, with "#n" after it in an entry of several.
			if it.legacy = t.AcctSvcrRef; it.legacy == "" {
				it.legacy = e.AcctSvcrRef
			}
			if it.legacy != "" && len(txs) > 1 {
				it.legacy += "#" + strconv.Itoa(n+1)
			}
			if strings.TrimSpace(t.Reference) != "" {
				it.ref, it.refOK = NormaliseReference(t.Reference)
			}
			row.Reference = strings.TrimSpace(t.Reference)
			if it.refOK {
				row.Reference = it.ref.String()
			}
			out = append(out, it)
		}
	}
	return out
}

// sameTransaction reports whether a row reported before is the transaction
// now reported: the same direction and amount, and the same reference
// unless one of the reports leaves it out (a statement without details).
func sameTransaction(prev, now *BankEntry) bool {
	return prev.Direction == now.Direction && prev.Reversal == now.Reversal && prev.AmountCents == now.AmountCents &&
		(prev.Reference == now.Reference || prev.Reference == "" || now.Reference == "")
}

func (b *chunkBooker) decide(ctx context.Context, it *item) error {
	row := it.row
	if it.e.Status != iso20022.StatusBooked {
		// Pending and information entries may change or vanish: they
		// hold no identity, and the booked report books.
		row.Status, row.Reason = EntryRefused, ReasonNotBooked
		b.rows = append(b.rows, row)
		return nil
	}
	if prev, ok := b.known[row.Key]; ok && row.Key != "" {
		switch {
		case prev.Status == EntryQueued && prev.Reason == ReasonNoReference && row.Reference != "" && prev.Direction == row.Direction && prev.AmountCents == row.AmountCents:
			// Queued for want of a reference (a statement line without
			// details), now reported with one: this report is dealt with,
			// the earlier one is done.
			prev.Status, prev.Resolution, prev.Key = EntrySuperseded, "reported again with details", ""
			b.updated = append(b.updated, prev)
			delete(b.known, row.Key)
		case sameTransaction(prev, row):
			row.Status, row.OriginalID = EntryReportedAgain, prev.ID
			b.rows = append(b.rows, row)
			return nil
		default:
			row.Status, row.Reason, row.OriginalID = EntryQueued, ReasonIDReused, prev.ID
			b.rows = append(b.rows, row)
			return nil
		}
	}
	switch {
	case row.Direction == iso20022.Credit && it.t.EndToEndID != "" && b.returns[it.t.EndToEndID]:
		row.Status, row.Reason = EntryRefused, ReasonPaymentReturn
	case row.Direction == iso20022.Debit && row.Reversal:
		if err := b.reverse(ctx, it); err != nil {
			return err
		}
	case row.Direction == iso20022.Debit:
		row.Status, row.Reason = EntryRefused, ReasonDebit
	case row.Reversal:
		row.Status, row.Reason = EntryQueued, ReasonDebitReversal
	case !it.detail && b.batches[row.Key] == row.AmountCents && row.AmountCents > 0:
		// A statement's sum for an entry whose payments a notification
		// itemised and booked.
		row.Status = EntryItemised
	case row.Reference == "":
		row.Status, row.Reason = EntryQueued, ReasonNoReference
	case !it.refOK:
		row.Status, row.Reason = EntryQueued, ReasonBadReference
	default:
		b.pay(it)
	}
	b.rows = append(b.rows, row)
	if row.HoldsKey() {
		b.known[row.Key] = row
	}
	return nil
}

// pay books a credit to the claim its reference names, or says why not.
func (b *chunkBooker) pay(it *item) {
	row := it.row
	c, ok := b.claims[it.ref.String()]
	switch {
	case !ok:
		row.Status, row.Reason = EntryQueued, ReasonUnknownRef
		return
	case !c.Status.Collecting() && c.Status != Enforcement:
		row.Status, row.Reason = EntryQueued, ReasonClaimClosed
	default:
		// The payment meets the interest of its day; the accrual is kept
		// only when the payment is booked.
		trial := *c
		accrued, _ := trial.AccrueInterest(row.ValueDate, b.s.cfg.Rules)
		if row.AmountCents > trial.Balance() {
			row.Status, row.Reason = EntryQueued, ReasonOverBalance
			break
		}
		*c = trial
		ev, _ := c.ApplyPayment(row.ValueDate, row.AmountCents)
		row.Status, row.Alloc = EntryBooked, ev.Parts
		if accrued.Kind != "" {
			b.events = append(b.events, ClaimEvent{c, accrued})
		}
		b.events = append(b.events, ClaimEvent{c, ev})
		b.touched[c.ID] = c
	}
	row.ClaimID, row.PersonID = c.ID, c.PersonID
}

// reverse applies a reversal of a customer's credit: the payment it takes
// back (the latest of the same account, reference and amount not yet taken
// back) comes off its claim, or off the staff queue when it was never
// booked. Without such a payment the reversal is queued.
func (b *chunkBooker) reverse(ctx context.Context, it *item) error {
	row := it.row
	var orig *BankEntry
	for i := len(b.rows) - 1; i >= 0; i-- {
		r := b.rows[i]
		if r.Account == row.Account && r.Reference == row.Reference && r.AmountCents == row.AmountCents &&
			r.Direction == iso20022.Credit && !r.Reversal && (r.Status == EntryBooked || r.Status == EntryQueued) {
			orig = r
			break
		}
	}
	if orig == nil && row.Reference != "" {
		// Payments this chunk took back already are still booked in the
		// database until the chunk is written: skip them.
		var taken []string
		for _, u := range b.updated {
			if u.Status == EntryReversed {
				taken = append(taken, u.ID)
			}
		}
		prev, err := b.tx.ReversibleCredit(ctx, row.Account, row.Reference, row.AmountCents, taken)
		switch {
		case err == nil:
			orig = &prev
			b.updated = append(b.updated, orig)
		case !fault.Is(err, fault.NotFound):
			return err
		}
	}
	if orig == nil || (orig.Status == EntryBooked && orig.Alloc.Total() != orig.AmountCents) {
		// No payment to take back, or one booked before allocations were
		// kept (imported before identities): staff decide.
		row.Status, row.Reason = EntryQueued, ReasonReversal
		return nil
	}
	if orig.Status == EntryBooked {
		c := b.touched[orig.ClaimID]
		if c == nil {
			for _, x := range b.claims {
				if x.ID == orig.ClaimID {
					c = x
				}
			}
		}
		if c == nil {
			// The claim's reference is not the one the reversal names:
			// lock it now.
			cl, err := b.tx.ClaimForUpdate(ctx, orig.ClaimID)
			if err != nil {
				return err
			}
			c = &cl
		}
		for _, ev := range c.ReversePayment(row.ValueDate, orig.ValueDate, orig.Alloc, b.s.cfg.Rules) {
			b.events = append(b.events, ClaimEvent{c, ev})
		}
		b.touched[c.ID] = c
		row.ClaimID, row.PersonID = c.ID, c.PersonID
	}
	orig.Status, orig.Resolution = EntryReversed, "reversed by the bank"
	row.Status, row.OriginalID = EntryReversal, orig.ID
	return nil
}

func (b *chunkBooker) count(it *item) {
	row, rep := it.row, b.rep
	switch row.Status {
	case EntryBooked:
		rep.Booked++
		rep.BookedCents += row.AmountCents
		return
	case EntryReportedAgain, EntryItemised:
		rep.ReportedAgain++
		return
	case EntryReversal:
		rep.Reversed++
		return
	case EntryQueued:
		rep.Queued++
	default:
		rep.Refused++
	}
	if len(rep.Lines) < reportLinesInMemory {
		rep.Lines = append(rep.Lines, ReportLine{Line: row.Line, EntryIndex: row.EntryIndex, EntryRef: it.e.EntryRef, ArchiveID: row.ArchiveID,
			AmountCents: row.AmountCents, Reference: row.RawReference, Status: row.Status, Reason: row.Reason})
	}
}

func (b *chunkBooker) write(ctx context.Context) error {
	// Earlier rows first: a superseded row gives up its identity before
	// the new report takes it.
	for _, r := range b.updated {
		if err := b.tx.UpdateBankEntry(ctx, r); err != nil {
			return err
		}
	}
	if err := b.tx.InsertBankEntries(ctx, b.rows); err != nil {
		return err
	}
	ids := make([]string, 0, len(b.touched))
	for id := range b.touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	cs := make([]*Claim, len(ids))
	for i, id := range ids {
		cs[i] = b.touched[id]
	}
	if err := b.tx.SaveClaims(ctx, cs); err != nil {
		return err
	}
	return b.tx.AddEvents(ctx, b.events)
}
