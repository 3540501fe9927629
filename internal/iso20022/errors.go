package iso20022

import (
	"fmt"
	"strconv"
	"strings"
)

// Reason classifies what is wrong with a bank file or with a payment to be
// written. The values are stable message keys: the user interface translates
// a Reason, never the English text of Error.Msg.
type Reason string

// The reasons.
const (
	ReasonRead        Reason = "read"         // the underlying reader failed (I/O, not the file's fault)
	ReasonSyntax      Reason = "syntax"       // not well-formed XML, or an unsupported character encoding
	ReasonTruncated   Reason = "truncated"    // the file ends before the document does
	ReasonMessageType Reason = "message_type" // a well-formed document, but not the message expected (pain.001 given to the camt reader)
	ReasonVersion     Reason = "version"      // the right message, but a version this package does not read
	ReasonMissing     Reason = "missing"      // a required element or value is absent
	ReasonAmount      Reason = "amount"       // an amount is not a non-negative decimal with at most two decimals, or is out of range
	ReasonCurrency    Reason = "currency"     // a currency other than EUR
	ReasonDate        Reason = "date"         // a date or time that does not parse
	ReasonCode        Reason = "code"         // a code outside its list (CdtDbtInd, Sts, RvslInd…)
	ReasonTooLong     Reason = "too_long"     // text longer than the schema allows
	ReasonFormat      Reason = "format"       // an IBAN, BIC, reference or text with the wrong form or check digits
	ReasonTotals      Reason = "totals"       // counts or sums that do not add up
	ReasonConflict    Reason = "conflict"     // values that exclude each other, or a duplicate id
)

// Error describes a problem with a bank file being read or a payment
// initiation being written. It carries enough position information for an
// operator to find the offending place, and a Reason for translation.
type Error struct {
	Reason Reason

	// Line is the 1-based line in the file being read: the line of the
	// offending token for syntax errors, of the entry's start tag for errors
	// in an entry's content. Zero when writing or when unknown.
	Line int
	// EntryIndex is the 1-based position of the camt entry (Ntry) at fault,
	// zero outside entries.
	EntryIndex int

	// Batch and Payment are the 1-based positions of the pain.001 payment
	// information block and of the payment within it; zero when not
	// applicable.
	Batch   int
	Payment int
	// ID names the offending entry or payment by its own identifier
	// (NtryRef, AcctSvcrRef or EndToEndId), when it has one.
	ID string

	// Field is the element path (reading) or struct field (writing) at fault.
	Field string
	// Msg is a short English description for logs and developers.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	var where []string
	for _, p := range []struct {
		name string
		n    int
	}{{"line", e.Line}, {"entry", e.EntryIndex}, {"batch", e.Batch}, {"payment", e.Payment}} {
		if p.n > 0 {
			where = append(where, fmt.Sprintf("%s %d", p.name, p.n))
		}
	}
	if e.ID != "" {
		where = append(where, strconv.Quote(e.ID))
	}
	if e.Field != "" {
		where = append(where, e.Field)
	}
	var b strings.Builder
	b.WriteString("iso20022: ")
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
