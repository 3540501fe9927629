package iso20022

import (
	"encoding/xml"
	"fmt"
	"io"
	"iter"
	"time"
	"unicode/utf8"
)

// Camt054Namespace is the namespace WriteCamt054 writes.
const Camt054Namespace = nsPrefix + "camt.054.001.02"

// WriteCamt054 writes a camt.054.001.02 notification with the entries
// in order, streaming: entries may be generated on the fly, so tests and
// benchmarks can produce files of any size in constant memory. It is a
// generator for tests, not something sent to a bank; what it writes the
// Reader reads back to the same Header and entries (apart from Line).
//
// Entries go into the notification (Ntfctn) for h.AccountIBAN; an entry
// whose AccountIBAN differs from the current one starts a new notification.
// Each transaction is written with its amount, and the remittance text as a
// single Ustrd. An entry the Reader would refuse stops the writing with an
// *Error, leaving a partial file behind.
func WriteCamt054(w io.Writer, h Header, entries iter.Seq[Entry]) error {
	if h.AccountIBAN == "" {
		return &Error{Reason: ReasonMissing, Field: "AccountIBAN", Msg: "account IBAN missing"}
	}
	if h.MessageID == "" {
		return &Error{Reason: ReasonMissing, Field: "MessageID", Msg: "message id missing"}
	}
	if !xmlText(h.MessageID) || !xmlText(h.AccountIBAN) || !xmlText(h.Currency) {
		return &Error{Reason: ReasonFormat, Msg: "header text cannot be written to XML"}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	cw := camtWriter{enc: enc, h: h}
	if err := cw.begin(); err != nil {
		return err
	}
	index := 0
	for e := range entries {
		index++
		if err := cw.entry(index, &e); err != nil {
			return err
		}
	}
	return cw.finish()
}

type camtWriter struct {
	enc     *xml.Encoder
	h       Header
	account string // IBAN of the open Ntfctn
	reports int
}

var (
	camtDocument = xml.StartElement{Name: xml.Name{Space: Camt054Namespace, Local: "Document"}}
	camtMessage  = xml.StartElement{Name: xml.Name{Local: "BkToCstmrDbtCdtNtfctn"}}
	camtNtfctn   = xml.StartElement{Name: xml.Name{Local: "Ntfctn"}}
)

func (c *camtWriter) begin() error {
	if err := c.enc.EncodeToken(camtDocument); err != nil {
		return err
	}
	if err := c.enc.EncodeToken(camtMessage); err != nil {
		return err
	}
	hdr := struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
	}{c.h.MessageID, c.createdAt()}
	if err := c.enc.EncodeElement(hdr, xml.StartElement{Name: xml.Name{Local: "GrpHdr"}}); err != nil {
		return err
	}
	return c.openReport(c.h.AccountIBAN)
}

func (c *camtWriter) createdAt() string {
	return c.h.CreatedAt.UTC().Format(time.RFC3339Nano)
}

func (c *camtWriter) openReport(iban string) error {
	c.reports++
	c.account = iban
	if err := c.enc.EncodeToken(camtNtfctn); err != nil {
		return err
	}
	acct := struct {
		IBAN string `xml:"Id>IBAN"`
		Ccy  string `xml:"Ccy,omitempty"`
	}{iban, c.h.Currency}
	// Ntfctn/Id is Max35Text, and unique per notification within the file.
	id := fmt.Sprintf("%.28s-%d", c.h.MessageID, c.reports)
	for _, f := range []struct {
		name string
		v    any
	}{{"Id", id}, {"CreDtTm", c.createdAt()}, {"Acct", acct}} {
		if err := c.enc.EncodeElement(f.v, xml.StartElement{Name: xml.Name{Local: f.name}}); err != nil {
			return err
		}
	}
	return nil
}

func (c *camtWriter) closeReport() error {
	return c.enc.EncodeToken(camtNtfctn.End())
}

func (c *camtWriter) finish() error {
	for _, t := range []xml.EndElement{camtNtfctn.End(), camtMessage.End(), camtDocument.End()} {
		if err := c.enc.EncodeToken(t); err != nil {
			return err
		}
	}
	if err := c.enc.Flush(); err != nil {
		return err
	}
	return c.enc.Close()
}

type outAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type outDate struct {
	Dt string `xml:"Dt"`
}

type outEntry struct {
	XMLName     xml.Name     `xml:"Ntry"`
	NtryRef     string       `xml:"NtryRef,omitempty"`
	Amt         outAmount    `xml:"Amt"`
	CdtDbtInd   string       `xml:"CdtDbtInd"`
	RvslInd     string       `xml:"RvslInd,omitempty"`
	Sts         string       `xml:"Sts"`
	BookgDt     *outDate     `xml:"BookgDt,omitempty"`
	ValDt       *outDate     `xml:"ValDt,omitempty"`
	AcctSvcrRef string       `xml:"AcctSvcrRef,omitempty"`
	BkTxCd      outBkTxCd    `xml:"BkTxCd"`
	NtryDtls    *outNtryDtls `xml:"NtryDtls,omitempty"`
}

type outBkTxCd struct {
	Domain    string `xml:"Domn>Cd"`
	Family    string `xml:"Domn>Fmly>Cd"`
	SubFamily string `xml:"Domn>Fmly>SubFmlyCd"`
}

// The optional groups below are pointers: encoding/xml writes the parents
// of an a>b path even when b is omitted, and an empty <Refs/> is invalid.

type outNtryDtls struct {
	Btch   *outBatch `xml:"Btch,omitempty"`
	TxDtls []outTx   `xml:"TxDtls"`
}

type outBatch struct {
	NbOfTxs string `xml:"NbOfTxs"`
}

type outTx struct {
	Refs      *outRefs    `xml:"Refs,omitempty"`
	Amt       outAmount   `xml:"AmtDtls>TxAmt>Amt"`
	RltdPties *outParties `xml:"RltdPties,omitempty"`
	RmtInf    *outRmtInf  `xml:"RmtInf,omitempty"`
	RtrInf    *outRtrInf  `xml:"RtrInf,omitempty"`
}

// outRtrInf is a returned payment's reason: an ISO code of at most four
// characters, or the bank's own.
type outRtrInf struct {
	Cd    string `xml:"Rsn>Cd,omitempty"`
	Prtry string `xml:"Rsn>Prtry,omitempty"`
}

type outRefs struct {
	AcctSvcrRef string `xml:"AcctSvcrRef,omitempty"`
	EndToEndID  string `xml:"EndToEndId,omitempty"`
}

type outParties struct {
	Dbtr *outName `xml:"Dbtr,omitempty"`
	Cdtr *outName `xml:"Cdtr,omitempty"`
}

type outName struct {
	Nm string `xml:"Nm"`
}

type outRmtInf struct {
	Ustrd string   `xml:"Ustrd,omitempty"`
	Strd  *outStrd `xml:"Strd,omitempty"`
}

// outStrd is a structured remittance with a creditor reference, the same
// element in camt.054 and pain.001.
type outStrd struct {
	Tp  *outRefType `xml:"CdtrRefInf>Tp,omitempty"`
	Ref string      `xml:"CdtrRefInf>Ref"`
}

type outRefType struct {
	CdOrPrtry *outCode `xml:"CdOrPrtry,omitempty"`
	Issr      string   `xml:"Issr,omitempty"`
}

type outCode struct {
	Cd string `xml:"Cd"`
}

func (c *camtWriter) entry(index int, e *Entry) error {
	fail := func(reason Reason, field, format string, args ...any) error {
		return &Error{Reason: reason, EntryIndex: index, ID: e.EntryRef, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if e.AccountIBAN != "" && e.AccountIBAN != c.account {
		if err := c.closeReport(); err != nil {
			return err
		}
		if err := c.openReport(e.AccountIBAN); err != nil {
			return err
		}
	}
	if e.Currency != "" && e.Currency != "EUR" {
		return fail(ReasonCurrency, "Currency", "currency %q is not EUR", e.Currency)
	}
	if e.AmountCents < 0 || e.AmountCents > maxAmountCents {
		return fail(ReasonAmount, "AmountCents", "amount %d cents out of range", e.AmountCents)
	}
	switch e.CreditDebit {
	case Credit, Debit:
	default:
		return fail(ReasonCode, "CreditDebit", "%q is neither CRDT nor DBIT", string(e.CreditDebit))
	}
	switch e.Status {
	case StatusBooked, StatusPending, StatusInfo:
	default:
		return fail(ReasonCode, "Status", "%q is not BOOK, PDNG or INFO", string(e.Status))
	}
	for _, d := range []struct{ field, value string }{{"BookingDate", e.BookingDate}, {"ValueDate", e.ValueDate}} {
		if _, err := time.Parse(time.DateOnly, d.value); d.value != "" && err != nil {
			return fail(ReasonDate, d.field, "%q is not YYYY-MM-DD", d.value)
		}
	}
	// encoding/xml would quietly replace what XML cannot carry, and the
	// file would no longer read back to the same entry.
	texts := []string{e.AccountIBAN, e.EntryRef, e.AcctSvcrRef}
	for _, t := range e.Transactions {
		texts = append(texts, t.Reference, t.ReferenceType, t.ReferenceIssuer, t.RemittanceText,
			t.DebtorName, t.CreditorName, t.EndToEndID, t.AcctSvcrRef)
	}
	for _, s := range texts {
		if !xmlText(s) {
			return fail(ReasonFormat, "", "text %q cannot be written to XML", s)
		}
	}

	out := outEntry{
		NtryRef:     e.EntryRef,
		Amt:         outAmount{Ccy: "EUR", Value: formatCents(e.AmountCents)},
		CdtDbtInd:   string(e.CreditDebit),
		Sts:         string(e.Status),
		AcctSvcrRef: e.AcctSvcrRef,
		BkTxCd:      outBkTxCd{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"},
	}
	if e.CreditDebit == Debit {
		out.BkTxCd.Family = "ICDT"
	}
	if e.Reversal {
		out.RvslInd = "true"
	}
	if e.BookingDate != "" {
		out.BookgDt = &outDate{e.BookingDate}
	}
	if e.ValueDate != "" {
		out.ValDt = &outDate{e.ValueDate}
	}
	if len(e.Transactions) > 0 {
		out.NtryDtls = &outNtryDtls{TxDtls: make([]outTx, len(e.Transactions))}
		if len(e.Transactions) > 1 {
			out.NtryDtls.Btch = &outBatch{NbOfTxs: fmt.Sprint(len(e.Transactions))}
		}
		var sum int64
		for i, t := range e.Transactions {
			if t.AmountCents < 0 || t.AmountCents > maxAmountCents {
				return fail(ReasonAmount, fmt.Sprintf("Transactions[%d].AmountCents", i), "amount %d cents out of range", t.AmountCents)
			}
			sum += t.AmountCents
			tx := outTx{
				Amt:    outAmount{Ccy: "EUR", Value: formatCents(t.AmountCents)},
				RmtInf: remittance(t.RemittanceText, t.Reference, t.ReferenceType, t.ReferenceIssuer),
			}
			if t.AcctSvcrRef != "" || t.EndToEndID != "" {
				tx.Refs = &outRefs{AcctSvcrRef: t.AcctSvcrRef, EndToEndID: t.EndToEndID}
			}
			if t.DebtorName != "" || t.CreditorName != "" {
				tx.RltdPties = &outParties{Dbtr: name(t.DebtorName), Cdtr: name(t.CreditorName)}
			}
			if t.ReturnReason != "" {
				tx.RtrInf = &outRtrInf{Cd: t.ReturnReason}
				if utf8.RuneCountInString(t.ReturnReason) > 4 {
					tx.RtrInf = &outRtrInf{Prtry: t.ReturnReason}
				}
			}
			out.NtryDtls.TxDtls[i] = tx
		}
		if sum != e.AmountCents {
			return fail(ReasonTotals, "Transactions", "transactions sum to %s but the entry amount is %s", formatCents(sum), formatCents(e.AmountCents))
		}
	}
	return c.enc.Encode(&out)
}

// remittance builds RmtInf, or nil when there is nothing to say.
func remittance(text, ref, refType, issuer string) *outRmtInf {
	if text == "" && ref == "" {
		return nil
	}
	r := &outRmtInf{Ustrd: text}
	if ref != "" {
		r.Strd = &outStrd{Ref: ref}
		if refType != "" || issuer != "" {
			r.Strd.Tp = &outRefType{Issr: issuer}
			if refType != "" {
				r.Strd.Tp.CdOrPrtry = &outCode{refType}
			}
		}
	}
	return r
}

func name(n string) *outName {
	if n == "" {
		return nil
	}
	return &outName{n}
}
