package iso20022

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Pain001Namespace is the namespace of the pain.001 version Finnish banks
// take (Customer Credit Transfer Initiation V03).
const Pain001Namespace = nsPrefix + "pain.001.001.03"

// maxPaymentCents is the SEPA credit transfer ceiling, 999 999 999.99 €.
const maxPaymentCents = 99_999_999_999

// Payment is one credit transfer (CdtTrfTxInf) to a creditor's account.
type Payment struct {
	EndToEndID   string // PmtId/EndToEndId, Max35Text; comes back in the payee's camt.054
	InstrID      string // PmtId/InstrId, Max35Text, optional; comes back in pain.002
	AmountCents  int64  // euros, > 0
	CreditorName string // Cdtr/Nm, Max70Text
	CreditorIBAN string // CdtrAcct/Id/IBAN, upper case without spaces
	CreditorBIC  string // CdtrAgt/FinInstnId/BIC, optional: SEPA routes by IBAN

	// RemittanceReference is a structured creditor reference, written as
	// RmtInf/Strd/CdtrRefInf with type SCOR; RemittanceRF marks it as an
	// ISO 11649 RF reference (issuer ISO). A national reference to a Finnish
	// account is checked as a Finnish reference number.
	RemittanceReference string
	RemittanceRF        bool
	// RemittanceText is the unstructured message (RmtInf/Ustrd, at most 140
	// characters). SEPA allows a reference or a message, not both.
	RemittanceText string
}

// Batch is one payment information block (PmtInf): payments debited from
// one account on one day.
type Batch struct {
	PaymentInfoID          string // PmtInfId, Max35Text, unique within the message
	RequestedExecutionDate string // ReqdExctnDt, YYYY-MM-DD
	DebtorName             string // Dbtr/Nm, Max70Text
	DebtorIBAN             string // DbtrAcct/Id/IBAN
	DebtorBIC              string // DbtrAgt/FinInstnId/BIC
	Payments               []Payment

	// Each, when set instead of Payments, gives a batch too large to hold
	// in memory: WritePain001 calls it once and writes each payment as it
	// comes, validated as Payments would be. The headers come first, so the
	// batch's count and sum are declared beforehand in Count and SumCents;
	// a payment that fails validation, or totals that differ from the
	// declared ones, stop the writing with an *Error, and what was written
	// is to be thrown away (write to a temporary file).
	Each     func(fn func(*Payment) error) error
	Count    int
	SumCents int64
}

// Initiation is a whole pain.001 message.
type Initiation struct {
	MessageID string    // GrpHdr/MsgId, Max35Text
	CreatedAt time.Time // GrpHdr/CreDtTm, written in UTC to the second
	// InitiatingParty is the payer's name (InitgPty/Nm, Max70Text).
	InitiatingParty string
	// InitiatingPartyID is the id the bank knows the payer by
	// (InitgPty/Id/OrgId/Othr/Id with scheme BANK), usually the business
	// ID; optional.
	InitiatingPartyID string
	Batches           []Batch
}

// WritePain001 validates the whole initiation, then writes it as
// pain.001.001.03. Nothing is written when validation fails; the *Error
// names the batch and payment at fault. A batch given by Batch.Each is
// validated as it is written instead.
//
// The payments are encoded one at a time as the output is written, so the
// only full copy of a large run is the caller's slice (none with Each).
func WritePain001(w io.Writer, in Initiation) error {
	return writePain001(w, in, writeTx)
}

// txWriter writes one CdtTrfTxInf element, indented as the encoder would
// (writeTx; the reference encoding on encoding/xml is in the tests).
type txWriter func(w *bufio.Writer, p *Payment) error

func writePain001(out io.Writer, in Initiation, tx txWriter) error {
	totals, err := validateInitiation(&in)
	if err != nil {
		return err
	}
	doc := painDocOut{
		Xmlns: Pain001Namespace,
		GrpHdr: painGrpHdrOut{
			MsgID:    in.MessageID,
			CreDtTm:  in.CreatedAt.UTC().Format(time.RFC3339),
			NbOfTxs:  fmt.Sprint(totals.count),
			CtrlSum:  formatCents(totals.sum),
			InitgPty: painPartyOut{Nm: in.InitiatingParty},
		},
		PmtInf: make([]painPmtInfOut, len(in.Batches)),
	}
	if in.InitiatingPartyID != "" {
		doc.GrpHdr.InitgPty.ID = &painOrgIDOut{ID: in.InitiatingPartyID, Scheme: "BANK"}
	}
	// The headers go through encoding/xml; the payments, a million in a
	// large run, are written straight into w between them (paymentFunc
	// flushes the encoder first), which costs a fifth of what encoding
	// each through reflection did.
	w := bufio.NewWriterSize(out, 64<<10)
	for i := range in.Batches {
		b := &in.Batches[i]
		doc.PmtInf[i] = painPmtInfOut{
			PmtInfID:    b.PaymentInfoID,
			PmtMtd:      "TRF",
			NbOfTxs:     fmt.Sprint(totals.batchCounts[i]),
			CtrlSum:     formatCents(totals.batchSums[i]),
			SvcLvl:      "SEPA",
			ReqdExctnDt: b.RequestedExecutionDate,
			DbtrNm:      b.DebtorName,
			DbtrIBAN:    b.DebtorIBAN,
			DbtrBIC:     b.DebtorBIC,
			ChrgBr:      "SLEV",
		}
		each := b.Each
		if each == nil {
			ps := b.Payments
			each = func(fn func(*Payment) error) error {
				for j := range ps {
					if err := fn(&ps[j]); err != nil {
						return err
					}
				}
				return nil
			}
		}
		// A batch of Payments was validated whole above; checking it again
		// as it is written finds nothing new and its totals agree.
		doc.PmtInf[i].Txs = &paymentFunc{batch: i + 1, each: each, count: totals.batchCounts[i], sum: totals.batchSums[i], w: w, tx: tx}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return w.Flush()
}

type painDocOut struct {
	XMLName xml.Name        `xml:"Document"`
	Xmlns   string          `xml:"xmlns,attr"`
	GrpHdr  painGrpHdrOut   `xml:"CstmrCdtTrfInitn>GrpHdr"`
	PmtInf  []painPmtInfOut `xml:"CstmrCdtTrfInitn>PmtInf"`
}

type painGrpHdrOut struct {
	MsgID    string       `xml:"MsgId"`
	CreDtTm  string       `xml:"CreDtTm"`
	NbOfTxs  string       `xml:"NbOfTxs"`
	CtrlSum  string       `xml:"CtrlSum"`
	InitgPty painPartyOut `xml:"InitgPty"`
}

type painPartyOut struct {
	Nm string        `xml:"Nm"`
	ID *painOrgIDOut `xml:"Id,omitempty"`
}

type painOrgIDOut struct {
	ID     string `xml:"OrgId>Othr>Id"`
	Scheme string `xml:"OrgId>Othr>SchmeNm>Cd"`
}

type painPmtInfOut struct {
	PmtInfID    string        `xml:"PmtInfId"`
	PmtMtd      string        `xml:"PmtMtd"`
	NbOfTxs     string        `xml:"NbOfTxs"`
	CtrlSum     string        `xml:"CtrlSum"`
	SvcLvl      string        `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string        `xml:"ReqdExctnDt"`
	DbtrNm      string        `xml:"Dbtr>Nm"`
	DbtrIBAN    string        `xml:"DbtrAcct>Id>IBAN"`
	DbtrBIC     string        `xml:"DbtrAgt>FinInstnId>BIC"`
	ChrgBr      string        `xml:"ChrgBr"`
	Txs         xml.Marshaler `xml:"CdtTrfTxInf"`
}

// paymentFunc writes the payments each gives, validating each and, at the
// end, the declared totals.
type paymentFunc struct {
	batch int
	each  func(fn func(*Payment) error) error
	count int
	sum   int64
	w     *bufio.Writer // under the encoder
	tx    txWriter
}

func (s *paymentFunc) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	// What the encoder holds goes out first; it writes nothing of its own
	// here, so its indentation carries on after the last payment as if it
	// had written them.
	if err := e.Flush(); err != nil {
		return err
	}
	n, sum := 0, int64(0)
	err := s.each(func(p *Payment) error {
		n++
		v := validator{batch: s.batch, payment: n, id: p.EndToEndID}
		if v.checkPayment(p); v.err != nil {
			return v.err
		}
		sum += p.AmountCents
		return s.tx(s.w, p)
	})
	if err != nil {
		return err
	}
	if n != s.count || sum != s.sum {
		return &Error{Reason: ReasonTotals, Batch: s.batch, Field: "Count",
			Msg: fmt.Sprintf("%d payments of %s € given, %d of %s € declared", n, formatCents(sum), s.count, formatCents(s.sum))}
	}
	return nil
}

// writeTx writes one CdtTrfTxInf at its depth in the document (three
// elements in, two spaces a level), byte for byte what encoding/xml wrote
// for it (TestWriteTxMatchesEncoder).
func writeTx(w *bufio.Writer, p *Payment) error {
	w.WriteString("\n      <CdtTrfTxInf>\n        <PmtId>")
	if p.InstrID != "" {
		element(w, "\n          ", "InstrId", p.InstrID)
	}
	element(w, "\n          ", "EndToEndId", p.EndToEndID)
	w.WriteString("\n        </PmtId>\n        <Amt>\n          <InstdAmt Ccy=\"EUR\">")
	writeCents(w, p.AmountCents)
	w.WriteString("</InstdAmt>\n        </Amt>")
	if p.CreditorBIC != "" {
		w.WriteString("\n        <CdtrAgt>\n          <FinInstnId>")
		element(w, "\n            ", "BIC", p.CreditorBIC)
		w.WriteString("\n          </FinInstnId>\n        </CdtrAgt>")
	}
	w.WriteString("\n        <Cdtr>")
	element(w, "\n          ", "Nm", p.CreditorName)
	w.WriteString("\n        </Cdtr>\n        <CdtrAcct>\n          <Id>")
	element(w, "\n            ", "IBAN", p.CreditorIBAN)
	w.WriteString("\n          </Id>\n        </CdtrAcct>")
	if p.RemittanceText != "" || p.RemittanceReference != "" {
		w.WriteString("\n        <RmtInf>")
		if p.RemittanceText != "" {
			element(w, "\n          ", "Ustrd", p.RemittanceText)
		}
		if p.RemittanceReference != "" {
			w.WriteString("\n          <Strd>\n            <CdtrRefInf>\n              <Tp>\n                <CdOrPrtry>\n                  <Cd>SCOR</Cd>\n                </CdOrPrtry>")
			if p.RemittanceRF {
				w.WriteString("\n                <Issr>ISO</Issr>")
			}
			w.WriteString("\n              </Tp>")
			element(w, "\n              ", "Ref", p.RemittanceReference)
			w.WriteString("\n            </CdtrRefInf>\n          </Strd>")
		}
		w.WriteString("\n        </RmtInf>")
	}
	_, err := w.WriteString("\n      </CdtTrfTxInf>")
	return err
}

// element writes indent<name>text</name>, the text escaped as
// encoding/xml escapes character data.
func element(w *bufio.Writer, indent, name, text string) {
	w.WriteString(indent)
	w.WriteByte('<')
	w.WriteString(name)
	w.WriteByte('>')
	escapeText(w, text)
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

// escapeText writes s as character data: printable ASCII other than the
// five markup characters as it is, anything else through xml.EscapeText.
func escapeText(w *bufio.Writer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F, c == '"', c == '\'', c == '&', c == '<', c == '>':
			xml.EscapeText(w, []byte(s))
			return
		}
	}
	w.WriteString(s)
}

// writeCents writes cents as formatCents does, without allocating.
func writeCents(w *bufio.Writer, cents int64) {
	var b [24]byte
	out := b[:0]
	u := uint64(cents)
	if cents < 0 {
		out = append(out, '-')
		u = -u
	}
	out = strconv.AppendUint(out, u/100, 10)
	r := u % 100
	out = append(out, '.', byte('0'+r/10), byte('0'+r%10))
	w.Write(out)
}

type painTotals struct {
	count       int
	sum         int64
	batchSums   []int64
	batchCounts []int
}

// validateInitiation checks everything the schema and Finnish banks would
// refuse, before a byte is written, and adds up the totals the group header
// needs first.
func validateInitiation(in *Initiation) (painTotals, error) {
	var t painTotals
	v := validator{}
	v.text("MessageID", in.MessageID, 35, true)
	if in.CreatedAt.IsZero() {
		v.fail(ReasonMissing, "CreatedAt", "creation time missing")
	} else if y := in.CreatedAt.UTC().Year(); y < 1 || y > 9999 {
		v.fail(ReasonDate, "CreatedAt", "year %d out of range", y)
	}
	v.text("InitiatingParty", in.InitiatingParty, 70, true)
	v.text("InitiatingPartyID", in.InitiatingPartyID, 35, false)
	if len(in.Batches) == 0 {
		v.fail(ReasonMissing, "Batches", "no payment batches")
	}
	if v.err != nil {
		return t, v.err
	}

	t.batchSums = make([]int64, len(in.Batches))
	t.batchCounts = make([]int, len(in.Batches))
	ids := make(map[string]int, len(in.Batches))
	for i := range in.Batches {
		b := &in.Batches[i]
		v := validator{batch: i + 1, id: b.PaymentInfoID}
		v.text("PaymentInfoID", b.PaymentInfoID, 35, true)
		if first, dup := ids[b.PaymentInfoID]; dup && v.err == nil {
			v.fail(ReasonConflict, "PaymentInfoID", "same id as batch %d", first)
		}
		ids[b.PaymentInfoID] = i + 1
		if _, err := time.Parse(time.DateOnly, b.RequestedExecutionDate); err != nil {
			if b.RequestedExecutionDate == "" {
				v.fail(ReasonMissing, "RequestedExecutionDate", "execution date missing")
			} else {
				v.fail(ReasonDate, "RequestedExecutionDate", "%q is not YYYY-MM-DD", b.RequestedExecutionDate)
			}
		}
		v.text("DebtorName", b.DebtorName, 70, true)
		v.iban("DebtorIBAN", b.DebtorIBAN)
		v.bic("DebtorBIC", b.DebtorBIC, true)
		switch {
		case b.Each != nil && len(b.Payments) > 0:
			v.fail(ReasonConflict, "Payments", "a batch has Payments or Each, not both")
		case b.Each != nil && (b.Count <= 0 || b.SumCents <= 0 || b.SumCents > maxAmountCents):
			v.fail(ReasonTotals, "Count", "declared %d payments of %d cents", b.Count, b.SumCents)
		case b.Each == nil && len(b.Payments) == 0:
			v.fail(ReasonMissing, "Payments", "batch has no payments")
		}
		if v.err != nil {
			return t, v.err
		}
		if b.Each != nil {
			t.batchSums[i], t.batchCounts[i] = b.SumCents, b.Count
			t.count += b.Count
			t.sum += b.SumCents
			if t.sum > maxAmountCents {
				v.fail(ReasonTotals, "SumCents", "the message total exceeds what CtrlSum can hold")
				return t, v.err
			}
			continue
		}
		for j := range b.Payments {
			p := &b.Payments[j]
			v := validator{batch: i + 1, payment: j + 1, id: p.EndToEndID}
			v.checkPayment(p)
			if v.err != nil {
				return t, v.err
			}
			t.batchSums[i] += p.AmountCents
			t.sum += p.AmountCents
			// Each amount is below 10^11, so checking after every addition
			// catches the limit long before int64 could overflow.
			if t.sum > maxAmountCents {
				v.fail(ReasonTotals, "AmountCents", "the message total exceeds what CtrlSum can hold")
				return t, v.err
			}
		}
		t.count += len(b.Payments)
		t.batchCounts[i] = len(b.Payments)
	}
	return t, nil
}

// validator keeps the first failure for one batch or payment.
type validator struct {
	batch, payment int
	id             string
	err            *Error
}

func (v *validator) fail(reason Reason, field, format string, args ...any) {
	if v.err == nil {
		v.err = &Error{Reason: reason, Batch: v.batch, Payment: v.payment, ID: v.id, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
}

// text checks a MaxNText value. Blank values count as missing: the schema
// would take " ", a bank would not.
func (v *validator) text(field, s string, max int, required bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.fail(ReasonMissing, field, "missing")
		} else if s != "" {
			v.fail(ReasonFormat, field, "only white space")
		}
	case !xmlText(s):
		v.fail(ReasonFormat, field, "contains characters that cannot be sent in XML")
	case utf8.RuneCountInString(s) > max:
		v.fail(ReasonTooLong, field, "%d characters, at most %d allowed", utf8.RuneCountInString(s), max)
	}
}

func (v *validator) iban(field, s string) {
	switch {
	case s == "":
		v.fail(ReasonMissing, field, "missing")
	case !validIBAN(s):
		v.fail(ReasonFormat, field, "%q is not a valid IBAN (upper case, no spaces)", s)
	}
}

func (v *validator) bic(field, s string, required bool) {
	switch {
	case s == "":
		if required {
			v.fail(ReasonMissing, field, "missing")
		}
	case !validBIC(s):
		v.fail(ReasonFormat, field, "%q is not a valid BIC", s)
	}
}

func (v *validator) checkPayment(p *Payment) {
	v.text("EndToEndID", p.EndToEndID, 35, true)
	v.text("InstrID", p.InstrID, 35, false)
	switch {
	case p.AmountCents <= 0:
		v.fail(ReasonAmount, "AmountCents", "amount must be positive, got %d cents", p.AmountCents)
	case p.AmountCents > maxPaymentCents:
		v.fail(ReasonAmount, "AmountCents", "%s € is over the SEPA limit", formatCents(p.AmountCents))
	}
	v.text("CreditorName", p.CreditorName, 70, true)
	v.iban("CreditorIBAN", p.CreditorIBAN)
	v.bic("CreditorBIC", p.CreditorBIC, false)
	v.text("RemittanceText", p.RemittanceText, 140, false)

	ref := p.RemittanceReference
	switch {
	case ref == "":
		if p.RemittanceRF {
			v.fail(ReasonMissing, "RemittanceReference", "RF reference flagged but no reference given")
		}
	case p.RemittanceText != "":
		v.fail(ReasonConflict, "RemittanceText", "a payment carries a reference or a message, not both")
	case p.RemittanceRF:
		if !validRF(ref) {
			v.fail(ReasonFormat, "RemittanceReference", "%q is not a valid RF reference", ref)
		}
	case strings.HasPrefix(p.CreditorIBAN, "FI"):
		// Finnish banks reject a national reference with a wrong check
		// digit; other countries' formats are theirs to check.
		if !validFinnishRef(ref) {
			v.fail(ReasonFormat, "RemittanceReference", "%q is not a valid Finnish reference number", ref)
		}
	default:
		v.text("RemittanceReference", ref, 35, false)
	}
}

// ReadPain001 parses a pain.001.001.03 message of the shape WritePain001
// writes, for round-trip tests and for checking files before they are
// sent. Unlike the camt Reader it holds the whole message in memory.
//
// The result passes the same validation as WritePain001, and the totals in
// the group header and each batch must match the payments.
func ReadPain001(r io.Reader) (Initiation, error) {
	var doc painDocIn
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return Initiation{}, painXMLError(err)
	}
	switch ns := doc.XMLName.Space; {
	case doc.XMLName.Local != "Document" || !strings.HasPrefix(ns, nsPrefix+"pain.001."):
		return Initiation{}, &Error{Reason: ReasonMessageType, Field: doc.XMLName.Local, Msg: fmt.Sprintf("not a pain.001 document (namespace %q)", ns)}
	case ns != Pain001Namespace:
		return Initiation{}, &Error{Reason: ReasonVersion, Field: "Document", Msg: fmt.Sprintf("version %s is not supported (001.03 is)", strings.TrimPrefix(ns, nsPrefix+"pain.001."))}
	}

	g := &doc.GrpHdr
	in := Initiation{
		MessageID:         g.MsgID,
		InitiatingParty:   g.InitgNm,
		InitiatingPartyID: g.InitgID,
	}
	if strings.TrimSpace(g.CreDtTm) != "" {
		t, err := parseDateTime(g.CreDtTm)
		if err != nil {
			return Initiation{}, &Error{Reason: ReasonDate, Field: "GrpHdr/CreDtTm", Msg: err.Error()}
		}
		in.CreatedAt = t
	}

	in.Batches = make([]Batch, len(doc.PmtInf))
	var count int
	var sum int64
	for i := range doc.PmtInf {
		pi := &doc.PmtInf[i]
		fail := func(j int, id string, reason Reason, field, format string, args ...any) error {
			return &Error{Reason: reason, Batch: i + 1, Payment: j, ID: id, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		if pi.PmtMtd != "TRF" {
			return Initiation{}, fail(0, pi.PmtInfID, ReasonCode, "PmtMtd", "payment method %q is not TRF", pi.PmtMtd)
		}
		if pi.ChrgBr != "" && pi.ChrgBr != "SLEV" {
			return Initiation{}, fail(0, pi.PmtInfID, ReasonCode, "ChrgBr", "charge bearer %q is not SLEV", pi.ChrgBr)
		}
		if pi.SvcLvl != "" && pi.SvcLvl != "SEPA" {
			return Initiation{}, fail(0, pi.PmtInfID, ReasonCode, "PmtTpInf/SvcLvl/Cd", "service level %q is not SEPA", pi.SvcLvl)
		}
		b := Batch{
			PaymentInfoID:          pi.PmtInfID,
			RequestedExecutionDate: pi.ReqdExctnDt,
			DebtorName:             pi.DbtrNm,
			DebtorIBAN:             pi.DbtrIBAN,
			DebtorBIC:              pi.DbtrBIC,
			Payments:               make([]Payment, len(pi.Txs)),
		}
		var batchSum int64
		for j := range pi.Txs {
			tx := &pi.Txs[j]
			p := &b.Payments[j]
			*p = Payment{
				EndToEndID:   tx.EndToEndID,
				InstrID:      tx.InstrID,
				CreditorName: tx.CdtrNm,
				CreditorIBAN: tx.CdtrIBAN,
				CreditorBIC:  tx.CdtrBIC,
			}
			cents, _, err := checkAmount(tx.Amt)
			if err != nil {
				reason := ReasonAmount
				var ce currencyError
				switch {
				case errors.Is(err, errMissing):
					reason = ReasonMissing
				case errors.As(err, &ce):
					reason = ReasonCurrency
				}
				return Initiation{}, fail(j+1, tx.EndToEndID, reason, "Amt/InstdAmt", "%s", err.Error())
			}
			p.AmountCents = cents
			batchSum += cents
			if batchSum > maxAmountCents {
				return Initiation{}, fail(j+1, tx.EndToEndID, ReasonTotals, "Amt/InstdAmt", "the batch total is out of range")
			}

			if len(tx.Ustrd) > 1 || len(tx.Strd) > 1 {
				return Initiation{}, fail(j+1, tx.EndToEndID, ReasonConflict, "RmtInf", "more than one remittance element")
			}
			if len(tx.Ustrd) == 1 {
				p.RemittanceText = tx.Ustrd[0]
			}
			if len(tx.Strd) == 1 {
				s := &tx.Strd[0]
				if s.Cd != "SCOR" {
					return Initiation{}, fail(j+1, tx.EndToEndID, ReasonCode, "RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd", "reference type %q is not SCOR", s.Cd)
				}
				if s.Issr != "" && s.Issr != "ISO" {
					return Initiation{}, fail(j+1, tx.EndToEndID, ReasonCode, "RmtInf/Strd/CdtrRefInf/Tp/Issr", "reference issuer %q is not ISO", s.Issr)
				}
				if s.Ref == "" {
					return Initiation{}, fail(j+1, tx.EndToEndID, ReasonMissing, "RmtInf/Strd/CdtrRefInf/Ref", "reference missing")
				}
				p.RemittanceReference = s.Ref
				p.RemittanceRF = s.Issr == "ISO"
			}
		}
		if err := checkTotals(pi.NbOfTxs, pi.CtrlSum, len(pi.Txs), batchSum); err != nil {
			err.Batch, err.ID = i+1, pi.PmtInfID
			return Initiation{}, err
		}
		count += len(pi.Txs)
		sum += batchSum
		if sum > maxAmountCents {
			return Initiation{}, fail(0, pi.PmtInfID, ReasonTotals, "CtrlSum", "the message total is out of range")
		}
		in.Batches[i] = b
	}
	if err := checkTotals(g.NbOfTxs, g.CtrlSum, count, sum); err != nil {
		err.Field = "GrpHdr/" + err.Field
		return Initiation{}, err
	}
	if _, err := validateInitiation(&in); err != nil {
		return Initiation{}, err
	}
	return in, nil
}

// checkTotals compares a declared NbOfTxs and optional CtrlSum with the
// actual count and sum.
func checkTotals(nbOfTxs, ctrlSum string, count int, sum int64) *Error {
	if strings.TrimSpace(nbOfTxs) != fmt.Sprint(count) {
		return &Error{Reason: ReasonTotals, Field: "NbOfTxs", Msg: fmt.Sprintf("declares %q transactions, has %d", nbOfTxs, count)}
	}
	if strings.TrimSpace(ctrlSum) == "" {
		return nil
	}
	declared, err := parseCents(ctrlSum)
	if err != nil {
		return &Error{Reason: ReasonAmount, Field: "CtrlSum", Msg: err.Error()}
	}
	if declared != sum {
		return &Error{Reason: ReasonTotals, Field: "CtrlSum", Msg: fmt.Sprintf("declares %s, payments sum to %s", formatCents(declared), formatCents(sum))}
	}
	return nil
}

func painXMLError(err error) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		reason := ReasonSyntax
		if strings.HasPrefix(se.Msg, "unexpected EOF") {
			reason = ReasonTruncated
		}
		return &Error{Reason: reason, Line: se.Line, Msg: se.Msg}
	}
	if errors.Is(err, io.EOF) {
		return &Error{Reason: ReasonTruncated, Msg: "empty file"}
	}
	return &Error{Reason: ReasonSyntax, Msg: err.Error(), Err: err}
}

type painDocIn struct {
	XMLName xml.Name
	GrpHdr  struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
		NbOfTxs string `xml:"NbOfTxs"`
		CtrlSum string `xml:"CtrlSum"`
		InitgNm string `xml:"InitgPty>Nm"`
		InitgID string `xml:"InitgPty>Id>OrgId>Othr>Id"`
	} `xml:"CstmrCdtTrfInitn>GrpHdr"`
	PmtInf []painPmtInfIn `xml:"CstmrCdtTrfInitn>PmtInf"`
}

type painPmtInfIn struct {
	PmtInfID    string     `xml:"PmtInfId"`
	PmtMtd      string     `xml:"PmtMtd"`
	NbOfTxs     string     `xml:"NbOfTxs"`
	CtrlSum     string     `xml:"CtrlSum"`
	SvcLvl      string     `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string     `xml:"ReqdExctnDt"`
	DbtrNm      string     `xml:"Dbtr>Nm"`
	DbtrIBAN    string     `xml:"DbtrAcct>Id>IBAN"`
	DbtrBIC     string     `xml:"DbtrAgt>FinInstnId>BIC"`
	ChrgBr      string     `xml:"ChrgBr"`
	Txs         []painTxIn `xml:"CdtTrfTxInf"`
}

type painTxIn struct {
	InstrID    string     `xml:"PmtId>InstrId"`
	EndToEndID string     `xml:"PmtId>EndToEndId"`
	Amt        *xmlAmount `xml:"Amt>InstdAmt"`
	CdtrBIC    string     `xml:"CdtrAgt>FinInstnId>BIC"`
	CdtrNm     string     `xml:"Cdtr>Nm"`
	CdtrIBAN   string     `xml:"CdtrAcct>Id>IBAN"`
	Ustrd      []string   `xml:"RmtInf>Ustrd"`
	Strd       []xmlStrd  `xml:"RmtInf>Strd"`
}
