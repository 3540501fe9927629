package iso20022

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzReader feeds the camt reader arbitrary bytes: it must never panic,
// must fail only with an *Error, and whatever it accepts must survive
// read → write → read unchanged.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"camt054.xml", "camt053.xml", "camt054_v08.xml", "camt054_v10.xml", "camt054_truncated.xml", "camt054_return.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(camtDoc(entryXML("10.00", "EUR") + entryXML("0.5", "EUR"))))
	f.Add([]byte(camtDoc(`<Ntry><Amt Ccy="EUR">3</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>1</RvslInd><Sts><Cd>INFO</Cd></Sts>` +
		`<NtryDtls><TxDtls><Amt Ccy="EUR">1</Amt><RmtInf><Ustrd> a </Ustrd><Ustrd>b&#xD;</Ustrd></RmtInf></TxDtls>` +
		`<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">2.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Pty><Nm>x</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>`)))

	f.Fuzz(func(t *testing.T, data []byte) {
		h, entries, err := readAll(t, bytes.NewReader(data))
		if err != nil {
			asError(t, err)
			return
		}
		for i, e := range entries {
			if e.Index != i+1 || e.Line < 1 || e.Currency != "EUR" || e.AmountCents < 0 {
				t.Fatalf("entry %d inconsistent: %+v", i+1, e)
			}
		}
		checkCamtRoundTrip(t, h, entries)
	})
}

// FuzzPain001RoundTrip builds payments from fuzzed fields. WritePain001
// must either refuse them with an *Error before writing a byte, or write
// a file that ReadPain001 turns back into the same payments.
func FuzzPain001RoundTrip(f *testing.F) {
	f.Add("MSG-1", int64(1709274600), "Liisa Virtanen", "FI1410093000123458", "NDEAFIHH", "E2E-1", int64(120035), "", false, "Asumistuki 03/2024")
	f.Add("MSG-2", int64(0), "Esimerkki Oy", "FI3715903000000776", "", "E2E-2", int64(1), "1234561", false, "")
	f.Add("M", int64(-62135596800), "Åke <&> Ström", "FI4950009420028730", "OKOYFIHH", "x", int64(99_999_999_999), "RF9811112", true, "")
	f.Add("", int64(1), "", "SE4550000000058398257466", "ESSESESS", "", int64(-5), "RF00", true, "a\r\nb")

	f.Fuzz(func(t *testing.T, msgID string, created int64, name, iban, bic, e2e string, cents int64, ref string, rf bool, text string) {
		in := sampleInitiation()
		in.MessageID = msgID
		in.CreatedAt = time.Unix(created, 0).UTC()
		in.Batches[0].Payments[1] = Payment{
			EndToEndID: e2e, InstrID: e2e, AmountCents: cents,
			CreditorName: name, CreditorIBAN: iban, CreditorBIC: bic,
			RemittanceReference: ref, RemittanceRF: rf, RemittanceText: text,
		}
		in.Batches[1].DebtorName = name

		var buf bytes.Buffer
		if err := WritePain001(&buf, in); err != nil {
			asError(t, err)
			if buf.Len() != 0 {
				t.Fatalf("%d bytes written before %v", buf.Len(), err)
			}
			return
		}
		got, err := ReadPain001(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("reading what was written: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(got, in) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, in)
		}
	})
}

// FuzzReadPain001 feeds ReadPain001 arbitrary bytes: no panics, only
// *Error failures, and what it accepts is written back identically.
func FuzzReadPain001(f *testing.F) {
	f.Add(readTestdata(f, "pain001.golden.xml"))
	f.Add(readTestdata(f, "camt054.xml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadPain001(bytes.NewReader(data))
		if err != nil {
			asError(t, err)
			return
		}
		var buf bytes.Buffer
		if err := WritePain001(&buf, in); err != nil {
			t.Fatalf("ReadPain001 accepted what WritePain001 refuses: %v", err)
		}
		again, err := ReadPain001(&buf)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		// Sub-second precision is not written.
		in.CreatedAt = in.CreatedAt.Truncate(time.Second)
		if !reflect.DeepEqual(again, in) {
			t.Fatalf("round trip\n got %+v\nwant %+v", again, in)
		}
	})
}

// FuzzCamt054RoundTrip builds entries from fuzzed fields: WriteCamt054
// either refuses them with an *Error or writes a file the Reader reads
// back with the same amounts and codes, and texts trimmed of surrounding
// white space; that result then round-trips exactly.
func FuzzCamt054RoundTrip(f *testing.F) {
	f.Add("1", "240301593497R10001", int64(15000), int64(0), false, true, "11112", "", "Matti Meikäläinen", "NOTPROVIDED", "")
	f.Add("", "", int64(22680), int64(19000), true, false, "RF332348236", "ISO", " Anna <&> Korhonen ", "", "rivi 1\nrivi 2\r")
	f.Add("x", "y", int64(-1), int64(0), false, false, "", "", "\x00", "", "")

	f.Fuzz(func(t *testing.T, ref, asr string, cents, firstCents int64, debit, reversal bool, cref, issuer, name, e2e, text string) {
		e := Entry{
			EntryRef: ref, AcctSvcrRef: asr, AmountCents: cents,
			CreditDebit: Credit, Status: StatusBooked, BookingDate: "2024-03-01", Reversal: reversal,
		}
		if debit {
			e.CreditDebit = Debit
		}
		tx := Transaction{
			Reference: cref, ReferenceType: "SCOR", ReferenceIssuer: issuer,
			RemittanceText: text, DebtorName: name, CreditorName: name, EndToEndID: e2e, AcctSvcrRef: asr,
		}
		if firstCents > 0 && firstCents < cents {
			// A batch of two: the parts must add up.
			a, b := tx, tx
			a.AmountCents, b.AmountCents = firstCents, cents-firstCents
			e.Transactions = []Transaction{a, b}
		} else {
			tx.AmountCents = cents
			e.Transactions = []Transaction{tx}
		}

		var buf bytes.Buffer
		if err := WriteCamt054(&buf, benchHeader, slices.Values([]Entry{e})); err != nil {
			asError(t, err)
			return
		}
		h, got, err := readAll(t, &buf)
		if err != nil {
			t.Fatalf("reading what was written: %v\n%s", err, buf.Bytes())
		}
		if len(got) != 1 {
			t.Fatalf("%d entries back", len(got))
		}
		g := got[0]
		if g.AmountCents != e.AmountCents || g.CreditDebit != e.CreditDebit || g.Reversal != e.Reversal ||
			g.EntryRef != strings.TrimSpace(e.EntryRef) || len(g.Transactions) != len(e.Transactions) {
			t.Fatalf("got %+v\nfrom %+v", g, e)
		}
		for i, tr := range g.Transactions {
			want := e.Transactions[i]
			if tr.AmountCents != want.AmountCents || tr.DebtorName != strings.TrimSpace(want.DebtorName) ||
				tr.RemittanceText != strings.TrimSpace(want.RemittanceText) || tr.EndToEndID != strings.TrimSpace(want.EndToEndID) {
				t.Fatalf("transaction %d: got %+v\nfrom %+v", i+1, tr, want)
			}
		}
		checkCamtRoundTrip(t, h, got)
	})
}
