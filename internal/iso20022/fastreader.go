package iso20022

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// fastReader is the Reader NewReader returns. It follows xmlReader step by
// step (scan, start, the decoding of GrpHdr, Acct and Ntry into the same
// shapes, convertEntry) on a scanner instead of an encoding/xml Decoder,
// and decodes by hand exactly the element paths the xml struct tags of
// xmlGroupHeader, xmlAccount and xmlEntry name, with encoding/xml's
// rules: elements match by local name whatever their prefix, a string
// field takes the character data directly inside its element, the last of
// repeated elements wins (a pointer field keeps what a later one leaves
// out), slices append, and everything else is skipped, though still checked
// to be well-formed.
//
// The text of an entry's fields is collected in one buffer, which becomes
// one string per entry; the fields are substrings of it.
type fastReader struct {
	s   scanner
	src *source
	camtState

	pending     bool // an <Ntry> start tag has been read, not yet decoded
	pendingLine int

	err error // sticky, as xmlReader's

	arena []byte   // the text of the entry's fields
	raw   rawEntry // where the fields are in arena
	x     xmlEntry // what convertEntry reads, reused
	txs   []xmlTx
	amts  []xmlAmount // storage for the entry's *xmlAmount fields
	sts   xmlStatus
	dates [2]xmlDate
}

// span is a field's text, arena[a:b].
type span struct{ a, b int }

type rawAmount struct {
	present    bool
	ccy, value span
}

type rawDate struct {
	present  bool
	dt, dtTm span
}

type rawEntry struct {
	ntryRef, cdtDbtInd, rvslInd, acctSvcrRef span

	amt                      rawAmount
	sts                      bool // Sts is present
	stsText, stsCd, stsPrtry span
	bookgDt, valDt           rawDate
	tx                       []rawTx // reused with their slices
}

type rawTx struct {
	acctSvcrRef, endToEndID              span
	amt, txAmt                           rawAmount
	dbtrNm, dbtrPtyNm, cdtrNm, cdtrPtyNm span
	ustrd                                []span
	strd                                 []rawStrd
	rtrCd, rtrPrtry                      span
}

type rawStrd struct{ cd, issr, ref span }

func newFastReader(rd io.Reader) (*fastReader, error) {
	src := &source{r: rd}
	r := &fastReader{src: src}
	r.s.init(src)
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

func (r *fastReader) next() (Entry, error) {
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
	x, err := r.decodeEntry()
	if err != nil {
		r.err = r.classify(err, r.pendingLine, r.index)
		return Entry{}, r.err
	}
	return convertEntry(x, r.index, r.pendingLine, r.account)
}

// scan is xmlReader.scan.
func (r *fastReader) scan() error {
	for {
		r.s.skipText = false
		kind, err := r.s.next()
		line := r.s.tokenLine()
		if err != nil {
			if err == io.EOF {
				if r.state == afterDocument {
					return io.EOF
				}
				return &Error{Reason: ReasonTruncated, Line: line, Msg: "the file ends before the document element"}
			}
			return r.classify(err, line, 0)
		}
		switch kind {
		case tokStart:
			found, err := r.start(line)
			if err != nil || found {
				return err
			}
		case tokEnd:
			if err := r.end(line); err != nil {
				return err
			}
		case tokText:
			if r.state == beforeDocument && len(bytes.TrimSpace(bytes.TrimPrefix(r.s.text, byteOrderMark))) > 0 {
				return &Error{Reason: ReasonMessageType, Line: line, Msg: "the file is not an XML document"}
			}
		}
	}
}

// start is xmlReader.start.
func (r *fastReader) start(line int) (found bool, err error) {
	space := ""
	if r.state == beforeDocument {
		space = r.s.rootSpace()
	}
	act, err := r.startElement(structName(r.s.local()), space, line)
	if err != nil {
		return false, err
	}
	switch act {
	case actGroupHeader:
		var msgID, created string
		err := r.children(func(local []byte) error {
			switch string(local) {
			case "MsgId":
				return r.leafString(&msgID)
			case "CreDtTm":
				return r.leafString(&created)
			}
			return r.skip()
		})
		if err != nil {
			return false, r.classify(err, line, 0)
		}
		return false, r.setGroupHeader(msgID, created, line)
	case actAccount:
		var iban, ccy string
		err := r.children(func(local []byte) error {
			switch string(local) {
			case "Id":
				return r.children(func(local []byte) error {
					if string(local) == "IBAN" {
						return r.leafString(&iban)
					}
					return r.skip()
				})
			case "Ccy":
				return r.leafString(&ccy)
			}
			return r.skip()
		})
		if err != nil {
			return false, r.classify(err, line, 0)
		}
		return false, r.setAccount(iban, ccy, line)
	case actEntry:
		r.pendingLine = line
		return true, nil
	case actSkip:
		if err := r.skip(); err != nil {
			return false, r.classify(err, line, 0)
		}
	}
	return false, nil
}

// structName returns the local names startElement compares without
// allocating; others are copied.
func structName(local []byte) string {
	switch string(local) {
	case "Document":
		return "Document"
	case "BkToCstmrDbtCdtNtfctn":
		return "BkToCstmrDbtCdtNtfctn"
	case "BkToCstmrStmt":
		return "BkToCstmrStmt"
	case "GrpHdr":
		return "GrpHdr"
	case "Ntfctn":
		return "Ntfctn"
	case "Stmt":
		return "Stmt"
	case "Acct":
		return "Acct"
	case "Ntry":
		return "Ntry"
	}
	return string(local)
}

// classify is xmlReader.xmlError for the scanner's errors.
func (r *fastReader) classify(err error, line, entry int) *Error {
	if r.src.err != nil && errors.Is(err, r.src.err) {
		return &Error{Reason: ReasonRead, Line: line, EntryIndex: entry, Msg: "reading the file failed", Err: err}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		reason := ReasonSyntax
		if strings.HasPrefix(se.Msg, "unexpected EOF") || !r.s.converted && r.src.endsMidCharacter(r.s.errOff) {
			reason = ReasonTruncated
		}
		return &Error{Reason: reason, Line: se.Line, EntryIndex: entry, Msg: se.Msg}
	}
	return &Error{Reason: ReasonSyntax, Line: line, EntryIndex: entry, Msg: err.Error()}
}

// children reads the content of the element whose start tag was just read,
// up to its end tag, calling open for each child element's start tag with
// its local name; open must read the child to its end. Character data is
// ignored.
func (r *fastReader) children(open func(local []byte) error) error {
	for {
		r.s.skipText = true
		kind, err := r.s.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokStart:
			if err := open(r.s.local()); err != nil {
				return err
			}
		case tokEnd:
			return nil
		}
	}
}

// skip reads the rest of the element whose start tag was just read
// (Decoder.Skip).
func (r *fastReader) skip() error {
	depth := 0
	for {
		r.s.skipText = true
		kind, err := r.s.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokStart:
			depth++
		case tokEnd:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// leafString reads the rest of an element decoded into a string field.
func (r *fastReader) leafString(dst *string) error {
	start := len(r.arena)
	sp := span{start, start}
	if err := r.leaf(&sp); err != nil {
		return err
	}
	*dst = string(r.arena[sp.a:sp.b])
	r.arena = r.arena[:start]
	return nil
}

// leaf reads the rest of an element decoded into a string: the character
// data directly inside it, child elements skipped.
func (r *fastReader) leaf(sp *span) error {
	*sp = span{len(r.arena), len(r.arena)}
	return r.chardata(sp, nil)
}

// chardata reads the rest of an element, adding its own character data to
// sp; open handles child elements, which are skipped if it is nil.
func (r *fastReader) chardata(sp *span, open func(local []byte) error) error {
	for {
		r.s.skipText = false
		kind, err := r.s.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokText:
			r.appendSpan(sp, r.s.text)
		case tokStart:
			if open != nil {
				err = open(r.s.local())
			} else {
				err = r.skip()
			}
			if err != nil {
				return err
			}
		case tokEnd:
			return nil
		}
	}
}

// appendSpan adds text to the field at sp, moving the field to the end of
// arena first if something else was added after it.
func (r *fastReader) appendSpan(sp *span, text []byte) {
	if len(text) == 0 {
		return
	}
	if sp.b != len(r.arena) {
		start := len(r.arena)
		r.arena = append(r.arena, r.arena[sp.a:sp.b]...)
		*sp = span{start, len(r.arena)}
	}
	r.arena = append(r.arena, text...)
	sp.b = len(r.arena)
}

// amount reads an amount element: its Ccy attribute (any prefix, the last
// if several; kept from an earlier element of the same field if absent, as
// encoding/xml leaves a field it has no attribute for) and its value.
func (r *fastReader) amount(a *rawAmount) error {
	a.present = true
	for _, at := range r.s.attrs {
		if string(r.s.attrLocal(at)) == "Ccy" {
			a.ccy = span{len(r.arena), len(r.arena)}
			r.appendSpan(&a.ccy, r.s.attrValue(at))
		}
	}
	return r.leaf(&a.value)
}

func (r *fastReader) date(d *rawDate) error {
	d.present = true
	return r.children(func(local []byte) error {
		switch string(local) {
		case "Dt":
			return r.leaf(&d.dt)
		case "DtTm":
			return r.leaf(&d.dtTm)
		}
		return r.skip()
	})
}

// decodeEntry reads the <Ntry> element whose start tag scan found, as
// DecodeElement into an xmlEntry.
func (r *fastReader) decodeEntry() (*xmlEntry, error) {
	r.arena = r.arena[:0]
	e := &r.raw
	*e = rawEntry{tx: e.tx[:0]}
	err := r.children(func(local []byte) error {
		switch string(local) {
		case "NtryRef":
			return r.leaf(&e.ntryRef)
		case "Amt":
			return r.amount(&e.amt)
		case "CdtDbtInd":
			return r.leaf(&e.cdtDbtInd)
		case "RvslInd":
			return r.leaf(&e.rvslInd)
		case "Sts":
			e.sts = true
			e.stsText = span{len(r.arena), len(r.arena)}
			return r.chardata(&e.stsText, func(local []byte) error {
				switch string(local) {
				case "Cd":
					return r.leaf(&e.stsCd)
				case "Prtry":
					return r.leaf(&e.stsPrtry)
				}
				return r.skip()
			})
		case "BookgDt":
			return r.date(&e.bookgDt)
		case "ValDt":
			return r.date(&e.valDt)
		case "AcctSvcrRef":
			return r.leaf(&e.acctSvcrRef)
		case "NtryDtls":
			return r.children(func(local []byte) error {
				if string(local) != "TxDtls" {
					return r.skip()
				}
				if len(e.tx) < cap(e.tx) {
					e.tx = e.tx[:len(e.tx)+1]
					t := &e.tx[len(e.tx)-1]
					*t = rawTx{ustrd: t.ustrd[:0], strd: t.strd[:0]}
				} else {
					e.tx = append(e.tx, rawTx{})
				}
				return r.transaction(&e.tx[len(e.tx)-1])
			})
		}
		return r.skip()
	})
	if err != nil {
		return nil, err
	}
	return r.build(), nil
}

func (r *fastReader) transaction(t *rawTx) error {
	return r.children(func(local []byte) error {
		switch string(local) {
		case "Refs":
			return r.children(func(local []byte) error {
				switch string(local) {
				case "AcctSvcrRef":
					return r.leaf(&t.acctSvcrRef)
				case "EndToEndId":
					return r.leaf(&t.endToEndID)
				}
				return r.skip()
			})
		case "Amt":
			return r.amount(&t.amt)
		case "AmtDtls":
			return r.children(func(local []byte) error {
				if string(local) != "TxAmt" {
					return r.skip()
				}
				return r.children(func(local []byte) error {
					if string(local) != "Amt" {
						return r.skip()
					}
					return r.amount(&t.txAmt)
				})
			})
		case "RltdPties":
			return r.children(func(local []byte) error {
				nm, ptyNm := &t.dbtrNm, &t.dbtrPtyNm
				switch string(local) {
				case "Dbtr":
				case "Cdtr":
					nm, ptyNm = &t.cdtrNm, &t.cdtrPtyNm
				default:
					return r.skip()
				}
				return r.children(func(local []byte) error {
					switch string(local) {
					case "Nm":
						return r.leaf(nm)
					case "Pty":
						return r.children(func(local []byte) error {
							if string(local) != "Nm" {
								return r.skip()
							}
							return r.leaf(ptyNm)
						})
					}
					return r.skip()
				})
			})
		case "RtrInf":
			return r.children(func(local []byte) error {
				if string(local) != "Rsn" {
					return r.skip()
				}
				return r.children(func(local []byte) error {
					switch string(local) {
					case "Cd":
						return r.leaf(&t.rtrCd)
					case "Prtry":
						return r.leaf(&t.rtrPrtry)
					}
					return r.skip()
				})
			})
		case "RmtInf":
			return r.children(func(local []byte) error {
				switch string(local) {
				case "Ustrd":
					t.ustrd = append(t.ustrd, span{})
					return r.leaf(&t.ustrd[len(t.ustrd)-1])
				case "Strd":
					t.strd = append(t.strd, rawStrd{})
					return r.structured(&t.strd[len(t.strd)-1])
				}
				return r.skip()
			})
		}
		return r.skip()
	})
}

func (r *fastReader) structured(s *rawStrd) error {
	return r.children(func(local []byte) error {
		if string(local) != "CdtrRefInf" {
			return r.skip()
		}
		return r.children(func(local []byte) error {
			switch string(local) {
			case "Tp":
				return r.children(func(local []byte) error {
					switch string(local) {
					case "CdOrPrtry":
						return r.children(func(local []byte) error {
							if string(local) != "Cd" {
								return r.skip()
							}
							return r.leaf(&s.cd)
						})
					case "Issr":
						return r.leaf(&s.issr)
					}
					return r.skip()
				})
			case "Ref":
				return r.leaf(&s.ref)
			}
			return r.skip()
		})
	})
}

// build turns the spans into the xmlEntry convertEntry reads, with one
// string for all the entry's text.
func (r *fastReader) build() *xmlEntry {
	text := string(r.arena)
	get := func(sp span) string { return text[sp.a:sp.b] }
	e := &r.raw
	x := &r.x
	x.NtryRef = get(e.ntryRef)
	x.CdtDbtInd = get(e.cdtDbtInd)
	x.RvslInd = get(e.rvslInd)
	x.AcctSvcrRef = get(e.acctSvcrRef)

	n := 1 + 2*len(e.tx)
	if cap(r.amts) < n {
		r.amts = make([]xmlAmount, n)
	}
	amts := r.amts[:n]
	amount := func(a *rawAmount, i int) *xmlAmount {
		if !a.present {
			return nil
		}
		amts[i] = xmlAmount{Ccy: get(a.ccy), Value: get(a.value)}
		return &amts[i]
	}
	x.Amt = amount(&e.amt, 0)

	x.Sts = nil
	if e.sts {
		r.sts = xmlStatus{Text: get(e.stsText), Cd: get(e.stsCd), Prtry: get(e.stsPrtry)}
		x.Sts = &r.sts
	}
	date := func(d *rawDate, i int) *xmlDate {
		if !d.present {
			return nil
		}
		r.dates[i] = xmlDate{Dt: get(d.dt), DtTm: get(d.dtTm)}
		return &r.dates[i]
	}
	x.BookgDt = date(&e.bookgDt, 0)
	x.ValDt = date(&e.valDt, 1)

	for len(r.txs) < len(e.tx) {
		r.txs = append(r.txs, xmlTx{})
	}
	x.TxDtls = r.txs[:len(e.tx)]
	for i := range e.tx {
		t, xt := &e.tx[i], &x.TxDtls[i]
		xt.AcctSvcrRef = get(t.acctSvcrRef)
		xt.EndToEndID = get(t.endToEndID)
		xt.Amt = amount(&t.amt, 1+2*i)
		xt.TxAmt = amount(&t.txAmt, 2+2*i)
		xt.DbtrNm = get(t.dbtrNm)
		xt.DbtrPtyNm = get(t.dbtrPtyNm)
		xt.CdtrNm = get(t.cdtrNm)
		xt.CdtrPtyNm = get(t.cdtrPtyNm)
		xt.RtrCd, xt.RtrPrtry = get(t.rtrCd), get(t.rtrPrtry)
		xt.Ustrd = xt.Ustrd[:0]
		for _, u := range t.ustrd {
			xt.Ustrd = append(xt.Ustrd, get(u))
		}
		xt.Strd = xt.Strd[:0]
		for _, s := range t.strd {
			xt.Strd = append(xt.Strd, xmlStrd{Cd: get(s.cd), Issr: get(s.issr), Ref: get(s.ref)})
		}
	}
	return x
}
