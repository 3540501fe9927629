// Package barcode encodes and decodes the Finnish bank virtual barcode (virtuaaliviivakoodi), versions 4 and 5.
package barcode

import (
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

// Length is the number of digits in a virtual barcode.
const Length = 54

// MaxCents is the largest amount a barcode can carry, 999 999.99 €.
const MaxCents = 99999999

// Barcode is the content of a virtual barcode. Exactly one of Ref (version
// 4) and RF (version 5) is set. Cents 0 means the payer enters the amount;
// a zero Due means no due date.
type Barcode struct {
	IBAN  iban.IBAN
	Cents int64
	Ref   viite.Ref
	RF    viite.RF
	Due   civil.Date
}

// Reason says why a barcode cannot be encoded or decoded. Reasons are
// errors themselves so that errors.Is(err, barcode.ErrAmount) works.
type Reason int

// The reasons.
const (
	ErrAccount   Reason = iota + 1 // not a valid Finnish IBAN
	ErrAmount                      // negative or over 999 999.99 €
	ErrReference                   // missing, or an RF reference that is not numeric or too long
	ErrDue                         // a due date outside 2000–2099 or not a real date
	ErrFormat                      // not 54 digits, or fixed zeros missing
	ErrVersion                     // a version other than 4 or 5
)

func (r Reason) Error() string {
	switch r {
	case ErrAccount:
		return "a virtual barcode needs a valid Finnish IBAN"
	case ErrAmount:
		return "a virtual barcode carries amounts from 0 to 999 999.99 euros"
	case ErrReference:
		return "a virtual barcode needs a Finnish reference, or an RF reference of at most 21 digits"
	case ErrDue:
		return "the due date must be a date from 2000 to 2099"
	case ErrFormat:
		return "a virtual barcode has 54 digits"
	case ErrVersion:
		return "only virtual barcode versions 4 and 5 are supported"
	}
	return "invalid virtual barcode"
}

// Error is the error returned by Encode and Decode. Err is the underlying
// iban or viite error, if any.
type Error struct {
	Reason Reason
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "barcode: " + e.Reason.Error() + ": " + e.Err.Error()
	}
	return "barcode: " + e.Reason.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, barcode.ErrAmount) true for an *Error with that Reason.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

// EncodeNational returns the version 4 barcode for a payment with a Finnish
// reference.
func EncodeNational(account iban.IBAN, cents int64, ref viite.Ref, due civil.Date) (string, error) {
	return Barcode{IBAN: account, Cents: cents, Ref: ref, Due: due}.Encode()
}

// EncodeRF returns the version 5 barcode for a payment with an RF
// reference. The barcode has room only for a numeric reference part.
func EncodeRF(account iban.IBAN, cents int64, rf viite.RF, due civil.Date) (string, error) {
	return Barcode{IBAN: account, Cents: cents, RF: rf, Due: due}.Encode()
}

// Version returns 4 for a national reference, 5 for an RF reference and 0
// when neither is set.
func (b Barcode) Version() int {
	switch {
	case !b.Ref.IsZero() && b.RF.IsZero():
		return 4
	case b.Ref.IsZero() && !b.RF.IsZero():
		return 5
	}
	return 0
}

// Encode returns the 54 barcode digits.
func (b Barcode) Encode() (string, error) {
	// Finnish BBANs are numeric; the IBAN syntax alone would allow letters.
	if !b.IBAN.IsFinnish() || !numeric(b.IBAN.String()[2:]) {
		return "", &Error{Reason: ErrAccount}
	}
	if b.Cents < 0 || b.Cents > MaxCents {
		return "", &Error{Reason: ErrAmount}
	}
	if !b.Due.IsZero() && (!b.Due.IsValid() || b.Due.Year < 2000 || b.Due.Year > 2099) {
		return "", &Error{Reason: ErrDue}
	}
	var out [Length]byte
	s := out[:0]
	switch b.Version() {
	case 4:
		s = append(s, '4')
	case 5:
		s = append(s, '5')
	default:
		return "", &Error{Reason: ErrReference}
	}
	s = append(s, b.IBAN.String()[2:]...) // check digits and BBAN, 16 digits
	s = appendDigits(s, b.Cents, 8)
	if b.Version() == 4 {
		s = append(s, "000"...)
		s = appendPadded(s, b.Ref.String(), 20)
	} else {
		ref := b.RF.Reference()
		if len(ref) > 21 || !numeric(ref) {
			return "", &Error{Reason: ErrReference}
		}
		s = appendDigits(s, int64(b.RF.Check()), 2)
		s = appendPadded(s, ref, 21)
	}
	if b.Due.IsZero() {
		s = append(s, "000000"...)
	} else {
		s = appendDigits(s, int64(b.Due.Year%100*10000+int(b.Due.Month)*100+b.Due.Day), 6)
	}
	return string(s), nil
}

// Decode parses the 54 digits of a version 4 or 5 barcode and validates the
// account, reference and due date inside.
func Decode(s string) (Barcode, error) {
	if len(s) != Length || !numeric(s) {
		return Barcode{}, &Error{Reason: ErrFormat}
	}
	if s[0] != '4' && s[0] != '5' {
		return Barcode{}, &Error{Reason: ErrVersion}
	}
	var b Barcode
	acct, err := iban.Parse("FI" + s[1:17])
	if err != nil {
		return Barcode{}, &Error{Reason: ErrAccount, Err: err}
	}
	b.IBAN = acct
	b.Cents = int64(atoi(s[17:25]))
	if s[0] == '4' {
		if s[25:28] != "000" {
			return Barcode{}, &Error{Reason: ErrFormat}
		}
		if b.Ref, err = viite.Parse(s[28:48]); err != nil {
			return Barcode{}, &Error{Reason: ErrReference, Err: err}
		}
	} else {
		if b.RF, err = viite.ParseRF("RF" + s[25:27] + trimZeros(s[27:48])); err != nil {
			return Barcode{}, &Error{Reason: ErrReference, Err: err}
		}
	}
	if due := s[48:54]; due != "000000" {
		b.Due = civil.Date{Year: 2000 + atoi(due[0:2]), Month: time.Month(atoi(due[2:4])), Day: atoi(due[4:6])}
		if !b.Due.IsValid() {
			return Barcode{}, &Error{Reason: ErrDue}
		}
	}
	return b, nil
}

func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimZeros drops the padding zeros but keeps at least one digit, so that
// an all-zero reference fails as a bad reference rather than as empty.
func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// appendDigits appends n as exactly width digits with leading zeros.
func appendDigits(b []byte, n int64, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

func appendPadded(b []byte, digits string, width int) []byte {
	for range width - len(digits) {
		b = append(b, '0')
	}
	return append(b, digits...)
}
