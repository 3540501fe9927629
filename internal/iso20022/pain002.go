package iso20022

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Pain002Namespace is the namespace of the payment status report Finnish
// banks answer a pain.001.001.03 with (Customer Payment Status Report V03).
const Pain002Namespace = nsPrefix + "pain.002.001.03"

// MaxPain002Bytes bounds the status report ReadPain002 reads: a report of
// a run's every payment rejected stays well under it.
const MaxPain002Bytes = 64 << 20

// The status codes of a pain.002 (TransactionGroupStatus3Code and
// TransactionIndividualStatus3Code).
const (
	StatusAccepted      = "ACCP" // accepted customer profile
	StatusSettled       = "ACSC" // accepted, settlement completed
	StatusInProcess     = "ACSP" // accepted, settlement in process
	StatusTechAccepted  = "ACTC" // accepted after technical validation
	StatusWithChange    = "ACWC" // accepted with change
	StatusPartAccepted  = "PART" // some of the group accepted (group status only)
	StatusPendingReport = "PDNG" // pending
	StatusReceived      = "RCVD" // received
	StatusRejected      = "RJCT" // rejected
)

var groupStatuses = map[string]bool{StatusAccepted: true, StatusSettled: true, StatusInProcess: true, StatusTechAccepted: true,
	StatusWithChange: true, StatusPartAccepted: true, StatusPendingReport: true, StatusReceived: true, StatusRejected: true}

var txStatuses = map[string]bool{StatusAccepted: true, StatusSettled: true, StatusInProcess: true, StatusTechAccepted: true,
	StatusWithChange: true, StatusPendingReport: true, StatusRejected: true}

// StatusReason is one StsRsnInf: the ISO external status reason code
// (AC01 account number incorrect, AC04 account closed, AM04 insufficient
// funds, MS03 reason not specified…) or the bank's proprietary one.
type StatusReason struct {
	Code        string   // Rsn/Cd, ExternalStatusReason1Code (at most 4 characters)
	Proprietary string   // Rsn/Prtry, Max35Text
	Info        []string // AddtlInf, each Max105Text
}

// TransactionStatus is one TxInfAndSts: the status of one payment of the
// original message.
type TransactionStatus struct {
	Line                  int    // line of the <TxInfAndSts> start tag
	StatusID              string // StsId
	OriginalInstructionID string // OrgnlInstrId
	OriginalEndToEndID    string // OrgnlEndToEndId: the payment's end-to-end ID
	Status                string // TxSts; empty when the bank gives none
	Reasons               []StatusReason
}

// PaymentInfoStatus is one OrgnlPmtInfAndSts: the status of a payment
// information block (PmtInf) of the original message and of its payments.
type PaymentInfoStatus struct {
	Line                  int
	OriginalPaymentInfoID string // OrgnlPmtInfId
	Status                string // PmtInfSts; empty when the bank gives none
	Reasons               []StatusReason
	Transactions          []TransactionStatus
}

// StatusReport is a whole pain.002.001.03 message.
type StatusReport struct {
	MessageID string    // GrpHdr/MsgId
	CreatedAt time.Time // GrpHdr/CreDtTm in UTC

	OriginalMessageID   string // OrgnlGrpInfAndSts/OrgnlMsgId: our pain.001's MsgId
	OriginalMessageName string // OrgnlMsgNmId, e.g. pain.001.001.03
	GroupStatus         string // GrpSts; empty when the bank gives none
	GroupReasons        []StatusReason

	PaymentInfos []PaymentInfoStatus
}

// Transactions counts the report's transaction statuses.
func (r *StatusReport) Transactions() int {
	n := 0
	for _, p := range r.PaymentInfos {
		n += len(p.Transactions)
	}
	return n
}

// ReadPain002 parses a pain.002.001.03 payment status report. It refuses a
// document of another message or version, a missing message ID or original
// message ID, a status outside the code lists, a reason code longer than
// four characters, texts longer than the schema allows, a transaction
// without its original end-to-end ID and the same end-to-end ID twice. It
// reads at most MaxPain002Bytes.
func ReadPain002(r io.Reader) (StatusReport, error) {
	lr := &io.LimitedReader{R: r, N: MaxPain002Bytes + 1}
	var doc pain002Doc
	// The lines of the blocks and transactions are read from the decoder's
	// offsets as each start tag passes.
	lines := &lineCounter{}
	dec := xml.NewDecoder(io.TeeReader(lr, lines))
	if err := decodePain002(dec, lines, &doc); err != nil {
		if lr.N <= 0 {
			return StatusReport{}, &Error{Reason: ReasonTooLong, Msg: fmt.Sprintf("file over %d bytes", MaxPain002Bytes)}
		}
		return StatusReport{}, err
	}
	if lr.N <= 0 {
		return StatusReport{}, &Error{Reason: ReasonTooLong, Msg: fmt.Sprintf("file over %d bytes", MaxPain002Bytes)}
	}
	return doc.convert()
}

// lineCounter counts the newlines of what the decoder has read.
type lineCounter struct {
	offsets []int64 // byte offset after each newline
	n       int64
}

func (l *lineCounter) Write(p []byte) (int, error) {
	for i, b := range p {
		if b == '\n' {
			l.offsets = append(l.offsets, l.n+int64(i)+1)
		}
	}
	l.n += int64(len(p))
	return len(p), nil
}

// line is the 1-based line of the byte offset.
func (l *lineCounter) line(off int64) int {
	lo, hi := 0, len(l.offsets)
	for lo < hi {
		m := (lo + hi) / 2
		if l.offsets[m] <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo + 1
}

type pain002Doc struct {
	XMLName xml.Name
	Rpt     *xmlStsRpt
}

type xmlStsRpt struct {
	MsgID   string
	CreDtTm string
	Grp     *xmlGrpSts
	PmtInfs []xmlPmtInfSts
}

type xmlGrpSts struct {
	OrgnlMsgID   string         `xml:"OrgnlMsgId"`
	OrgnlMsgNmID string         `xml:"OrgnlMsgNmId"`
	GrpSts       string         `xml:"GrpSts"`
	Rsns         []xmlStsRsnInf `xml:"StsRsnInf"`
}

type xmlPmtInfSts struct {
	line      int
	OrgnlID   string         `xml:"OrgnlPmtInfId"`
	PmtInfSts string         `xml:"PmtInfSts"`
	Rsns      []xmlStsRsnInf `xml:"StsRsnInf"`
	Txs       []xmlTxSts     `xml:"TxInfAndSts"`
}

type xmlTxSts struct {
	line       int
	StsID      string         `xml:"StsId"`
	OrgnlInstr string         `xml:"OrgnlInstrId"`
	OrgnlE2E   string         `xml:"OrgnlEndToEndId"`
	TxSts      string         `xml:"TxSts"`
	Rsns       []xmlStsRsnInf `xml:"StsRsnInf"`
}

type xmlStsRsnInf struct {
	Cd       string   `xml:"Rsn>Cd"`
	Prtry    string   `xml:"Rsn>Prtry"`
	AddtlInf []string `xml:"AddtlInf"`
}

// decodePain002 decodes the document element by element, so that each
// payment information block and transaction knows its line.
func decodePain002(dec *xml.Decoder, lines *lineCounter, doc *pain002Doc) error {
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return painXMLError(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	doc.XMLName = root.Name
	ns := root.Name.Space
	switch {
	case root.Name.Local != "Document" || !strings.HasPrefix(ns, nsPrefix+"pain.002."):
		return &Error{Reason: ReasonMessageType, Field: root.Name.Local, Msg: fmt.Sprintf("not a pain.002 document (namespace %q)", ns)}
	case ns != Pain002Namespace:
		return &Error{Reason: ReasonVersion, Field: "Document", Msg: fmt.Sprintf("version %s is not supported (001.03 is)", strings.TrimPrefix(ns, nsPrefix+"pain.002."))}
	}
	inReport := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return painXMLError(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !inReport {
				// </Document>: no other element may follow.
				for {
					tok, err := dec.Token()
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return painXMLError(err)
					}
					if _, ok := tok.(xml.StartElement); ok {
						return &Error{Reason: ReasonSyntax, Line: lines.line(dec.InputOffset()), Msg: "an element after the document"}
					}
				}
			}
			inReport = false
		case xml.StartElement:
			if !inReport {
				if t.Name.Local != "CstmrPmtStsRpt" || t.Name.Space != Pain002Namespace || doc.Rpt != nil {
					return &Error{Reason: ReasonMessageType, Field: t.Name.Local, Msg: "the document holds not one CstmrPmtStsRpt"}
				}
				doc.Rpt, inReport = &xmlStsRpt{}, true
				continue
			}
			line := lines.line(dec.InputOffset())
			var err error
			switch t.Name.Local {
			case "GrpHdr":
				var h struct {
					MsgID   string `xml:"MsgId"`
					CreDtTm string `xml:"CreDtTm"`
				}
				err = dec.DecodeElement(&h, &t)
				doc.Rpt.MsgID, doc.Rpt.CreDtTm = h.MsgID, h.CreDtTm
			case "OrgnlGrpInfAndSts":
				doc.Rpt.Grp = &xmlGrpSts{}
				err = dec.DecodeElement(doc.Rpt.Grp, &t)
			case "OrgnlPmtInfAndSts":
				p, perr := decodePmtInf(dec, lines, t, line)
				err = perr
				doc.Rpt.PmtInfs = append(doc.Rpt.PmtInfs, p)
			default:
				err = dec.Skip()
			}
			if err != nil {
				return painXMLError(err)
			}
		}
	}
}

// decodePmtInf decodes one OrgnlPmtInfAndSts, noting each transaction's
// line.
func decodePmtInf(dec *xml.Decoder, lines *lineCounter, start xml.StartElement, line int) (xmlPmtInfSts, error) {
	p := xmlPmtInfSts{line: line}
	for {
		tok, err := dec.Token()
		if err != nil {
			return p, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return p, nil
		case xml.StartElement:
			switch t.Name.Local {
			case "OrgnlPmtInfId":
				err = dec.DecodeElement(&p.OrgnlID, &t)
			case "PmtInfSts":
				err = dec.DecodeElement(&p.PmtInfSts, &t)
			case "StsRsnInf":
				var r xmlStsRsnInf
				err = dec.DecodeElement(&r, &t)
				p.Rsns = append(p.Rsns, r)
			case "TxInfAndSts":
				tx := xmlTxSts{line: lines.line(dec.InputOffset())}
				err = dec.DecodeElement(&tx, &t)
				p.Txs = append(p.Txs, tx)
			default:
				err = dec.Skip()
			}
			if err != nil {
				return p, err
			}
		}
	}
}

func (doc *pain002Doc) convert() (StatusReport, error) {
	x := doc.Rpt
	if x == nil {
		return StatusReport{}, &Error{Reason: ReasonMissing, Field: "CstmrPmtStsRpt", Msg: "the document holds no status report"}
	}
	var rep StatusReport
	var err error
	text := func(field, s string, n int, required bool) (string, error) {
		s = strings.TrimSpace(s)
		switch {
		case s == "" && required:
			return "", &Error{Reason: ReasonMissing, Field: field, Msg: "missing"}
		case !utf8.ValidString(s):
			return "", &Error{Reason: ReasonFormat, Field: field, Msg: "not UTF-8"}
		case utf8.RuneCountInString(s) > n:
			return "", &Error{Reason: ReasonTooLong, Field: field, Msg: fmt.Sprintf("longer than %d characters", n)}
		}
		return s, nil
	}
	if rep.MessageID, err = text("GrpHdr/MsgId", x.MsgID, 35, true); err != nil {
		return StatusReport{}, err
	}
	if strings.TrimSpace(x.CreDtTm) != "" {
		if rep.CreatedAt, err = parseDateTime(x.CreDtTm); err != nil {
			return StatusReport{}, &Error{Reason: ReasonDate, Field: "GrpHdr/CreDtTm", Msg: err.Error()}
		}
	}
	if x.Grp == nil {
		return StatusReport{}, &Error{Reason: ReasonMissing, Field: "OrgnlGrpInfAndSts", Msg: "original group information missing"}
	}
	if rep.OriginalMessageID, err = text("OrgnlGrpInfAndSts/OrgnlMsgId", x.Grp.OrgnlMsgID, 35, true); err != nil {
		return StatusReport{}, err
	}
	if rep.OriginalMessageName, err = text("OrgnlGrpInfAndSts/OrgnlMsgNmId", x.Grp.OrgnlMsgNmID, 35, true); err != nil {
		return StatusReport{}, err
	}
	if rep.GroupStatus, err = status("OrgnlGrpInfAndSts/GrpSts", x.Grp.GrpSts, groupStatuses); err != nil {
		return StatusReport{}, err
	}
	if rep.GroupReasons, err = reasons("OrgnlGrpInfAndSts/StsRsnInf", x.Grp.Rsns, text); err != nil {
		return StatusReport{}, err
	}
	seen := map[string]int{}
	for i := range x.PmtInfs {
		xp := &x.PmtInfs[i]
		p := PaymentInfoStatus{Line: xp.line}
		fail := func(e error) (StatusReport, error) {
			if pe, ok := e.(*Error); ok {
				pe.Batch, pe.Line = i+1, xp.line
			}
			return StatusReport{}, e
		}
		if p.OriginalPaymentInfoID, err = text("OrgnlPmtInfAndSts/OrgnlPmtInfId", xp.OrgnlID, 35, true); err != nil {
			return fail(err)
		}
		if p.Status, err = status("OrgnlPmtInfAndSts/PmtInfSts", xp.PmtInfSts, groupStatuses); err != nil {
			return fail(err)
		}
		if p.Reasons, err = reasons("OrgnlPmtInfAndSts/StsRsnInf", xp.Rsns, text); err != nil {
			return fail(err)
		}
		for j := range xp.Txs {
			xt := &xp.Txs[j]
			t := TransactionStatus{Line: xt.line}
			failTx := func(e error) (StatusReport, error) {
				if pe, ok := e.(*Error); ok {
					pe.Batch, pe.Payment, pe.Line, pe.ID = i+1, j+1, xt.line, t.OriginalEndToEndID
				}
				return StatusReport{}, e
			}
			if t.OriginalEndToEndID, err = text("TxInfAndSts/OrgnlEndToEndId", xt.OrgnlE2E, 35, true); err != nil {
				return failTx(err)
			}
			if t.StatusID, err = text("TxInfAndSts/StsId", xt.StsID, 35, false); err != nil {
				return failTx(err)
			}
			if t.OriginalInstructionID, err = text("TxInfAndSts/OrgnlInstrId", xt.OrgnlInstr, 35, false); err != nil {
				return failTx(err)
			}
			if t.Status, err = status("TxInfAndSts/TxSts", xt.TxSts, txStatuses); err != nil {
				return failTx(err)
			}
			if t.Reasons, err = reasons("TxInfAndSts/StsRsnInf", xt.Rsns, text); err != nil {
				return failTx(err)
			}
			if prev, dup := seen[t.OriginalEndToEndID]; dup {
				return failTx(&Error{Reason: ReasonConflict, Field: "TxInfAndSts/OrgnlEndToEndId",
					Msg: fmt.Sprintf("end-to-end ID reported twice (first on line %d)", prev)})
			}
			seen[t.OriginalEndToEndID] = t.Line
			p.Transactions = append(p.Transactions, t)
		}
		rep.PaymentInfos = append(rep.PaymentInfos, p)
	}
	return rep, nil
}

func status(field, s string, allowed map[string]bool) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && !allowed[s] {
		return "", &Error{Reason: ReasonCode, Field: field, Msg: fmt.Sprintf("status %q is not in the code list", s)}
	}
	return s, nil
}

func reasons(field string, xs []xmlStsRsnInf, text func(string, string, int, bool) (string, error)) ([]StatusReason, error) {
	var out []StatusReason
	for _, x := range xs {
		var r StatusReason
		var err error
		if r.Code, err = text(field+"/Rsn/Cd", x.Cd, 4, false); err != nil {
			return nil, err
		}
		if r.Proprietary, err = text(field+"/Rsn/Prtry", x.Prtry, 35, false); err != nil {
			return nil, err
		}
		if r.Code != "" && r.Proprietary != "" {
			return nil, &Error{Reason: ReasonConflict, Field: field + "/Rsn", Msg: "a reason is a code or a proprietary one, not both"}
		}
		for _, a := range x.AddtlInf {
			s, err := text(field+"/AddtlInf", a, 105, false)
			if err != nil {
				return nil, err
			}
			if s != "" {
				r.Info = append(r.Info, s)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// FirstReason is the first reason's code (or proprietary code), "" when
// there is none.
func FirstReason(rs []StatusReason) string {
	for _, r := range rs {
		if r.Code != "" {
			return r.Code
		}
		if r.Proprietary != "" {
			return r.Proprietary
		}
	}
	return ""
}
