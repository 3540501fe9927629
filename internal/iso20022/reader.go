package iso20022

import (
	"fmt"
	"io"
	"strings"
)

// Reader streams the entries of a camt.054 notification or camt.053
// statement. It holds one entry in memory at a time, so a file of a million
// entries is read in constant memory.
//
// A file that fails part-way (truncated, malformed) has already yielded its
// earlier entries: callers must not commit anything until Next returns
// io.EOF.
type Reader struct {
	// Exactly one is set: the scanner NewReader uses, or the reference
	// implementation on encoding/xml that the tests hold it to.
	fast *fastReader
	ref  *xmlReader
}

// NewReader reads the file up to its first entry and checks that it is a
// camt.054 or camt.053 message of a supported version (001.02 to 001.08).
// A document of another kind, say a pain.001, gives an *Error with
// ReasonMessageType; an unsupported camt version one with ReasonVersion.
//
// Files declared as ISO-8859-1 or ISO-8859-15 are converted; UTF-8 is the
// norm.
//
// It reads with a scanner of its own, which accepts, refuses and returns
// exactly what the reference implementation on encoding/xml does (the tests
// compare the two on every input they have, and fuzz them), in about a
// fifteenth of the CPU time.
func NewReader(rd io.Reader) (*Reader, error) {
	r, err := newFastReader(rd)
	if err != nil {
		return nil, err
	}
	return &Reader{fast: r}, nil
}

// newReferenceReader is NewReader on encoding/xml, for the tests that
// compare the two.
func newReferenceReader(rd io.Reader) (*Reader, error) {
	r, err := newXMLReader(rd)
	if err != nil {
		return nil, err
	}
	return &Reader{ref: r}, nil
}

// Header returns what the file says about itself and its (first) account.
func (r *Reader) Header() Header {
	if r.fast != nil {
		return r.fast.h
	}
	return r.ref.h
}

// Next returns the next entry, or io.EOF after the last one once the whole
// document has been read and found complete.
//
// An *Error about one entry's content (ReasonAmount, ReasonCurrency,
// ReasonMissing, ReasonCode, ReasonDate, ReasonTotals) leaves the Reader
// usable: calling Next again continues with the following entry, so that
// all such problems in a file can be reported at once. Any other error is
// final and returned again by every later call.
func (r *Reader) Next() (Entry, error) {
	if r.fast != nil {
		return r.fast.next()
	}
	return r.ref.next()
}

var byteOrderMark = []byte("\uFEFF")

type scanState int

const (
	beforeDocument scanState = iota
	inDocument               // inside <Document>, expecting the message element
	inMessage                // inside BkToCstmrDbtCdtNtfctn / BkToCstmrStmt
	inReport                 // inside Ntfctn / Stmt
	afterDocument
)

// camtState follows the structure of a camt document above the entries,
// the part both readers share: which element may come where, the header
// and the current account.
type camtState struct {
	h       Header
	state   scanState
	reports int    // Ntfctn/Stmt elements opened so far
	account string // IBAN of the open Ntfctn/Stmt; "" until its Acct is read
	sawHdr  bool
	index   int // entries begun so far
}

// action says what the reader does with a start tag met while scanning.
type action int

const (
	actNone        action = iota // nothing: the tag opened a level the state now follows
	actSkip                      // skip the element
	actGroupHeader               // decode GrpHdr and call setGroupHeader
	actAccount                   // decode Acct and call setAccount
	actEntry                     // an Ntry: decode it as the next entry
)

// startElement handles a start tag met while scanning, with its local name
// and (only looked at for the root) its namespace.
func (c *camtState) startElement(local, space string, line int) (action, error) {
	fail := func(reason Reason, field, format string, args ...any) error {
		return &Error{Reason: reason, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch c.state {
	case beforeDocument:
		if local != "Document" {
			return actNone, fail(ReasonMessageType, "", "the root element is <%s>, not an ISO 20022 <Document>", local)
		}
		msg, version, ok := camtNamespace(space)
		switch {
		case !ok:
			return actNone, fail(ReasonMessageType, "Document", "namespace %q is not an ISO 20022 message namespace", space)
		case msg != Camt053 && msg != Camt054:
			return actNone, fail(ReasonMessageType, "Document", "the file is a %s message, not camt.053 or camt.054", msg)
		case !supportedVersions[version]:
			return actNone, fail(ReasonVersion, "Document", "%s version %s is not supported (001.02 to 001.08 are)", msg, version)
		}
		c.h.Message, c.h.Version = msg, version
		c.state = inDocument

	case inDocument:
		want := "BkToCstmrDbtCdtNtfctn"
		if c.h.Message == Camt053 {
			want = "BkToCstmrStmt"
		}
		if local != want {
			return actNone, fail(ReasonMessageType, "Document/"+local, "expected <%s> in a %s document", want, c.h.Message)
		}
		c.state = inMessage

	case inMessage:
		switch local {
		case "GrpHdr":
			return actGroupHeader, nil
		case c.reportElement():
			if !c.sawHdr {
				return actNone, fail(ReasonMissing, "GrpHdr", "group header missing")
			}
			c.reports++
			c.account = ""
			c.state = inReport
		default:
			return actSkip, nil
		}

	case inReport:
		switch local {
		case "Acct":
			return actAccount, nil
		case "Ntry":
			if c.account == "" {
				return actNone, fail(ReasonMissing, c.reportElement()+"/Acct", "entry before the account it belongs to")
			}
			return actEntry, nil
		default:
			return actSkip, nil
		}

	case afterDocument:
		// encoding/xml accepts a second root element; XML does not.
		return actNone, fail(ReasonSyntax, "", "element <%s> after the end of the document", local)
	}
	return actNone, nil
}

// end handles an end tag met while scanning. Elements that scan skips or
// decodes never get here, so an end tag always closes the current level.
func (c *camtState) end(line int) error {
	switch c.state {
	case inReport:
		if c.account == "" {
			return &Error{Reason: ReasonMissing, Line: line, Field: c.reportElement() + "/Acct/Id/IBAN", Msg: "account missing"}
		}
		c.state = inMessage
	case inMessage:
		if c.reports == 0 {
			return &Error{Reason: ReasonMissing, Line: line, Field: c.reportElement(), Msg: "the message has no " + c.reportElement()}
		}
		c.state = inDocument
	case inDocument:
		c.state = afterDocument
	}
	return nil
}

func (c *camtState) reportElement() string {
	if c.h.Message == Camt053 {
		return "Stmt"
	}
	return "Ntfctn"
}

// setGroupHeader takes GrpHdr/MsgId and GrpHdr/CreDtTm as decoded.
func (c *camtState) setGroupHeader(msgID, created string, line int) error {
	c.h.MessageID = strings.TrimSpace(msgID)
	if c.h.MessageID == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: "GrpHdr/MsgId", Msg: "message id missing"}
	}
	if strings.TrimSpace(created) == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: "GrpHdr/CreDtTm", Msg: "creation time missing"}
	}
	t, err := parseDateTime(created)
	if err != nil {
		return &Error{Reason: ReasonDate, Line: line, Field: "GrpHdr/CreDtTm", Msg: err.Error()}
	}
	c.h.CreatedAt = t
	c.sawHdr = true
	return nil
}

// setAccount takes Acct/Id/IBAN and Acct/Ccy as decoded.
func (c *camtState) setAccount(iban, ccy string, line int) error {
	field := c.reportElement() + "/Acct/"
	iban = strings.TrimSpace(iban)
	if iban == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: field + "Id/IBAN", Msg: "account IBAN missing"}
	}
	ccy = strings.TrimSpace(ccy)
	if ccy != "" && ccy != "EUR" {
		return &Error{Reason: ReasonCurrency, Line: line, Field: field + "Ccy", Msg: fmt.Sprintf("account currency %q is not EUR", ccy)}
	}
	c.account = iban
	if c.reports == 1 {
		c.h.AccountIBAN, c.h.Currency = iban, ccy
	}
	return nil
}

// source wraps the caller's reader to tell its I/O errors apart from the
// parser's own, to see where the input ended, and to remember its last
// bytes for endsMidCharacter.
type source struct {
	r    io.Reader
	n    int64 // bytes read so far
	eof  bool
	err  error // first error other than io.EOF
	tail [4]byte
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.n += int64(n)
		if n >= len(s.tail) {
			copy(s.tail[:], p[n-len(s.tail):n])
		} else {
			copy(s.tail[:], s.tail[n:])
			copy(s.tail[len(s.tail)-n:], p[:n])
		}
	}
	switch {
	case err == io.EOF:
		s.eof = true
	case err != nil && s.err == nil:
		s.err = err
	}
	return n, err
}

// endsMidCharacter reports whether the input has ended, at most four bytes
// after offset, inside a multi-byte UTF-8 sequence. A file cut there fails
// as "invalid UTF-8" rather than "unexpected EOF", but it is truncated all
// the same.
func (s *source) endsMidCharacter(offset int64) bool {
	if !s.eof || s.n-offset > 4 {
		return false
	}
	tail := s.tail[:]
	for i := len(tail) - 1; i >= 0 && i >= len(tail)-3; i-- {
		b := tail[i]
		if b < 0x80 {
			return false
		}
		if b >= 0xC0 { // a lead byte: is its sequence complete?
			need := 2
			if b >= 0xE0 {
				need = 3
			}
			if b >= 0xF0 {
				need = 4
			}
			return len(tail)-i < need
		}
	}
	return false
}
