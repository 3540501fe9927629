package mail

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"regexp"

	gomail "github.com/wneessen/go-mail"
)

// Stages of a send, in Error.Op.
const (
	// OpMessage: the message was refused before any connection (a bad
	// address, a line break in the subject…). Never temporary.
	OpMessage = "message"
	// OpConnect: connecting, the greeting, EHLO, STARTTLS or AUTH failed.
	// The message was never offered, so this is always temporary: the
	// server or the configuration is at fault, and a retry after the
	// operator fixes it delivers the message.
	OpConnect = "connect"
	// OpMailFrom, OpRcptTo and OpData: the server refused or lost this
	// message; 5xx is permanent, 4xx and a lost connection temporary.
	OpMailFrom = "mail from"
	OpRcptTo   = "rcpt to"
	OpData     = "data"
)

// Error is a failed send. Its text never holds an e-mail address or any
// part of the message, so it can be logged as it is.
type Error struct {
	Op string
	// Code is the SMTP reply code (451, 550…), zero when the server gave
	// none: a refused or lost connection, a timeout, a bad message.
	Code int
	// Enhanced is the RFC 3463 status code ("5.1.1") when the server gave
	// one.
	Enhanced string
	// Temporary says a later try of the same message may succeed.
	Temporary bool

	msg string // already free of addresses
	err error
}

func (e *Error) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	return "mail: " + e.Op + ": " + e.msg + " (" + kind + ")"
}

// Unwrap gives the cause, for errors.Is(err, context.Canceled) and the
// like. The cause's own text may hold the recipient address (go-mail puts
// it there): log the Error, not its cause.
func (e *Error) Unwrap() error { return e.err }

// IsTemporary reports whether trying the same message again later may
// succeed: a 4xx answer, a refused, lost or timed-out connection, a
// cancelled context, or any failure before the message was offered (see
// OpConnect). A 5xx answer to the message and a message refused before
// sending are permanent. An error this package did not make counts as
// temporary, so that a notice is never dropped by mistake.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code < 500
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp() || se.ErrorCode() < 500
	}
	return true
}

func invalid(format string, args ...any) *Error {
	return &Error{Op: OpMessage, msg: fmt.Sprintf(format, args...)}
}

// addrRE finds what looks like an e-mail address (or a Message-ID, which
// looks the same) in a server's answer or a go-mail error.
var addrRE = regexp.MustCompile(`[^\s<>()\[\],;:"']+@[^\s<>()\[\],;:"']+`)

func redact(s string) string {
	s = addrRE.ReplaceAllString(s, "…")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// connectError classifies a failure to open a session.
func connectError(ctx context.Context, err error) *Error {
	e := &Error{Op: OpConnect, Temporary: true, msg: redact(err.Error()), err: err}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code = tp.Code
		e.Enhanced = enhancedRE.FindString(tp.Msg)
	}
	withContext(ctx, e)
	return e
}

var enhancedRE = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// sendError classifies a failure to send one message on an open session.
func sendError(ctx context.Context, err error) *Error {
	e := &Error{Op: OpData, Temporary: true, msg: redact(err.Error()), err: err}
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrSMTPMailFrom:
			e.Op = OpMailFrom
		case gomail.ErrSMTPRcptTo:
			e.Op = OpRcptTo
		case gomail.ErrConnCheck:
			e.Op = OpConnect
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			e.Op = OpMessage
		}
		e.Code = se.ErrorCode()
		e.Enhanced = se.EnhancedStatusCode()
	}
	switch {
	case e.Op == OpMessage:
		e.Temporary = false
	case e.Code == 0:
		// No answer at all: a lost connection or a timeout. The server may
		// even have taken the message; retrying with the same MessageID
		// lets the recipient's software spot the duplicate.
		e.Temporary = true
	case authCode(e.Code):
		// An AUTH-related answer to MAIL FROM is about the session.
		e.Temporary = true
	default:
		e.Temporary = e.Code < 500
	}
	withContext(ctx, e)
	return e
}

// authCode: 530 authentication required, 534 mechanism too weak, 535
// credentials invalid, 538 encryption required (RFC 4954).
func authCode(code int) bool {
	return code == 530 || code == 534 || code == 535 || code == 538
}

// withContext marks a failure that came from a cancelled or expired
// context: it is temporary and errors.Is finds the context's error.
func withContext(ctx context.Context, e *Error) {
	if cerr := ctx.Err(); cerr != nil {
		e.Temporary = true
		e.msg = cerr.Error() + ": " + e.msg
		e.err = fmt.Errorf("%w: %w", cerr, e.err)
	}
}
