package iso20022

import (
	"unicode/utf8"
)

// These checks are local rather than imported from internal/fi so that
// this package stays a leaf; they are the same rules (DOMAIN.md §1).

// validIBAN checks the form the schema allows (IBAN2007Identifier, upper
// case only: banks compare IBANs as written) and the ISO 13616 check digits.
func validIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 || !upperAlpha(s[:2]) || !allDigits(s[2:4]) || !upperAlnum(s[4:]) {
		return false
	}
	return mod97(s[4:]+s[:4]) == 1
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

// validRF checks an ISO 11649 creditor reference: RF, two check digits and
// up to 21 letters or digits, 97-10 checked like an IBAN.
func validRF(s string) bool {
	if len(s) < 5 || len(s) > 25 || s[:2] != "RF" || !allDigits(s[2:4]) || !upperAlnum(s[4:]) {
		return false
	}
	return mod97(s[4:]+s[:4]) == 1
}

// validFinnishRef checks a Finnish national reference number (viitenumero):
// 4 to 20 digits, the last a 7-3-1 weighted check digit.
func validFinnishRef(s string) bool {
	if len(s) < 4 || len(s) > 20 || !allDigits(s) {
		return false
	}
	weights := [3]int{7, 3, 1}
	sum := 0
	for i, j := len(s)-2, 0; i >= 0; i, j = i-1, j+1 {
		sum += int(s[i]-'0') * weights[j%3]
	}
	return int(s[len(s)-1]-'0') == (10-sum%10)%10
}

// mod97 computes the ISO 7064 remainder of s with letters as 10..35.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
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
