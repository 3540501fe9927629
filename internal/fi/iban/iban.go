// Package iban validates and formats International Bank Account Numbers for Finland and the SEPA countries.
package iban

import "strings"

// IBAN is a valid International Bank Account Number. IBANs compare with ==;
// the zero IBAN is "no account".
type IBAN struct {
	n uint8
	b [34]byte // electronic form: upper case, no spaces
}

// countries holds the IBAN length of each country etuus accepts: Finland
// and the SEPA countries (SWIFT IBAN Registry). An account elsewhere is an
// error rather than a guess, because payments go out only through SEPA.
var countries = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
	"DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
	"GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
	"IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
	"MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
	"SI": 19, "SK": 24, "SM": 27, "VA": 22,
}

// lengths is countries indexed by the two letters, so that Parse needs no
// hashing; 0 means not accepted.
var lengths = func() (t [26 * 26]uint8) {
	for cc, n := range countries {
		t[int(cc[0]-'A')*26+int(cc[1]-'A')] = uint8(n)
	}
	return t
}()

// Reason says why an IBAN is not valid. Reasons are errors themselves so
// that errors.Is(err, iban.ErrCheck) works; callers translate by Reason.
type Reason int

// The reasons, in the order Parse checks them.
const (
	ErrFormat  Reason = iota + 1 // not two letters, two digits and letters or digits
	ErrCountry                   // a country whose IBANs are not accepted
	ErrLength                    // wrong length for the country
	ErrCheck                     // check digits do not match
)

func (r Reason) Error() string {
	switch r {
	case ErrFormat:
		return "an IBAN has a country code, two check digits and then letters and digits"
	case ErrCountry:
		return "accounts in this country are not accepted"
	case ErrLength:
		return "the IBAN has the wrong number of characters for its country"
	case ErrCheck:
		return "the check digits do not match"
	}
	return "invalid IBAN"
}

// Error is the error returned for an invalid IBAN.
type Error struct {
	Reason Reason
}

func (e *Error) Error() string { return "iban: " + e.Reason.Error() }

// Is makes errors.Is(err, iban.ErrCheck) true for an *Error with that Reason.
func (e *Error) Is(target error) bool {
	r, ok := target.(Reason)
	return ok && r == e.Reason
}

// Parse validates an IBAN in its electronic or print form: spaces and a
// leading "IBAN " are ignored, and letters may be lower case.
func Parse(s string) (IBAN, error) {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.EqualFold(s[:4], "IBAN") {
		s = s[4:]
	}
	var a IBAN
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch {
		case c == ' ':
			continue
		case !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z'):
			return IBAN{}, &Error{ErrFormat}
		case int(a.n) == len(a.b):
			return IBAN{}, &Error{ErrLength}
		}
		a.b[a.n] = c
		a.n++
	}
	if a.n < 5 || !letter(a.b[0]) || !letter(a.b[1]) || !digit(a.b[2]) || !digit(a.b[3]) {
		return IBAN{}, &Error{ErrFormat}
	}
	want := lengths[int(a.b[0]-'A')*26+int(a.b[1]-'A')]
	if want == 0 {
		return IBAN{}, &Error{ErrCountry}
	}
	if int(a.n) != int(want) {
		return IBAN{}, &Error{ErrLength}
	}
	// Check digits 00, 01 and 99 can satisfy mod 97 but are never issued.
	if cd := a.b[2:4]; string(cd) == "00" || string(cd) == "01" || string(cd) == "99" || a.mod97() != 1 {
		return IBAN{}, &Error{ErrCheck}
	}
	return a, nil
}

// MustParse is Parse for literals in tests and demo data; it panics on error.
func MustParse(s string) IBAN {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// mod97 computes the ISO 7064 remainder of the BBAN followed by the country
// and check digits, letters counting A=10 … Z=35.
func (a IBAN) mod97() int {
	// Reduce only when the next step could overflow: a division per
	// character would be most of Parse's time.
	var m uint64
	for i := 4; i < int(a.n)+4; i++ {
		if m >= 1<<56 {
			m %= 97
		}
		c := a.b[i%int(a.n)]
		if c <= '9' {
			m = m*10 + uint64(c-'0')
		} else {
			m = m*100 + uint64(c-'A') + 10
		}
	}
	return int(m % 97)
}

func letter(c byte) bool { return 'A' <= c && c <= 'Z' }
func digit(c byte) bool  { return '0' <= c && c <= '9' }

// IsZero reports whether a is the zero IBAN.
func (a IBAN) IsZero() bool { return a.n == 0 }

// String returns the electronic form, such as FI3715903000000776.
func (a IBAN) String() string { return string(a.b[:a.n]) }

// Grouped returns the print form in groups of four, such as
// FI37 1590 3000 0007 76.
func (a IBAN) Grouped() string {
	b := make([]byte, 0, int(a.n)+int(a.n)/4)
	for i, c := range a.b[:a.n] {
		if i > 0 && i%4 == 0 {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	return string(b)
}

// Country returns the ISO 3166 country code, such as "FI".
func (a IBAN) Country() string { return string(a.b[:min(2, a.n)]) }

// IsFinnish reports whether the account is in Finland. Finnish bank
// barcodes and reference payments need one.
func (a IBAN) IsFinnish() bool { return a.n > 0 && a.b[0] == 'F' && a.b[1] == 'I' }

// BBAN returns the national account number after the check digits.
func (a IBAN) BBAN() string {
	if a.n < 4 {
		return ""
	}
	return string(a.b[4:a.n])
}

// MarshalText implements encoding.TextMarshaler with the electronic form.
func (a IBAN) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero IBAN.
func (a *IBAN) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*a = IBAN{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
