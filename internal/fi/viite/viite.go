// Package viite creates and validates Finnish creditor references (viitenumero) and RF creditor references (ISO 11649).
package viite

import "strings"

// Ref is a valid Finnish creditor reference such as 1234561: 4–20 digits,
// the last a check digit, with no leading zeros. References compare with ==;
// the zero Ref is "no reference".
type Ref struct {
	// A fixed array keeps New and Parse allocation-free; 20 digits do not
	// all fit in a uint64.
	n uint8
	d [20]byte
}

// Reason says why a reference is not valid. Reasons are errors themselves so
// that errors.Is(err, viite.ErrCheck) works; callers translate by Reason.
type Reason int

// The reasons.
const (
	ErrLength      Reason = iota + 1 // too short or too long
	ErrFormat                        // characters that do not belong
	ErrCheck                         // check digit(s) do not match
	ErrNotNational                   // a valid RF reference without a Finnish reference inside
)

func (r Reason) Error() string {
	switch r {
	case ErrLength:
		return "a reference number has 4–20 digits including the check digit"
	case ErrFormat:
		return "a reference number has only digits"
	case ErrCheck:
		return "the check digit does not match"
	case ErrNotNational:
		return "the RF reference does not contain a Finnish reference number"
	}
	return "invalid reference"
}

// Error is the error returned for an invalid reference.
type Error struct {
	Reason Reason
	// RF is true when the text was read as an RF reference.
	RF bool
}

func (e *Error) Error() string {
	if e.RF {
		switch e.Reason {
		case ErrLength:
			return "viite: an RF reference has RF, two check digits and 1–21 letters or digits"
		case ErrFormat:
			return "viite: an RF reference starts with RF and two check digits followed by letters and digits"
		case ErrCheck:
			return "viite: the RF check digits do not match"
		}
	}
	return "viite: " + e.Reason.Error()
}

// Is makes errors.Is(err, viite.ErrCheck) true for an *Error with that Reason.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

// New returns the reference made from base, 3–19 digits, by appending the
// check digit. Leading zeros do not count: banks drop them.
func New(base string) (Ref, error) {
	for i := 0; i < len(base); i++ {
		if c := base[i]; c < '0' || c > '9' {
			return Ref{}, &Error{Reason: ErrFormat}
		}
	}
	base = strings.TrimLeft(base, "0")
	if len(base) < 3 || len(base) > 19 {
		return Ref{}, &Error{Reason: ErrLength}
	}
	var r Ref
	r.n = uint8(copy(r.d[:], base))
	r.d[r.n] = '0' + checkDigit(r.d[:r.n])
	r.n++
	return r, nil
}

// MustNew is New for literals in tests and demo data; it panics on error.
func MustNew(base string) Ref {
	r, err := New(base)
	if err != nil {
		panic(err)
	}
	return r
}

// Parse validates a reference as a payer or a bank prints it: spaces (as
// in 1 23456 71234 56784) and leading zeros are ignored.
func Parse(s string) (Ref, error) {
	var r Ref
	leading := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c < '0' || c > '9':
			return Ref{}, &Error{Reason: ErrFormat}
		case c == '0' && leading:
			continue
		}
		leading = false
		if r.n == 20 {
			return Ref{}, &Error{Reason: ErrLength}
		}
		r.d[r.n] = c
		r.n++
	}
	if r.n < 4 {
		return Ref{}, &Error{Reason: ErrLength}
	}
	if r.d[r.n-1]-'0' != checkDigit(r.d[:r.n-1]) {
		return Ref{}, &Error{Reason: ErrCheck}
	}
	return r, nil
}

// MustParse is Parse for literals in tests and demo data; it panics on error.
func MustParse(s string) Ref {
	r, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

// checkDigit weights the digits 7, 3, 1, 7, 3, 1… from the right.
func checkDigit(base []byte) byte {
	sum := 0
	w := [3]int{7, 3, 1}
	for i, j := len(base)-1, 0; i >= 0; i, j = i-1, j+1 {
		sum += int(base[i]-'0') * w[j%3]
	}
	return byte((10 - sum%10) % 10)
}

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.n == 0 }

// String returns the reference as plain digits, the electronic form.
func (r Ref) String() string { return string(r.d[:r.n]) }

// Grouped returns the reference in groups of five digits counted from the
// right, as printed on invoices: 1 23456 71234 56784.
func (r Ref) Grouped() string {
	b := make([]byte, 0, r.n+r.n/5)
	for i := 0; i < int(r.n); i++ {
		if i > 0 && (int(r.n)-i)%5 == 0 {
			b = append(b, ' ')
		}
		b = append(b, r.d[i])
	}
	return string(b)
}

// MarshalText implements encoding.TextMarshaler.
func (r Ref) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero Ref.
func (r *Ref) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = Ref{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseAny reads a reference from a bank statement or a payer, where either
// form may appear, and returns the Finnish reference: a national reference
// as is, or the one inside an RF reference. It fails with ErrNotNational
// for a valid RF reference that holds something else.
func ParseAny(s string) (Ref, error) {
	t := strings.TrimLeft(s, " ")
	if len(t) >= 2 && (t[0] == 'R' || t[0] == 'r') && (t[1] == 'F' || t[1] == 'f') {
		rf, err := ParseRF(s)
		if err != nil {
			return Ref{}, err
		}
		return rf.National()
	}
	return Parse(s)
}
