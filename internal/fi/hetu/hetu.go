// Package hetu parses, validates and generates Finnish personal identity codes (henkilötunnus).
package hetu

import (
	"log/slog"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Code is a valid personal identity code such as 131052-308T.
//
// It keeps all 11 characters, century sign included: since 2023 the signs
// -YXWVU and ABCDEF are interchangeable within a century, and two people
// may have codes that differ only in the sign, so the sign is part of the
// identity and is never normalised. Codes compare with ==. The zero Code is
// "no code".
type Code struct {
	// A fixed array rather than a string keeps Parse allocation-free
	// and makes Code usable as a map key.
	b [11]byte
}

// checkChars maps DDMMYYZZZ mod 31 to the check character.
const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Reason says why a code is not valid. Reasons are errors themselves so that
// errors.Is(err, hetu.ErrCheck) works; callers translate messages by Reason.
type Reason int

// The reasons, in the order Parse checks them.
const (
	ErrLength     Reason = iota + 1 // not 11 characters
	ErrFormat                       // a non-digit where a digit belongs
	ErrCentury                      // unknown century sign
	ErrDate                         // no such birth date
	ErrIndividual                   // individual number 000 or 001
	ErrCheck                        // check character does not match
)

func (r Reason) Error() string {
	switch r {
	case ErrLength:
		return "a personal identity code has 11 characters"
	case ErrFormat:
		return "a personal identity code has digits in positions 1–6 and 8–10"
	case ErrCentury:
		return "unknown century sign (expected one of + - Y X W V U A B C D E F)"
	case ErrDate:
		return "the birth date does not exist"
	case ErrIndividual:
		return "the individual number must be between 002 and 999"
	case ErrCheck:
		return "the check character does not match"
	}
	return "invalid personal identity code"
}

// Error is the error returned for an invalid code. It deliberately does not
// carry the input: identity codes are personal data and errors get logged.
type Error struct {
	Reason Reason
}

func (e *Error) Error() string { return "hetu: " + e.Reason.Error() }

// Is makes errors.Is(err, hetu.ErrDate) true for an *Error with that Reason.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

// century returns the first year of the century a sign stands for.
func century(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// Parse validates s and returns the code. Surrounding white space is
// ignored and letters may be lower case; the Code holds the upper-case form.
// It does not allocate unless it fails.
func Parse(s string) (Code, error) {
	s = strings.TrimSpace(s)
	if len(s) != 11 {
		return Code{}, &Error{ErrLength}
	}
	var c Code
	for i := 0; i < 11; i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		c.b[i] = ch
	}
	// num is DDMMYYZZZ, the number the check character is computed from.
	num := 0
	for _, i := range [...]int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
		ch := c.b[i]
		if ch < '0' || ch > '9' {
			return Code{}, &Error{ErrFormat}
		}
		num = num*10 + int(ch-'0')
	}
	base, ok := century(c.b[6])
	if !ok {
		return Code{}, &Error{ErrCentury}
	}
	d := num / 10000000
	m := num / 100000 % 100
	y := base + num/1000%100
	if m < 1 || m > 12 || d < 1 || d > civil.DaysIn(y, time.Month(m)) {
		return Code{}, &Error{ErrDate}
	}
	if num%1000 < 2 {
		return Code{}, &Error{ErrIndividual}
	}
	if c.b[10] != checkChars[num%31] {
		return Code{}, &Error{ErrCheck}
	}
	return c, nil
}

// MustParse is Parse for literals in tests and demo data; it panics on error.
func MustParse(s string) Code {
	c, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// Make returns the code for a birth date, individual number and century
// sign, computing the check character. Sign 0 picks the traditional sign
// for the century ('+', '-' or 'A'). Demo and test data should use
// individual numbers 900–999, which are never given to real people.
func Make(birth civil.Date, individual int, sign byte) (Code, error) {
	if sign == 0 {
		switch birth.Year / 100 {
		case 18:
			sign = '+'
		case 19:
			sign = '-'
		case 20:
			sign = 'A'
		}
	}
	base, ok := century(sign)
	if !ok || birth.Year/100*100 != base {
		return Code{}, &Error{ErrCentury}
	}
	if !birth.IsValid() {
		return Code{}, &Error{ErrDate}
	}
	if individual < 2 || individual > 999 {
		return Code{}, &Error{ErrIndividual}
	}
	num := (birth.Day*10000+int(birth.Month)*100+birth.Year%100)*1000 + individual
	var c Code
	// DDMMYY and ZZZ are num's digits; place them around the sign.
	for i, n := 9, num; i >= 0; i-- {
		if i == 6 {
			continue
		}
		c.b[i] = byte('0' + n%10)
		n /= 10
	}
	c.b[6] = sign
	c.b[10] = checkChars[num%31]
	return c, nil
}

// IsZero reports whether c is the zero Code.
func (c Code) IsZero() bool { return c == Code{} }

// String returns the full 11-character code, or "" for the zero Code.
func (c Code) String() string {
	if c.IsZero() {
		return ""
	}
	return string(c.b[:])
}

// Masked returns the code with the individual number and check character
// hidden, such as 131052-****, for logs and screens where the birth date
// is enough to tell people apart.
func (c Code) Masked() string {
	if c.IsZero() {
		return ""
	}
	return string(c.b[:7]) + "****"
}

// LogValue implements slog.LogValuer so that a Code logged by mistake shows
// only its masked form.
func (c Code) LogValue() slog.Value { return slog.StringValue(c.Masked()) }

// BirthDate returns the date of birth encoded in the code.
func (c Code) BirthDate() civil.Date {
	if c.IsZero() {
		return civil.Date{}
	}
	base, _ := century(c.b[6])
	return civil.Date{
		Year:  base + two(c.b[4:6]),
		Month: time.Month(two(c.b[2:4])),
		Day:   two(c.b[0:2]),
	}
}

// Individual returns the individual number ZZZ (2–999).
func (c Code) Individual() int {
	if c.IsZero() {
		return 0
	}
	return int(c.b[7]-'0')*100 + two(c.b[8:10])
}

// Temporary reports whether the individual number is 900–999: a temporary
// code or an artificial one for testing, never a permanent code.
func (c Code) Temporary() bool { return c.Individual() >= 900 }

// Female reports whether the individual number is even, which marks women
// in permanent codes. It says nothing reliable for temporary codes.
func (c Code) Female() bool { return !c.IsZero() && c.Individual()%2 == 0 }

// MarshalText implements encoding.TextMarshaler.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero Code.
func (c *Code) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = Code{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

func two(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }
