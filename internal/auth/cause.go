package auth

import (
	"errors"
	"fmt"
	"strings"
)

// causeError is why a sign-in failed, in words for the operator's log. Its
// text names settings, endpoints and protocol errors, never a claim's
// value: no identity code, name or token ever goes into one.
type causeError struct {
	text string
	err  error // kept for errors.Is; its text is not shown
}

func (e *causeError) Error() string { return e.text }
func (e *causeError) Unwrap() error { return e.err }

// because makes a cause; err may be nil.
func because(err error, format string, args ...any) error {
	return &causeError{text: fmt.Sprintf(format, args...), err: err}
}

// Because is a cause made outside this package (the callback's checks).
func Because(format string, args ...any) error { return because(nil, format, args...) }

// Cause is the operator's explanation of a sign-in or provider error, safe
// to log: "" when err carries none.
func Cause(err error) string {
	var c *causeError
	if errors.As(err, &c) {
		return c.text
	}
	return ""
}

// clipCause keeps a provider's or library's message short and on one line.
func clipCause(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
