// Package ytunnus parses, validates and generates Finnish business IDs (Y-tunnus).
package ytunnus

import "strings"

// ID is a valid business ID such as 2077474-0. IDs compare with ==; the zero
// ID is "no ID".
type ID struct {
	b [9]byte // NNNNNNN-C
}

// weights apply to the seven base digits, left to right.
var weights = [7]int{7, 9, 10, 5, 8, 4, 2}

// Reason says why an ID is not valid. Reasons are errors themselves so that
// errors.Is(err, ytunnus.ErrCheck) works; callers translate by Reason.
type Reason int

// The reasons, in the order Parse checks them.
const (
	ErrLength Reason = iota + 1 // not 9 characters (or 8 with an old six-digit base)
	ErrFormat                   // not digits with a hyphen before the check digit
	ErrCheck                    // check digit does not match, or the base can have none
)

func (r Reason) Error() string {
	switch r {
	case ErrLength:
		return "a business ID has seven digits, a hyphen and a check digit"
	case ErrFormat:
		return "a business ID has the form 1234567-8"
	case ErrCheck:
		return "the check digit does not match"
	}
	return "invalid business ID"
}

// Error is the error returned for an invalid business ID.
type Error struct {
	Reason Reason
}

func (e *Error) Error() string { return "ytunnus: " + e.Reason.Error() }

// Is makes errors.Is(err, ytunnus.ErrCheck) true for an *Error with that Reason.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

// Parse validates s and returns the ID. Surrounding white space is ignored,
// and an old six-digit form such as 737546-2 gets its leading zero back, as
// the Finnish Patent and Registration Office instructs.
func Parse(s string) (ID, error) {
	s = strings.TrimSpace(s)
	var id ID
	switch len(s) {
	case 9:
		copy(id.b[:], s)
	case 8:
		id.b[0] = '0'
		copy(id.b[1:], s)
	default:
		return ID{}, &Error{ErrLength}
	}
	if id.b[7] != '-' {
		return ID{}, &Error{ErrFormat}
	}
	base := 0
	for _, c := range id.b[:7] {
		if c < '0' || c > '9' {
			return ID{}, &Error{ErrFormat}
		}
		base = base*10 + int(c-'0')
	}
	c := id.b[8]
	if c < '0' || c > '9' {
		return ID{}, &Error{ErrFormat}
	}
	want, ok := check(base)
	if !ok || int(c-'0') != want {
		return ID{}, &Error{ErrCheck}
	}
	return id, nil
}

// MustParse is Parse for literals in tests and demo data; it panics on error.
func MustParse(s string) ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// Make returns the ID for a base number 0–9999999 with its check digit. It
// reports false when the base is out of range or no check digit exists for
// it (remainder 1), in which case the registry never issues that base.
func Make(base int) (ID, bool) {
	if base < 0 || base > 9999999 {
		return ID{}, false
	}
	c, ok := check(base)
	if !ok {
		return ID{}, false
	}
	var id ID
	for i, n := 6, base; i >= 0; i-- {
		id.b[i] = byte('0' + n%10)
		n /= 10
	}
	id.b[7] = '-'
	id.b[8] = byte('0' + c)
	return id, true
}

func check(base int) (int, bool) {
	sum := 0
	for i := 6; i >= 0; i-- {
		sum += base % 10 * weights[i]
		base /= 10
	}
	switch r := sum % 11; r {
	case 0:
		return 0, true
	case 1:
		return 0, false
	default:
		return 11 - r, true
	}
}

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// String returns the ID as NNNNNNN-C, or "" for the zero ID.
func (id ID) String() string {
	if id.IsZero() {
		return ""
	}
	return string(id.b[:])
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero ID.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
