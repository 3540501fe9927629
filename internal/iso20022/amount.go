package iso20022

import (
	"errors"
	"strconv"
	"strings"
)

// maxAmountCents is the largest amount the schemas allow: totalDigits 18
// (ActiveOrHistoricCurrencyAndAmount, DecimalNumber), which with two
// decimals is 16 digits of euros, comfortably inside int64.
const maxAmountCents = 999_999_999_999_999_999

var (
	errAmountEmpty    = errors.New("empty amount")
	errAmountNegative = errors.New("negative amount")
	errAmountSyntax   = errors.New("not a decimal number")
	errAmountDecimals = errors.New("more than two decimals")
	errAmountRange    = errors.New("amount too large")
)

// parseCents parses an xs:decimal amount into cents, exactly: amounts are
// money, and a float would round 0.29 to 28.999… cents. Leading and
// trailing white space is allowed (the schema type collapses it); a sign,
// an exponent or more than two decimals are not.
func parseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errAmountEmpty
	}
	if s[0] == '-' {
		return 0, errAmountNegative
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, errAmountSyntax
	}
	if len(frac) > 2 {
		return 0, errAmountDecimals
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 16 {
		return 0, errAmountRange
	}
	var cents int64
	for _, c := range whole {
		cents = cents*10 + int64(c-'0')
	}
	cents *= 100
	switch len(frac) {
	case 1:
		cents += int64(frac[0]-'0') * 10
	case 2:
		cents += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	return cents, nil
}

// formatCents writes cents as a decimal with exactly two places, the form
// Finnish banks expect in pain.001 (1.50, never 1.5).
func formatCents(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/100, 10)
	r := u % 100
	out := make([]byte, 0, len(s)+4)
	if neg {
		out = append(out, '-')
	}
	out = append(out, s...)
	out = append(out, '.', byte('0'+r/10), byte('0'+r%10))
	return string(out)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
