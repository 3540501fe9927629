package iso20022

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
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
	d   *xml.Decoder
	src *source
	h   Header

	state   scanState
	reports int    // Ntfctn/Stmt elements opened so far
	account string // IBAN of the open Ntfctn/Stmt; "" until its Acct is read
	sawHdr  bool

	converted bool // the input is decoded from a legacy charset

	// pending is the <Ntry> start element found by the last scan, not yet
	// decoded.
	pending     bool
	pendingTag  xml.StartElement
	pendingLine int

	index int
	err   error // sticky: a broken document cannot be resynchronised
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

// NewReader reads the file up to its first entry and checks that it is a
// camt.054 or camt.053 message of a supported version (001.02 to 001.08).
// A document of another kind, say a pain.001, gives an *Error with
// ReasonMessageType; an unsupported camt version one with ReasonVersion.
//
// Files declared as ISO-8859-1 or ISO-8859-15 are converted; UTF-8 is the
// norm.
func NewReader(rd io.Reader) (*Reader, error) {
	src := &source{r: rd}
	d := xml.NewDecoder(bufio.NewReaderSize(src, 64<<10))
	r := &Reader{d: d, src: src}
	d.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		r.converted = true
		return charsetReader(charset, in)
	}
	switch err := r.scan(); err {
	case nil:
		r.pending = true
	case io.EOF:
		r.err = io.EOF // a valid file without entries
	default:
		return nil, err
	}
	return r, nil
}

// Header returns what the file says about itself and its (first) account.
func (r *Reader) Header() Header { return r.h }

// Next returns the next entry, or io.EOF after the last one once the whole
// document has been read and found complete.
//
// An *Error about one entry's content (ReasonAmount, ReasonCurrency,
// ReasonMissing, ReasonCode, ReasonDate, ReasonTotals) leaves the Reader
// usable: calling Next again continues with the following entry, so that
// all such problems in a file can be reported at once. Any other error is
// final and returned again by every later call.
func (r *Reader) Next() (Entry, error) {
	if r.err != nil {
		return Entry{}, r.err
	}
	if !r.pending {
		if err := r.scan(); err != nil {
			r.err = err
			return Entry{}, err
		}
	}
	r.pending = false
	r.index++
	var x xmlEntry
	if err := r.d.DecodeElement(&x, &r.pendingTag); err != nil {
		r.err = r.xmlError(err, r.pendingLine, r.index)
		return Entry{}, r.err
	}
	return convertEntry(&x, r.index, r.pendingLine, r.account)
}

// scan reads tokens up to the next <Ntry> start tag, which it leaves in
// pendingTag, checking the document's structure and collecting the header
// and account on the way. It returns io.EOF when the document has ended
// cleanly.
func (r *Reader) scan() error {
	for {
		// The position before Token is where the next token starts: the
		// previous token (often white space) ended right before its '<'.
		line, _ := r.d.InputPos()
		tok, err := r.d.Token()
		if err != nil {
			if err == io.EOF {
				if r.state == afterDocument {
					return io.EOF
				}
				return &Error{Reason: ReasonTruncated, Line: line, Msg: "the file ends before the document element"}
			}
			return r.xmlError(err, line, 0)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			found, err := r.start(t, line)
			if err != nil || found {
				return err
			}
		case xml.EndElement:
			if err := r.end(line); err != nil {
				return err
			}
		case xml.CharData:
			// XML allows only white space (and a byte order mark) before
			// the root element; anything else is some other kind of file,
			// a CSV or a bank's error page.
			if r.state == beforeDocument && len(bytes.TrimSpace(bytes.TrimPrefix(t, byteOrderMark))) > 0 {
				return &Error{Reason: ReasonMessageType, Line: line, Msg: "the file is not an XML document"}
			}
		}
	}
}

// start handles a start tag met while scanning; found reports an <Ntry>.
func (r *Reader) start(t xml.StartElement, line int) (found bool, err error) {
	fail := func(reason Reason, field, format string, args ...any) error {
		return &Error{Reason: reason, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch r.state {
	case beforeDocument:
		if t.Name.Local != "Document" {
			return false, fail(ReasonMessageType, "", "the root element is <%s>, not an ISO 20022 <Document>", t.Name.Local)
		}
		msg, version, ok := camtNamespace(t.Name.Space)
		switch {
		case !ok:
			return false, fail(ReasonMessageType, "Document", "namespace %q is not an ISO 20022 message namespace", t.Name.Space)
		case msg != Camt053 && msg != Camt054:
			return false, fail(ReasonMessageType, "Document", "the file is a %s message, not camt.053 or camt.054", msg)
		case !supportedVersions[version]:
			return false, fail(ReasonVersion, "Document", "%s version %s is not supported (001.02 to 001.08 are)", msg, version)
		}
		r.h.Message, r.h.Version = msg, version
		r.state = inDocument

	case inDocument:
		want := "BkToCstmrDbtCdtNtfctn"
		if r.h.Message == Camt053 {
			want = "BkToCstmrStmt"
		}
		if t.Name.Local != want {
			return false, fail(ReasonMessageType, "Document/"+t.Name.Local, "expected <%s> in a %s document", want, r.h.Message)
		}
		r.state = inMessage

	case inMessage:
		switch t.Name.Local {
		case "GrpHdr":
			var g xmlGroupHeader
			if err := r.d.DecodeElement(&g, &t); err != nil {
				return false, r.xmlError(err, line, 0)
			}
			if err := r.setGroupHeader(&g, line); err != nil {
				return false, err
			}
		case r.reportElement():
			if !r.sawHdr {
				return false, fail(ReasonMissing, "GrpHdr", "group header missing")
			}
			r.reports++
			r.account = ""
			r.state = inReport
		default:
			if err := r.d.Skip(); err != nil {
				return false, r.xmlError(err, line, 0)
			}
		}

	case inReport:
		switch t.Name.Local {
		case "Acct":
			var a xmlAccount
			if err := r.d.DecodeElement(&a, &t); err != nil {
				return false, r.xmlError(err, line, 0)
			}
			if err := r.setAccount(&a, line); err != nil {
				return false, err
			}
		case "Ntry":
			if r.account == "" {
				return false, fail(ReasonMissing, r.reportElement()+"/Acct", "entry before the account it belongs to")
			}
			r.pendingTag, r.pendingLine = t, line
			return true, nil
		default:
			if err := r.d.Skip(); err != nil {
				return false, r.xmlError(err, line, 0)
			}
		}

	case afterDocument:
		// encoding/xml accepts a second root element; XML does not.
		return false, fail(ReasonSyntax, "", "element <%s> after the end of the document", t.Name.Local)
	}
	return false, nil
}

// end handles an end tag met while scanning. Elements that scan skips or
// decodes never get here, so an end tag always closes the current level.
func (r *Reader) end(line int) error {
	switch r.state {
	case inReport:
		if r.account == "" {
			return &Error{Reason: ReasonMissing, Line: line, Field: r.reportElement() + "/Acct/Id/IBAN", Msg: "account missing"}
		}
		r.state = inMessage
	case inMessage:
		if r.reports == 0 {
			return &Error{Reason: ReasonMissing, Line: line, Field: r.reportElement(), Msg: "the message has no " + r.reportElement()}
		}
		r.state = inDocument
	case inDocument:
		r.state = afterDocument
	}
	return nil
}

func (r *Reader) reportElement() string {
	if r.h.Message == Camt053 {
		return "Stmt"
	}
	return "Ntfctn"
}

func (r *Reader) setGroupHeader(g *xmlGroupHeader, line int) error {
	r.h.MessageID = strings.TrimSpace(g.MsgID)
	if r.h.MessageID == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: "GrpHdr/MsgId", Msg: "message id missing"}
	}
	if strings.TrimSpace(g.CreDtTm) == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: "GrpHdr/CreDtTm", Msg: "creation time missing"}
	}
	t, err := parseDateTime(g.CreDtTm)
	if err != nil {
		return &Error{Reason: ReasonDate, Line: line, Field: "GrpHdr/CreDtTm", Msg: err.Error()}
	}
	r.h.CreatedAt = t
	r.sawHdr = true
	return nil
}

func (r *Reader) setAccount(a *xmlAccount, line int) error {
	field := r.reportElement() + "/Acct/"
	iban := strings.TrimSpace(a.IBAN)
	if iban == "" {
		return &Error{Reason: ReasonMissing, Line: line, Field: field + "Id/IBAN", Msg: "account IBAN missing"}
	}
	ccy := strings.TrimSpace(a.Ccy)
	if ccy != "" && ccy != "EUR" {
		return &Error{Reason: ReasonCurrency, Line: line, Field: field + "Ccy", Msg: fmt.Sprintf("account currency %q is not EUR", ccy)}
	}
	r.account = iban
	if r.reports == 1 {
		r.h.AccountIBAN, r.h.Currency = iban, ccy
	}
	return nil
}

// xmlError classifies an error from encoding/xml. entry is the 1-based
// index of the entry being decoded, or 0.
func (r *Reader) xmlError(err error, line, entry int) *Error {
	if r.src.err != nil && errors.Is(err, r.src.err) {
		return &Error{Reason: ReasonRead, Line: line, EntryIndex: entry, Msg: "reading the file failed", Err: err}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		reason := ReasonSyntax
		if strings.HasPrefix(se.Msg, "unexpected EOF") || r.endsMidCharacter() {
			reason = ReasonTruncated
		}
		return &Error{Reason: reason, Line: se.Line, EntryIndex: entry, Msg: se.Msg}
	}
	// The remaining errors come from the charset reader and the like.
	return &Error{Reason: ReasonSyntax, Line: line, EntryIndex: entry, Msg: err.Error()}
}

// endsMidCharacter reports whether the input ended inside a multi-byte
// UTF-8 sequence: a file cut there fails as "invalid UTF-8" rather than
// "unexpected EOF", but it is truncated all the same.
func (r *Reader) endsMidCharacter() bool {
	if r.converted || !r.src.eof || r.src.n-r.d.InputOffset() > 4 {
		return false
	}
	tail := r.src.tail[:]
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

// source wraps the caller's reader to tell its I/O errors apart from the
// decoder's own, to see where the input ended, and to remember its last
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
