package iso20022

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const acct = "FI2112345600000785"

func TestReaderCamt054Sample(t *testing.T) {
	h, got, err := readAll(t, bytes.NewReader(readTestdata(t, "camt054.xml")))
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := Header{
		Message:     Camt054,
		Version:     "001.02",
		MessageID:   "CAMT054-20240304-000117",
		CreatedAt:   time.Date(2024, 3, 4, 4, 15, 2, 123e6, time.UTC),
		AccountIBAN: acct,
		Currency:    "EUR",
	}
	if h != wantHeader {
		t.Errorf("header\n got %+v\nwant %+v", h, wantHeader)
	}
	want := []Entry{
		{
			Index: 1, Line: 55, AccountIBAN: acct, EntryRef: "1", AcctSvcrRef: "240301593497R10001",
			CreditDebit: Credit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 15000, Currency: "EUR",
			Transactions: []Transaction{{
				AmountCents: 15000, Reference: "11112", ReferenceType: "SCOR",
				DebtorName: "Matti Meikäläinen", EndToEndID: "NOTPROVIDED", AcctSvcrRef: "240301593497R10001",
			}},
		},
		{
			// The archive id only on the transaction, the booking date from a DtTm.
			Index: 2, Line: 120, AccountIBAN: acct, EntryRef: "2", AcctSvcrRef: "240301593497R10002",
			CreditDebit: Credit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 3535, Currency: "EUR",
			Transactions: []Transaction{{
				AmountCents: 3535, Reference: "RF9811112", ReferenceType: "SCOR", ReferenceIssuer: "ISO",
				DebtorName: "Åsa Öhman", EndToEndID: "2024-03-01-0000042", AcctSvcrRef: "240301593497R10002",
			}},
		},
		{
			// A debit whose only transaction has no amount of its own.
			Index: 3, Line: 173, AccountIBAN: acct, EntryRef: "3", AcctSvcrRef: "240301593497S10003",
			CreditDebit: Debit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 120035, Currency: "EUR",
			Transactions: []Transaction{{
				AmountCents: 120035, RemittanceText: "Asumistuki 03/2024",
				CreditorName: "Liisa Virtanen", EndToEndID: "PAY-2024-03-000001",
			}},
		},
		{
			Index: 4, Line: 216, AccountIBAN: acct, EntryRef: "4", AcctSvcrRef: "240301593497R10004",
			CreditDebit: Credit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 22680, Currency: "EUR",
			Transactions: []Transaction{
				{
					AmountCents: 19000, Reference: "1234561", ReferenceType: "SCOR",
					DebtorName: "Pekka Mäkinen", EndToEndID: "NOTPROVIDED", AcctSvcrRef: "240301593497R10004A",
				},
				{
					AmountCents: 3680, Reference: "RF332348236", ReferenceType: "SCOR", ReferenceIssuer: "ISO",
					DebtorName: "Anna Korhonen", EndToEndID: "NOTPROVIDED", AcctSvcrRef: "240301593497R10004B",
				},
			},
		},
		{
			Index: 5, Line: 301, AccountIBAN: acct, EntryRef: "5", AcctSvcrRef: "240301593497R10005",
			CreditDebit: Debit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 5000, Currency: "EUR", Reversal: true,
			Transactions: []Transaction{{
				AmountCents: 5000, Reference: "9991110", ReferenceType: "SCOR",
				DebtorName: "Matti Meikäläinen", EndToEndID: "NOTPROVIDED",
			}},
		},
		{
			Index: 6, Line: 349, AccountIBAN: acct, EntryRef: "6",
			CreditDebit: Credit, Status: StatusPending, ValueDate: "2024-03-04",
			AmountCents: 5000, Currency: "EUR",
		},
	}
	compareEntries(t, got, want)
}

func compareEntries(t *testing.T, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d entries, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("entry %d\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
}

func TestReaderCamt053Sample(t *testing.T) {
	h, got, err := readAll(t, bytes.NewReader(readTestdata(t, "camt053.xml")))
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := Header{
		Message: Camt053, Version: "001.02", MessageID: "STMT-20240302-FI4950009420028730",
		CreatedAt: time.Date(2024, 3, 2, 3, 0, 0, 0, time.UTC), AccountIBAN: "FI4950009420028730", Currency: "EUR",
	}
	if h != wantHeader {
		t.Errorf("header\n got %+v\nwant %+v", h, wantHeader)
	}
	want := []Entry{
		{
			Index: 1, Line: 52, AccountIBAN: "FI4950009420028730", AcctSvcrRef: "20240301OKOY0000117",
			CreditDebit: Credit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 7215, Currency: "EUR",
			Transactions: []Transaction{{AmountCents: 7215, Reference: "12345672", ReferenceType: "SCOR", DebtorName: "Kari Nieminen"}},
		},
		{
			Index: 2, Line: 94, AccountIBAN: "FI4950009420028730", AcctSvcrRef: "20240301OKOY0000118",
			CreditDebit: Debit, Status: StatusBooked, BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			AmountCents: 19474, Currency: "EUR",
		},
	}
	compareEntries(t, got, want)
}

// Version 001.08 moved the status into <Sts><Cd>, the party into
// <Dbtr><Pty> and added TxDtls/Amt; the paths read are otherwise those of
// 001.02.
func TestReaderCamt054V08(t *testing.T) {
	h, got, err := readAll(t, bytes.NewReader(readTestdata(t, "camt054_v08.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != "001.08" || h.Message != Camt054 {
		t.Errorf("header %+v, want camt.054 001.08", h)
	}
	want := []Entry{{
		Index: 1, Line: 17, AccountIBAN: acct, EntryRef: "1", AcctSvcrRef: "250109593497R10001",
		CreditDebit: Credit, Status: StatusBooked, BookingDate: "2025-01-09", ValueDate: "2025-01-09",
		AmountCents: 7120, Currency: "EUR",
		Transactions: []Transaction{
			{AmountCents: 3535, Reference: "RF419991110", ReferenceType: "SCOR", ReferenceIssuer: "ISO", DebtorName: "Emma Laine", EndToEndID: "NOTPROVIDED"},
			{AmountCents: 3585, RemittanceText: "Opiskelijan terveydenhoitomaksu\nkevät 2025", DebtorName: "Juha Heikkinen", EndToEndID: "NOTPROVIDED"},
		},
	}}
	compareEntries(t, got, want)
}

func TestReaderRejectsFiles(t *testing.T) {
	pain := func(t *testing.T) []byte {
		var b bytes.Buffer
		if err := WritePain001(&b, sampleInitiation()); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name       string
		input      func(t *testing.T) []byte
		reason     Reason
		line       int
		entryIndex int
		entries    int // entries read before the error
	}{
		{"wrong version", file("camt054_v10.xml"), ReasonVersion, 2, 0, 0},
		{"truncated", file("camt054_truncated.xml"), ReasonTruncated, 264, 4, 3},
		{"pain.001", pain, ReasonMessageType, 2, 0, 0},
		{"empty", text(""), ReasonTruncated, 1, 0, 0},
		{"not xml", text("IBAN;amount\nFI21;1.00\n"), ReasonMessageType, 1, 0, 0},
		{"only a prolog", text("\uFEFF<?xml version=\"1.0\"?>\n"), ReasonTruncated, 2, 0, 0},
		{"html", text("<html><body>Service unavailable</body></html>"), ReasonMessageType, 1, 0, 0},
		{"no namespace", text(`<Document><BkToCstmrDbtCdtNtfctn/></Document>`), ReasonMessageType, 1, 0, 0},
		{"camt.052", text(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>`), ReasonMessageType, 1, 0, 0},
		{"camt.054.001.01", text(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.01"/>`), ReasonVersion, 1, 0, 0},
		{"message of the other kind", text(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrDbtCdtNtfctn/></Document>`), ReasonMessageType, 1, 0, 0},
		{"mismatched tag", text(camtDoc(entryXML("10.00", "EUR"))[:400] + "</Oops>"), ReasonSyntax, 1, 1, 0},
		{"mismatched tag in header", text(camtDoc("")[:150] + "</Oops>"), ReasonSyntax, 1, 0, 0},
		{"bad tag in entry", text(strings.Replace(camtDoc(entryXML("10.00", "EUR")), "</CdtDbtInd>", "</CdtDbt>", 1)), ReasonSyntax, 0, 1, 0},
		{"no group header", text(strings.Replace(camtDoc(""), "<GrpHdr><MsgId>M</MsgId><CreDtTm>2024-03-04T06:00:00Z</CreDtTm></GrpHdr>", "", 1)), ReasonMissing, 0, 0, 0},
		{"no account", text(strings.Replace(camtDoc(entryXML("1.00", "EUR")), "<Acct><Id><IBAN>FI2112345600000785</IBAN></Id></Acct>", "", 1)), ReasonMissing, 0, 0, 0},
		{"account not in euros", text(strings.Replace(camtDoc(""), "</Id></Acct>", "</Id><Ccy>SEK</Ccy></Acct>", 1)), ReasonCurrency, 0, 0, 0},
		{"bad creation time", text(strings.Replace(camtDoc(""), "2024-03-04T06:00:00Z", "4.3.2024 klo 6", 1)), ReasonDate, 0, 0, 0},
		{"no notification", text(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId><CreDtTm>2024-03-04T06:00:00</CreDtTm></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>`), ReasonMissing, 0, 0, 0},
		{"second root", text(camtDoc("") + "<Document/>"), ReasonSyntax, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, entries, err := readAll(t, bytes.NewReader(tt.input(t)))
			if err == nil {
				t.Fatal("no error")
			}
			e := asError(t, err)
			if e.Reason != tt.reason {
				t.Errorf("reason %q, want %q (%v)", e.Reason, tt.reason, err)
			}
			if tt.line != 0 && e.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", e.Line, tt.line, err)
			}
			if e.EntryIndex != tt.entryIndex {
				t.Errorf("entry index %d, want %d (%v)", e.EntryIndex, tt.entryIndex, err)
			}
			if len(entries) != tt.entries {
				t.Errorf("%d entries before the error, want %d", len(entries), tt.entries)
			}
			if e.Error() == "" || e.Msg == "" {
				t.Errorf("no message: %#v", e)
			}
		})
	}
}

func file(name string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return readTestdata(t, name) }
}

func text(s string) func(t *testing.T) []byte {
	return func(*testing.T) []byte { return []byte(s) }
}

// camtDoc wraps entries in a minimal camt.054.001.02 document, all on one
// line so that every entry is on line 1.
func camtDoc(entries string) string {
	return `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>` +
		`<GrpHdr><MsgId>M</MsgId><CreDtTm>2024-03-04T06:00:00Z</CreDtTm></GrpHdr>` +
		`<Ntfctn><Id>N</Id><CreDtTm>2024-03-04T06:00:00Z</CreDtTm><Acct><Id><IBAN>FI2112345600000785</IBAN></Id></Acct>` +
		entries + `</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`
}

func entryXML(amount, ccy string) string {
	return fmt.Sprintf(`<Ntry><NtryRef>R</NtryRef><Amt Ccy=%q>%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt></Ntry>`, ccy, amount)
}

// Problems in one entry's content leave the Reader usable, so that an
// operator sees every bad entry of a file at once.
func TestReaderEntryErrors(t *testing.T) {
	good := entryXML("10.00", "EUR")
	tests := []struct {
		name   string
		entry  string
		reason Reason
		field  string
	}{
		{"three decimals", entryXML("10.001", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"negative", entryXML("-10.00", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"comma", entryXML("10,00", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"exponent", entryXML("1e3", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"float noise", entryXML("0.1+0.2", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"too large", entryXML("12345678901234567.00", "EUR"), ReasonAmount, "Ntry/Amt"},
		{"empty amount", entryXML("", "EUR"), ReasonMissing, "Ntry/Amt"},
		{"dollars", entryXML("10.00", "USD"), ReasonCurrency, "Ntry/Amt"},
		{"no currency", strings.Replace(good, ` Ccy="EUR"`, "", 1), ReasonMissing, "Ntry/Amt"},
		{"no amount", strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, "", 1), ReasonMissing, "Ntry/Amt"},
		{"no indicator", strings.Replace(good, `<CdtDbtInd>CRDT</CdtDbtInd>`, "", 1), ReasonMissing, "Ntry/CdtDbtInd"},
		{"bad indicator", strings.Replace(good, `CRDT`, "CREDIT", 1), ReasonCode, "Ntry/CdtDbtInd"},
		{"no status", strings.Replace(good, `<Sts>BOOK</Sts>`, "", 1), ReasonMissing, "Ntry/Sts"},
		{"bad status", strings.Replace(good, `BOOK`, "DONE", 1), ReasonCode, "Ntry/Sts"},
		{"bad date", strings.Replace(good, `2024-03-01`, "2024-02-30", 1), ReasonDate, "Ntry/BookgDt"},
		{"empty date", strings.Replace(good, `<Dt>2024-03-01</Dt>`, "", 1), ReasonMissing, "Ntry/BookgDt"},
		{"bad reversal", strings.Replace(good, `</CdtDbtInd>`, "</CdtDbtInd><RvslInd>yes</RvslInd>", 1), ReasonCode, "Ntry/RvslInd"},
		{"batch without amounts", strings.Replace(good, `</Ntry>`, "<NtryDtls><TxDtls/><TxDtls/></NtryDtls></Ntry>", 1), ReasonMissing, "Ntry/NtryDtls[1]/AmtDtls/TxAmt/Amt"},
		{"batch not adding up", strings.Replace(good, `</Ntry>`, `<NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">4.00</Amt></TxAmt></AmtDtls></TxDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">5.00</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls></Ntry>`, 1), ReasonTotals, "Ntry/NtryDtls"},
		{"transaction in dollars", strings.Replace(good, `</Ntry>`, `<NtryDtls><TxDtls><Amt Ccy="USD">10.00</Amt></TxDtls></NtryDtls></Ntry>`, 1), ReasonCurrency, "Ntry/NtryDtls/TxDtls[1]/Amt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agree(t, []byte(camtDoc(good+tt.entry+good)))
			r, err := NewReader(strings.NewReader(camtDoc(good + tt.entry + good)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Next(); err != nil {
				t.Fatalf("first entry: %v", err)
			}
			_, err = r.Next()
			e := asError(t, err)
			if e.Reason != tt.reason || e.EntryIndex != 2 || e.Line != 1 || e.ID != "R" {
				t.Errorf("got %q entry %d line %d id %q (%v), want %q entry 2 line 1 id R", e.Reason, e.EntryIndex, e.Line, e.ID, err, tt.reason)
			}
			if tt.field != "" && !strings.HasPrefix(e.Field, strings.Split(tt.field, "[")[0]) {
				t.Errorf("field %q, want %q", e.Field, tt.field)
			}
			third, err := r.Next()
			if err != nil || third.Index != 3 {
				t.Fatalf("after the bad entry: %+v, %v; want entry 3", third, err)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("end: %v, want io.EOF", err)
			}
		})
	}
}

func TestReaderAmounts(t *testing.T) {
	tests := map[string]int64{
		"0":                   0,
		"0.00":                0,
		"1":                   100,
		"1.5":                 150,
		"0.29":                29, // 0.29 as a float64 times 100 is 28.999999999999996
		"007.10":              710,
		" 12.34\n":            1234,
		"9999999999999999.99": 999999999999999999,
	}
	for in, want := range tests {
		got, err := parseCents(in)
		if err != nil || got != want {
			t.Errorf("parseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", ".5", "5.", "+1", "-0", "1.234", "1,00", "1e2", "0x10", "١٢", "10000000000000000.00", "1.2.3", "NaN"} {
		if got, err := parseCents(in); err == nil {
			t.Errorf("parseCents(%q) = %d, want an error", in, got)
		}
	}
}

// A file cut anywhere must fail as truncated: never succeed with fewer
// entries, never be reported as malformed.
func TestReaderTruncatedAnywhere(t *testing.T) {
	full := readTestdata(t, "camt054.xml")
	end := bytes.LastIndex(full, []byte("</Document>"))
	for n := 0; n <= end; n++ {
		_, _, err := readAll(t, bytes.NewReader(full[:n]))
		if err == nil {
			t.Fatalf("cut at byte %d: no error", n)
		}
		if e := asError(t, err); e.Reason != ReasonTruncated {
			t.Fatalf("cut at byte %d (%q): reason %q, want truncated: %v", n, full[max(0, n-20):n], e.Reason, err)
		}
	}
}

func TestReaderLatin1(t *testing.T) {
	utf := readTestdata(t, "camt053.xml")
	utf = bytes.Replace(utf, []byte("Kari Nieminen"), []byte("Kari Närhi"), 1)
	var latin []byte
	for _, r := range string(bytes.Replace(utf, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)) {
		latin = append(latin, byte(r))
	}
	_, entries, err := readAll(t, bytes.NewReader(latin))
	if err != nil {
		t.Fatal(err)
	}
	if got := entries[0].Transactions[0].DebtorName; got != "Kari Närhi" {
		t.Errorf("debtor %q, want Kari Närhi", got)
	}

	_, _, err = readAll(t, bytes.NewReader(bytes.Replace(utf, []byte(`encoding="UTF-8"`), []byte(`encoding="EBCDIC"`), 1)))
	if e := asError(t, err); e.Reason != ReasonSyntax {
		t.Errorf("unknown encoding: reason %q, want syntax", e.Reason)
	}
}

func TestReaderReadError(t *testing.T) {
	broken := errors.New("connection reset")
	full := readTestdata(t, "camt054.xml")
	r := io.MultiReader(bytes.NewReader(full[:5000]), iotest.ErrReader(broken))
	_, _, err := readAll(t, r)
	if e := asError(t, err); e.Reason != ReasonRead || !errors.Is(err, broken) {
		t.Errorf("got %v (reason %q), want a read error wrapping the cause", err, e.Reason)
	}
}

func TestReaderNoEntries(t *testing.T) {
	agree(t, []byte(camtDoc("")))
	r, err := NewReader(strings.NewReader(camtDoc("")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Header().AccountIBAN != acct {
		t.Errorf("header %+v", r.Header())
	}
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next = %v, want io.EOF", err)
		}
	}
}

func TestReaderSeveralAccounts(t *testing.T) {
	second := strings.Replace(camtDoc(entryXML("2.00", "EUR")), acct, "FI4950009420028730", 1)
	notifications := second[strings.Index(second, "<Ntfctn>"):strings.Index(second, "</BkToCstmrDbtCdtNtfctn>")]
	doc := strings.Replace(camtDoc(entryXML("1.00", "EUR")), "</BkToCstmrDbtCdtNtfctn>", notifications+"</BkToCstmrDbtCdtNtfctn>", 1)
	h, entries, err := readAll(t, strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if h.AccountIBAN != acct || len(entries) != 2 ||
		entries[0].AccountIBAN != acct || entries[1].AccountIBAN != "FI4950009420028730" || entries[1].Index != 2 {
		t.Errorf("header %+v entries %+v", h, entries)
	}
}

// What the test writer writes, the Reader reads back unchanged.
func TestCamt054RoundTrip(t *testing.T) {
	for _, name := range []string{"camt054.xml", "camt053.xml", "camt054_v08.xml"} {
		t.Run(name, func(t *testing.T) {
			h, entries, err := readAll(t, bytes.NewReader(readTestdata(t, name)))
			if err != nil {
				t.Fatal(err)
			}
			checkCamtRoundTrip(t, h, entries)
		})
	}
}

func checkCamtRoundTrip(t *testing.T, h Header, entries []Entry) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCamt054(&buf, h, slices.Values(entries)); err != nil {
		t.Fatalf("write: %v", err)
	}
	h2, entries2, err := readAll(t, bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.Bytes())
	}
	h.Message, h.Version = Camt054, "001.02"
	if h2 != h {
		t.Fatalf("header\n got %+v\nwant %+v", h2, h)
	}
	if len(entries2) != len(entries) {
		t.Fatalf("%d entries back, want %d", len(entries2), len(entries))
	}
	for i := range entries {
		a, b := entries[i], entries2[i]
		a.Line, b.Line = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("entry %d\n got %+v\nwant %+v", i+1, b, a)
		}
	}
}

func TestWriteCamt054Rejects(t *testing.T) {
	h := Header{MessageID: "M", AccountIBAN: acct}
	ok := Entry{AmountCents: 100, CreditDebit: Credit, Status: StatusBooked}
	tests := []struct {
		name   string
		h      Header
		e      Entry
		reason Reason
	}{
		{"no account", Header{MessageID: "M"}, ok, ReasonMissing},
		{"negative", h, Entry{AmountCents: -1, CreditDebit: Credit, Status: StatusBooked}, ReasonAmount},
		{"no indicator", h, Entry{AmountCents: 1, Status: StatusBooked}, ReasonCode},
		{"no status", h, Entry{AmountCents: 1, CreditDebit: Debit}, ReasonCode},
		{"kronor", h, Entry{AmountCents: 1, CreditDebit: Debit, Status: StatusBooked, Currency: "SEK"}, ReasonCurrency},
		{"bad date", h, Entry{AmountCents: 1, CreditDebit: Debit, Status: StatusBooked, ValueDate: "1.3.2024"}, ReasonDate},
		{"parts do not add up", h, Entry{AmountCents: 100, CreditDebit: Credit, Status: StatusBooked, Transactions: []Transaction{{AmountCents: 99}}}, ReasonTotals},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteCamt054(io.Discard, tt.h, slices.Values([]Entry{tt.e}))
			if e := asError(t, err); e.Reason != tt.reason {
				t.Errorf("reason %q, want %q (%v)", e.Reason, tt.reason, err)
			}
		})
	}
}
