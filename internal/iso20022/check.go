package iso20022

import (
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

// validIBAN checks an IBAN in the form the schema allows: electronic form,
// upper case, no spaces (banks compare IBANs as written), with valid check
// digits and the country's length.
func validIBAN(s string) bool {
	a, err := iban.Parse(s)
	return err == nil && a.String() == s
}

// validBIC checks the BICIdentifier pattern
// [A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}.
func validBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	if !upperAlpha(s[:6]) {
		return false
	}
	if c := s[6]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '9') {
		return false
	}
	if c := s[7]; !(c >= 'A' && c <= 'Z' && c != 'O' || c >= '0' && c <= '9') {
		return false
	}
	return upperAlnum(s[8:])
}

// validRF checks an ISO 11649 creditor reference written as the schema
// wants it: RF, two check digits and the reference, no spaces.
func validRF(s string) bool {
	r, err := viite.ParseRF(s)
	return err == nil && r.String() == s
}

// validFinnishRef checks a Finnish national reference number (viitenumero)
// written plainly: digits only, no leading zeros, a valid check digit.
func validFinnishRef(s string) bool {
	r, err := viite.Parse(s)
	return err == nil && r.String() == s
}

func upperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func upperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// xmlText reports whether s can be written to XML and read back unchanged:
// encoding/xml silently replaces characters outside the XML Char production
// (most control characters, invalid UTF-8) with U+FFFD.
func xmlText(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !(r == 0x09 || r == 0x0A || r == 0x0D ||
			r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD ||
			r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += size
	}
	return true
}
