package iso20022

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xmlReader is the reference implementation of Reader, on encoding/xml: a
// Decoder finds the structure and decodes each entry into an xmlEntry.
type xmlReader struct {
	d   *xml.Decoder
	src *source
	camtState

	converted bool // the input is decoded from a legacy charset

	// pending is the <Ntry> start element found by the last scan, not yet
	// decoded.
	pending     bool
	pendingTag  xml.StartElement
	pendingLine int

	err error // sticky: a broken document cannot be resynchronised
}

// newXMLReader is NewReader on encoding/xml, the reference implementation.
func newXMLReader(rd io.Reader) (*xmlReader, error) {
	src := &source{r: rd}
	d := xml.NewDecoder(bufio.NewReaderSize(src, 64<<10))
	r := &xmlReader{d: d, src: src}
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

func (r *xmlReader) next() (Entry, error) {
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
func (r *xmlReader) scan() error {
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
func (r *xmlReader) start(t xml.StartElement, line int) (found bool, err error) {
	act, err := r.startElement(t.Name.Local, t.Name.Space, line)
	if err != nil {
		return false, err
	}
	switch act {
	case actGroupHeader:
		var g xmlGroupHeader
		if err := r.d.DecodeElement(&g, &t); err != nil {
			return false, r.xmlError(err, line, 0)
		}
		return false, r.setGroupHeader(g.MsgID, g.CreDtTm, line)
	case actAccount:
		var a xmlAccount
		if err := r.d.DecodeElement(&a, &t); err != nil {
			return false, r.xmlError(err, line, 0)
		}
		return false, r.setAccount(a.IBAN, a.Ccy, line)
	case actEntry:
		r.pendingTag, r.pendingLine = t, line
		return true, nil
	case actSkip:
		if err := r.d.Skip(); err != nil {
			return false, r.xmlError(err, line, 0)
		}
	}
	return false, nil
}

// xmlError classifies an error from encoding/xml. entry is the 1-based
// index of the entry being decoded, or 0.
func (r *xmlReader) xmlError(err error, line, entry int) *Error {
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
func (r *xmlReader) endsMidCharacter() bool {
	return !r.converted && r.src.endsMidCharacter(r.d.InputOffset())
}
