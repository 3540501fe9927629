package iso20022

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MessageType names an ISO 20022 message without its version.
type MessageType string

// The bank-to-customer messages the Reader accepts.
const (
	Camt053 MessageType = "camt.053" // BankToCustomerStatement
	Camt054 MessageType = "camt.054" // BankToCustomerDebitCreditNotification
)

// CreditDebit says whether an entry adds money to the account or takes it.
type CreditDebit string

// The CdtDbtInd codes.
const (
	Credit CreditDebit = "CRDT"
	Debit  CreditDebit = "DBIT"
)

// Status is the booking status of an entry. Only booked entries have
// moved money; pending and information entries may still change or vanish,
// so reconciliation must not settle debts on them.
type Status string

// The EntryStatus2Code values.
const (
	StatusBooked  Status = "BOOK"
	StatusPending Status = "PDNG"
	StatusInfo    Status = "INFO"
)

// Header is what a camt file says about itself before its first entry.
type Header struct {
	Message MessageType // camt.054 or camt.053
	Version string      // the namespace's version, e.g. "001.02"

	MessageID string    // GrpHdr/MsgId
	CreatedAt time.Time // GrpHdr/CreDtTm in UTC; a time without a zone is taken as UTC

	// AccountIBAN and Currency describe the first notification or statement
	// (Ntfctn or Stmt) in the file. A file may hold several; each Entry
	// carries the IBAN of its own.
	AccountIBAN string // Acct/Id/IBAN
	Currency    string // Acct/Ccy; empty when the bank leaves it out
}

// Entry is one Ntry: one movement on the account as the bank booked it. A
// batch entry (several incoming payments booked as one sum) holds one
// Transaction per payment.
type Entry struct {
	Index       int    // 1-based position in the file, across notifications
	Line        int    // line of the <Ntry> start tag
	AccountIBAN string // IBAN of the enclosing Ntfctn or Stmt

	EntryRef string // NtryRef
	// AcctSvcrRef is the bank's archive id (arkistointitunnus). Banks put it
	// on the entry or on the transaction; when the entry lacks one and holds
	// a single transaction, the transaction's is used.
	AcctSvcrRef string

	CreditDebit CreditDebit
	Status      Status
	BookingDate string // YYYY-MM-DD from BookgDt/Dt or BookgDt/DtTm; empty if absent
	ValueDate   string // YYYY-MM-DD from ValDt; empty if absent
	AmountCents int64
	Currency    string // always EUR: the Reader rejects others
	Reversal    bool   // RvslInd: this entry cancels an earlier one

	Transactions []Transaction // NtryDtls/TxDtls, in file order
}

// Transaction is one TxDtls: a single payment inside an entry.
type Transaction struct {
	// AmountCents is TxDtls/Amt or TxDtls/AmtDtls/TxAmt/Amt; for the only
	// transaction of an entry that gives none, the entry's amount.
	AmountCents int64

	// Reference is the structured creditor reference
	// (RmtInf/Strd/CdtrRefInf/Ref), a Finnish reference number or an RF
	// reference. ReferenceType is Tp/CdOrPrtry/Cd (SCOR) and
	// ReferenceIssuer Tp/Issr (ISO for RF references).
	Reference       string
	ReferenceType   string
	ReferenceIssuer string

	// RemittanceText is the unstructured message (RmtInf/Ustrd); several
	// Ustrd elements are joined with newlines.
	RemittanceText string

	DebtorName   string // RltdPties/Dbtr/Nm: who paid
	CreditorName string // RltdPties/Cdtr/Nm: who was paid, for debits
	EndToEndID   string // Refs/EndToEndId
	AcctSvcrRef  string // Refs/AcctSvcrRef
	// ReturnReason is RtrInf/Rsn/Cd (or Prtry): the bank returned the
	// payment with this reason, e.g. AC04 account closed; with the
	// original end-to-end ID it names one of our own payments sent back.
	ReturnReason string
}

// IsRF reports whether the transaction's reference is an international RF
// creditor reference (ISO 11649) rather than a national one.
func (t Transaction) IsRF() bool {
	return t.ReferenceIssuer == "ISO" || strings.HasPrefix(t.Reference, "RF")
}

const nsPrefix = "urn:iso:std:iso:20022:tech:xsd:"

// supportedVersions are the camt.053/054 versions whose element paths for
// everything this package reads are those of 001.02. 001.03 differs from
// 001.02 only in elements not read here. From 001.09 on the party and status
// structures moved further, so those are refused rather than misread.
var supportedVersions = map[string]bool{
	"001.02": true, "001.03": true, "001.04": true, "001.05": true,
	"001.06": true, "001.07": true, "001.08": true,
}

// camtNamespace splits a namespace such as
// urn:iso:std:iso:20022:tech:xsd:camt.054.001.02 into message and version.
func camtNamespace(ns string) (msg MessageType, version string, ok bool) {
	rest, found := strings.CutPrefix(ns, nsPrefix)
	if !found || len(rest) < len("camt.054.") {
		return "", "", false
	}
	return MessageType(rest[:8]), rest[9:], rest[8] == '.'
}

// Raw shapes decoded by encoding/xml. Every leaf is a string so that
// decoding never fails on content: values are checked afterwards, with an
// error that names the element and the entry.

type xmlGroupHeader struct {
	MsgID   string `xml:"MsgId"`
	CreDtTm string `xml:"CreDtTm"`
}

type xmlAccount struct {
	IBAN string `xml:"Id>IBAN"`
	Ccy  string `xml:"Ccy"`
}

type xmlAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type xmlDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

// xmlStatus takes both shapes of Sts: the code as text (up to 001.06) and
// the EntryStatus1Choice <Sts><Cd>BOOK</Cd></Sts> of later versions.
type xmlStatus struct {
	Text  string `xml:",chardata"`
	Cd    string `xml:"Cd"`
	Prtry string `xml:"Prtry"`
}

type xmlEntry struct {
	NtryRef     string     `xml:"NtryRef"`
	Amt         *xmlAmount `xml:"Amt"`
	CdtDbtInd   string     `xml:"CdtDbtInd"`
	RvslInd     string     `xml:"RvslInd"`
	Sts         *xmlStatus `xml:"Sts"`
	BookgDt     *xmlDate   `xml:"BookgDt"`
	ValDt       *xmlDate   `xml:"ValDt"`
	AcctSvcrRef string     `xml:"AcctSvcrRef"`
	TxDtls      []xmlTx    `xml:"NtryDtls>TxDtls"`
}

type xmlTx struct {
	AcctSvcrRef string     `xml:"Refs>AcctSvcrRef"`
	EndToEndID  string     `xml:"Refs>EndToEndId"`
	Amt         *xmlAmount `xml:"Amt"`               // 001.04 and later
	TxAmt       *xmlAmount `xml:"AmtDtls>TxAmt>Amt"` // 001.02 onwards
	// Party40Choice (001.08) wraps the party in Pty.
	DbtrNm    string    `xml:"RltdPties>Dbtr>Nm"`
	DbtrPtyNm string    `xml:"RltdPties>Dbtr>Pty>Nm"`
	CdtrNm    string    `xml:"RltdPties>Cdtr>Nm"`
	CdtrPtyNm string    `xml:"RltdPties>Cdtr>Pty>Nm"`
	Ustrd     []string  `xml:"RmtInf>Ustrd"`
	Strd      []xmlStrd `xml:"RmtInf>Strd"`
	RtrCd     string    `xml:"RtrInf>Rsn>Cd"`
	RtrPrtry  string    `xml:"RtrInf>Rsn>Prtry"`
}

type xmlStrd struct {
	Cd   string `xml:"CdtrRefInf>Tp>CdOrPrtry>Cd"`
	Issr string `xml:"CdtrRefInf>Tp>Issr"`
	Ref  string `xml:"CdtrRefInf>Ref"`
}

// entryError builds the error for a problem in an entry's content.
func entryError(e *Entry, reason Reason, field, format string, args ...any) *Error {
	id := e.EntryRef
	if id == "" {
		id = e.AcctSvcrRef
	}
	return &Error{
		Reason:     reason,
		Line:       e.Line,
		EntryIndex: e.Index,
		ID:         id,
		Field:      "Ntry/" + field,
		Msg:        fmt.Sprintf(format, args...),
	}
}

// convertEntry checks a decoded Ntry and turns it into an Entry.
func convertEntry(x *xmlEntry, index, line int, account string) (Entry, error) {
	e := Entry{
		Index:       index,
		Line:        line,
		AccountIBAN: account,
		EntryRef:    strings.TrimSpace(x.NtryRef),
		AcctSvcrRef: strings.TrimSpace(x.AcctSvcrRef),
	}

	cents, ccy, err := checkAmount(x.Amt)
	if err != nil {
		return Entry{}, amountError(&e, "Amt", err)
	}
	e.AmountCents, e.Currency = cents, ccy

	switch cd := CreditDebit(strings.TrimSpace(x.CdtDbtInd)); cd {
	case Credit, Debit:
		e.CreditDebit = cd
	case "":
		return Entry{}, entryError(&e, ReasonMissing, "CdtDbtInd", "credit/debit indicator missing")
	default:
		return Entry{}, entryError(&e, ReasonCode, "CdtDbtInd", "credit/debit indicator %q is neither CRDT nor DBIT", string(cd))
	}

	if x.Sts == nil {
		return Entry{}, entryError(&e, ReasonMissing, "Sts", "status missing")
	}
	st := strings.TrimSpace(x.Sts.Cd)
	if st == "" {
		st = strings.TrimSpace(x.Sts.Text)
	}
	switch s := Status(st); s {
	case StatusBooked, StatusPending, StatusInfo:
		e.Status = s
	case "":
		if strings.TrimSpace(x.Sts.Prtry) != "" {
			return Entry{}, entryError(&e, ReasonCode, "Sts", "proprietary status %q is not supported", strings.TrimSpace(x.Sts.Prtry))
		}
		return Entry{}, entryError(&e, ReasonMissing, "Sts", "status missing")
	default:
		return Entry{}, entryError(&e, ReasonCode, "Sts", "status %q is not BOOK, PDNG or INFO", st)
	}

	if e.Reversal, err = parseBool(x.RvslInd); err != nil {
		return Entry{}, entryError(&e, ReasonCode, "RvslInd", "reversal indicator %q is not a boolean", strings.TrimSpace(x.RvslInd))
	}
	if e.BookingDate, err = dateOf(x.BookgDt); err != nil {
		return Entry{}, dateError(&e, "BookgDt", err)
	}
	if e.ValueDate, err = dateOf(x.ValDt); err != nil {
		return Entry{}, dateError(&e, "ValDt", err)
	}

	if len(x.TxDtls) == 0 {
		return e, nil
	}
	e.Transactions = make([]Transaction, len(x.TxDtls))
	var sum int64
	for i := range x.TxDtls {
		t := &x.TxDtls[i]
		tr := &e.Transactions[i]
		tr.EndToEndID = strings.TrimSpace(t.EndToEndID)
		tr.AcctSvcrRef = strings.TrimSpace(t.AcctSvcrRef)
		tr.DebtorName = firstNonEmpty(t.DbtrNm, t.DbtrPtyNm)
		tr.CreditorName = firstNonEmpty(t.CdtrNm, t.CdtrPtyNm)
		tr.RemittanceText = joinLines(t.Ustrd)
		tr.ReturnReason = firstNonEmpty(t.RtrCd, t.RtrPrtry)
		for _, s := range t.Strd {
			if ref := strings.TrimSpace(s.Ref); ref != "" {
				tr.Reference = ref
				tr.ReferenceType = strings.TrimSpace(s.Cd)
				tr.ReferenceIssuer = strings.TrimSpace(s.Issr)
				break
			}
		}

		// The field path is built only for an error: Sprintf for every
		// transaction would cost as much as parsing one.
		field := func() string { return fmt.Sprintf("NtryDtls/TxDtls[%d]/Amt", i+1) }
		amt := t.Amt
		if amt == nil {
			field = func() string { return fmt.Sprintf("NtryDtls/TxDtls[%d]/AmtDtls/TxAmt/Amt", i+1) }
			amt = t.TxAmt
		}
		switch {
		case amt != nil:
			cents, _, err := checkAmount(amt)
			if err != nil {
				return Entry{}, amountError(&e, field(), err)
			}
			tr.AmountCents = cents
		case len(x.TxDtls) == 1:
			tr.AmountCents = e.AmountCents
		default:
			return Entry{}, entryError(&e, ReasonMissing, field(),
				"transaction %d of %d has no amount", i+1, len(x.TxDtls))
		}
		// Each amount is at most maxAmountCents, so this cannot overflow
		// before it exceeds the entry amount by far.
		sum += tr.AmountCents
		if sum > maxAmountCents {
			break
		}
	}
	if sum != e.AmountCents {
		// A batch whose parts do not add up cannot be reconciled payment by
		// payment without losing or inventing money.
		return Entry{}, entryError(&e, ReasonTotals, "NtryDtls",
			"transactions sum to %s but the entry amount is %s", formatCents(sum), formatCents(e.AmountCents))
	}
	if e.AcctSvcrRef == "" && len(e.Transactions) == 1 {
		e.AcctSvcrRef = e.Transactions[0].AcctSvcrRef
	}
	return e, nil
}

// errMissing marks an amount or date that is absent, as opposed to
// malformed, so that the error gets ReasonMissing.
var errMissing = errors.New("missing")

type currencyError string

func (c currencyError) Error() string { return fmt.Sprintf("currency %q is not EUR", string(c)) }

// checkAmount parses an amount element that must be in euros.
func checkAmount(a *xmlAmount) (cents int64, ccy string, err error) {
	if a == nil {
		return 0, "", errMissing
	}
	ccy = strings.TrimSpace(a.Ccy)
	if ccy != "EUR" {
		if ccy == "" {
			return 0, "", fmt.Errorf("%w: currency attribute Ccy", errMissing)
		}
		return 0, "", currencyError(ccy)
	}
	cents, err = parseCents(a.Value)
	if err == errAmountEmpty {
		err = errMissing
	}
	return cents, ccy, err
}

func amountError(e *Entry, field string, err error) *Error {
	var ce currencyError
	switch {
	case errors.Is(err, errMissing):
		return entryError(e, ReasonMissing, field, "amount missing")
	case errors.As(err, &ce):
		return entryError(e, ReasonCurrency, field, "%s", ce.Error())
	}
	return entryError(e, ReasonAmount, field, "%s", err.Error())
}

func dateError(e *Entry, field string, err error) *Error {
	if errors.Is(err, errMissing) {
		return entryError(e, ReasonMissing, field, "date missing")
	}
	return entryError(e, ReasonDate, field, "%s", err.Error())
}

// dateOf returns the calendar date of a DateAndDateTimeChoice as
// YYYY-MM-DD. For a DtTm it is the date as the bank wrote it, in the
// bank's own zone: the booking day, not the UTC day.
func dateOf(d *xmlDate) (string, error) {
	if d == nil {
		return "", nil
	}
	if s := strings.TrimSpace(d.Dt); s != "" {
		// xs:date may carry a zone suffix; the date is what matters.
		if len(s) < 10 || !validZone(s[10:]) {
			return "", fmt.Errorf("date %q is not YYYY-MM-DD", s)
		}
		if !validDate(s[:10]) {
			return "", fmt.Errorf("date %q is not YYYY-MM-DD", s)
		}
		return s[:10], nil
	}
	if s := strings.TrimSpace(d.DtTm); s != "" {
		if _, err := parseDateTime(s); err != nil {
			return "", err
		}
		return s[:10], nil
	}
	return "", errMissing
}

// validDate reports whether time.Parse(time.DateOnly, s) accepts s, at a
// tenth of its cost (two dates in every entry).
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		return false
	}
	year := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	month := int(s[5]-'0')*10 + int(s[6]-'0')
	day := int(s[8]-'0')*10 + int(s[9]-'0')
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}

// validZone reports whether s is empty or an xs:date zone suffix.
func validZone(s string) bool {
	if s == "" || s == "Z" {
		return true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return false
	}
	return allDigits(s[1:3]) && allDigits(s[4:6]) && s[1:3] <= "14" && s[4:6] <= "59"
}

// parseDateTime parses an ISODateTime with or without a zone, with or
// without fractional seconds, and returns it in UTC.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			// An offset can push year 0000 or 9999 out of the four digits
			// an ISODateTime has, and out of what can be written back.
			if y := t.UTC().Year(); y < 1 || y > 9999 {
				break
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date-time %q is not an ISO 8601 date-time", s)
}

func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errors.New("not a boolean")
}

func firstNonEmpty(a, b string) string {
	if a = strings.TrimSpace(a); a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

// joinLines joins several Ustrd lines. Only the ends of the whole text are
// trimmed, so that reading what WriteCamt054 wrote as one element gives
// the same text back.
func joinLines(lines []string) string {
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
