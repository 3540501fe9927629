// Package fault is etuus's one error type: a kind that picks the HTTP status
// and logging, a translatable message for the user, and the cause for the log.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error by what the caller should do about it.
type Kind int

// The kinds. Internal is the zero value so that an unclassified error is
// treated as a fault of ours, never as the user's.
const (
	Internal     Kind = iota // a bug or an unexpected failure: logged, 500
	Invalid                  // the input breaks a rule: 400 or 422, not logged as a fault
	NotFound                 // no such thing, or not yours: 404
	Forbidden                // you may not: 403
	Unauthorized             // sign in first: 401
	Conflict                 // the state changed under you, or a duplicate: 409
	TooMany                  // rate limit: 429
	Unavailable              // a dependency is down; try again later: 503
	TooLarge                 // the body or file is over a limit: 413
)

var kindNames = [...]string{"internal", "invalid", "not_found", "forbidden", "unauthorized", "conflict", "too_many", "unavailable", "too_large"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Status is the HTTP status code that answers an error of this kind.
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// Error is an error with a kind, a message key the user interface translates,
// optional template data for that message, and the underlying cause, which is
// logged but never shown.
type Error struct {
	Kind  Kind
	Key   string         // i18n message key, e.g. "error.hetu.check"
	Data  map[string]any // template data for the message
	Field string         // the form field at fault, if any
	Err   error          // the cause; for logs only
}

func (e *Error) Error() string {
	msg := e.Kind.String()
	if e.Key != "" {
		msg += ": " + e.Key
	}
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the kind with a message key.
func New(k Kind, key string) *Error { return &Error{Kind: k, Key: key} }

// Wrap returns an error of the kind with a message key and a cause.
func Wrap(k Kind, key string, err error) *Error { return &Error{Kind: k, Key: key, Err: err} }

// InvalidField is the usual validation failure: the field and the message key.
func InvalidField(field, key string, data map[string]any) *Error {
	return &Error{Kind: Invalid, Key: key, Field: field, Data: data}
}

// KindOf reports the kind of err: that of the first *Error in its chain, or
// Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err carries the kind.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// KeyOf returns the message key for the user, with a generic key per kind
// when the error carries none, so users never see internals.
func KeyOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Key != "" {
		return e.Key
	}
	return "error." + KindOf(err).String()
}

// DataOf returns the template data of the first *Error in err's chain.
func DataOf(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) {
		return e.Data
	}
	return nil
}

// FieldOf returns the form field of the first *Error in err's chain, or ""
// when the error is about no field.
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// All returns every *Error in err's tree, in order: one per branch of an
// errors.Join, so that a form refused for several reasons can list them
// all. An error with no *Error in it gives none.
func All(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
		case *Error:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}
