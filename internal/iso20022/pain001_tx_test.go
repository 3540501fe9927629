package iso20022

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"testing"
)

// The reference encoding of a payment, on encoding/xml, that writeTx
// replaced: writeTx must write the same bytes.

type painTxOut struct {
	InstrID    string     `xml:"PmtId>InstrId,omitempty"`
	EndToEndID string     `xml:"PmtId>EndToEndId"`
	Amt        outAmount  `xml:"Amt>InstdAmt"`
	CdtrAgt    *painAgent `xml:"CdtrAgt,omitempty"`
	CdtrNm     string     `xml:"Cdtr>Nm"`
	CdtrIBAN   string     `xml:"CdtrAcct>Id>IBAN"`
	RmtInf     *outRmtInf `xml:"RmtInf,omitempty"`
}

type painAgent struct {
	BIC string `xml:"FinInstnId>BIC"`
}

func newPainTxOut(p *Payment) *painTxOut {
	t := &painTxOut{
		InstrID:    p.InstrID,
		EndToEndID: p.EndToEndID,
		Amt:        outAmount{Ccy: "EUR", Value: formatCents(p.AmountCents)},
		CdtrNm:     p.CreditorName,
		CdtrIBAN:   p.CreditorIBAN,
	}
	if p.CreditorBIC != "" {
		t.CdtrAgt = &painAgent{BIC: p.CreditorBIC}
	}
	issuer := ""
	if p.RemittanceRF {
		issuer = "ISO"
	}
	t.RmtInf = remittance(p.RemittanceText, p.RemittanceReference, "SCOR", issuer)
	return t
}

// referenceTx writes one payment through encoding/xml, indented as inside
// the document.
func referenceTx(w *bufio.Writer, p *Payment) error {
	w.WriteString("\n")
	enc := xml.NewEncoder(w)
	enc.Indent("      ", "  ")
	if err := enc.EncodeElement(newPainTxOut(p), xml.StartElement{Name: xml.Name{Local: "CdtTrfTxInf"}}); err != nil {
		return err
	}
	return enc.Flush()
}

// TestWriteTxMatchesEncoder: the sample document is the same through the
// reference encoding and through writeTx.
func TestWriteTxMatchesEncoder(t *testing.T) {
	var want, got bytes.Buffer
	if err := writePain001(&want, sampleInitiation(), referenceTx); err != nil {
		t.Fatal(err)
	}
	if err := WritePain001(&got, sampleInitiation()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("writeTx wrote\n%s\nthe encoder\n%s", got.Bytes(), want.Bytes())
	}
}

// FuzzWriteTx: any payment the writer takes is written as the encoder
// would write it.
func FuzzWriteTx(f *testing.F) {
	f.Add("E2E-1", "1", int64(120035), "Liisa Virtanen", "FI1410093000123458", "NDEAFIHH", "", false, "Asumistuki 03/2024")
	f.Add("x", "", int64(1), "Åke <&> \"Ström\" 'Ab'", "FI4950009420028730", "", "RF9811112", true, "")
	f.Add("E\t2", "", int64(99_999_999_999), "a\r\nb\u00a0\x7f", "FI3715903000000776", "HANDFIHH", "1234561", false, "a\r\nb")
	f.Fuzz(func(t *testing.T, e2e, instr string, cents int64, name, iban, bic, ref string, rf bool, text string) {
		in := sampleInitiation()
		in.Batches[0].Payments[1] = Payment{EndToEndID: e2e, InstrID: instr, AmountCents: cents, CreditorName: name,
			CreditorIBAN: iban, CreditorBIC: bic, RemittanceReference: ref, RemittanceRF: rf, RemittanceText: text}
		var want, got bytes.Buffer
		errWant := writePain001(&want, in, referenceTx)
		errGot := WritePain001(&got, in)
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("errors differ: %v, %v", errGot, errWant)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("writeTx wrote\n%s\nthe encoder\n%s", got.Bytes(), want.Bytes())
		}
	})
}
