package iso20022

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/iso20022")

// sampleInitiation is a payment run as etuus would send it: benefits to
// individuals (no reference, a message), a refund of an overpaid debt to a
// company's invoice (national reference) and one with an RF reference, in
// two batches on two execution days.
func sampleInitiation() Initiation {
	return Initiation{
		MessageID:         "ETUUS-20240301-0001",
		CreatedAt:         time.Date(2024, 3, 1, 6, 30, 0, 0, time.UTC),
		InitiatingParty:   "Etuus Kansaneläkelaitos",
		InitiatingPartyID: "0737546-2",
		Batches: []Batch{
			{
				PaymentInfoID:          "ETUUS-20240301-0001-1",
				RequestedExecutionDate: "2024-03-04",
				DebtorName:             "Etuus Kansaneläkelaitos",
				DebtorIBAN:             "FI2112345600000785",
				DebtorBIC:              "NDEAFIHH",
				Payments: []Payment{
					{
						EndToEndID: "PAY-2024-03-000001", InstrID: "1", AmountCents: 120035,
						CreditorName: "Liisa Virtanen", CreditorIBAN: "FI1410093000123458",
						RemittanceText: "Asumistuki 03/2024",
					},
					{
						EndToEndID: "PAY-2024-03-000002", InstrID: "2", AmountCents: 74212,
						CreditorName: "Åke Ström & Söner <Ab>", CreditorIBAN: "FI4950009420028730", CreditorBIC: "OKOYFIHH",
						RemittanceText: "Työttömyysetuus 15.2.-29.2.2024",
					},
				},
			},
			{
				PaymentInfoID:          "ETUUS-20240301-0001-2",
				RequestedExecutionDate: "2024-03-05",
				DebtorName:             "Etuus Kansaneläkelaitos",
				DebtorIBAN:             "FI2112345600000785",
				DebtorBIC:              "NDEAFIHH",
				Payments: []Payment{
					{
						EndToEndID: "REFUND-2024-000117", AmountCents: 3535,
						CreditorName: "Esimerkki Oy", CreditorIBAN: "FI3715903000000776", CreditorBIC: "HANDFIHH",
						RemittanceReference: "1234561",
					},
					{
						EndToEndID: "REFUND-2024-000118", AmountCents: 1,
						CreditorName: "Exempel Ab", CreditorIBAN: "FI3715903000000776",
						RemittanceReference: "RF9811112", RemittanceRF: true,
					},
				},
			},
		},
	}
}

func TestWritePain001Golden(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePain001(&buf, sampleInitiation()); err != nil {
		t.Fatal(err)
	}
	golden := testdata(t, "pain001.golden.xml")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", golden, buf.Bytes())
	}
}

// Every pain.001 we write must pass the bank's schema.
func TestWritePain001ValidatesAgainstXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		skipOrFail(t, "xmllint not found (install Debian's libxml2-utils)")
	}
	xsd := testdata(t, "pain.001.001.03.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Fatal(err)
	}

	big := sampleInitiation()
	for i := range 500 {
		p := big.Batches[0].Payments[i%2]
		p.EndToEndID = strings.Repeat("E", 30) + string(rune('A'+i%26)) + string(rune('A'+i/26%26))
		p.CreditorName = strings.Repeat("Ä", 70)
		big.Batches[0].Payments = append(big.Batches[0].Payments, p)
	}
	for name, in := range map[string]Initiation{"sample": sampleInitiation(), "long names": big} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePain001(&buf, in); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "pain001.xml")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput()
			if err != nil {
				t.Fatalf("xmllint: %v\n%s", err, out)
			}
		})
	}
	t.Run("golden", func(t *testing.T) {
		out, err := exec.Command(xmllint, "--noout", "--schema", xsd, testdata(t, "pain001.golden.xml")).CombinedOutput()
		if err != nil {
			t.Fatalf("xmllint: %v\n%s", err, out)
		}
	})
}

// skipOrFail skips a test whose tool is missing, except in CI, where a
// skipped schema check would let invalid files through unnoticed.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; required when CI=true")
	}
	t.Skip(msg)
}

func TestPain001RoundTrip(t *testing.T) {
	in := sampleInitiation()
	var buf bytes.Buffer
	if err := WritePain001(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPain001(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("read back\n got %+v\nwant %+v", got, in)
	}
}

func TestWritePain001Rejects(t *testing.T) {
	tests := []struct {
		name    string
		change  func(in *Initiation)
		reason  Reason
		batch   int
		payment int
		field   string
	}{
		{"no message id", func(in *Initiation) { in.MessageID = "" }, ReasonMissing, 0, 0, "MessageID"},
		{"long message id", func(in *Initiation) { in.MessageID = strings.Repeat("M", 36) }, ReasonTooLong, 0, 0, "MessageID"},
		{"no time", func(in *Initiation) { in.CreatedAt = time.Time{} }, ReasonMissing, 0, 0, "CreatedAt"},
		{"no batches", func(in *Initiation) { in.Batches = nil }, ReasonMissing, 0, 0, "Batches"},
		{"empty batch", func(in *Initiation) { in.Batches[1].Payments = nil }, ReasonMissing, 2, 0, "Payments"},
		{"duplicate batch id", func(in *Initiation) { in.Batches[1].PaymentInfoID = in.Batches[0].PaymentInfoID }, ReasonConflict, 2, 0, "PaymentInfoID"},
		{"bad date", func(in *Initiation) { in.Batches[0].RequestedExecutionDate = "4.3.2024" }, ReasonDate, 1, 0, "RequestedExecutionDate"},
		{"bad debtor IBAN", func(in *Initiation) { in.Batches[0].DebtorIBAN = "FI2112345600000786" }, ReasonFormat, 1, 0, "DebtorIBAN"},
		{"IBAN with spaces", func(in *Initiation) { in.Batches[0].DebtorIBAN = "FI21 1234 5600 0007 85" }, ReasonFormat, 1, 0, "DebtorIBAN"},
		{"no debtor BIC", func(in *Initiation) { in.Batches[0].DebtorBIC = "" }, ReasonMissing, 1, 0, "DebtorBIC"},
		{"zero amount", func(in *Initiation) { in.Batches[1].Payments[1].AmountCents = 0 }, ReasonAmount, 2, 2, "AmountCents"},
		{"negative amount", func(in *Initiation) { in.Batches[0].Payments[0].AmountCents = -100 }, ReasonAmount, 1, 1, "AmountCents"},
		{"over SEPA limit", func(in *Initiation) { in.Batches[0].Payments[0].AmountCents = 100_000_000_000 }, ReasonAmount, 1, 1, "AmountCents"},
		{"long creditor name", func(in *Initiation) { in.Batches[0].Payments[1].CreditorName = strings.Repeat("Ö", 71) }, ReasonTooLong, 1, 2, "CreditorName"},
		{"blank creditor name", func(in *Initiation) { in.Batches[0].Payments[1].CreditorName = "  " }, ReasonMissing, 1, 2, "CreditorName"},
		{"control character", func(in *Initiation) { in.Batches[0].Payments[1].CreditorName = "Bell\x07" }, ReasonFormat, 1, 2, "CreditorName"},
		{"invalid UTF-8", func(in *Initiation) { in.Batches[0].Payments[1].RemittanceText = "\xff" }, ReasonFormat, 1, 2, "RemittanceText"},
		{"no end-to-end id", func(in *Initiation) { in.Batches[0].Payments[1].EndToEndID = "" }, ReasonMissing, 1, 2, "EndToEndID"},
		{"long end-to-end id", func(in *Initiation) { in.Batches[0].Payments[1].EndToEndID = strings.Repeat("1", 36) }, ReasonTooLong, 1, 2, "EndToEndID"},
		{"long message", func(in *Initiation) { in.Batches[0].Payments[0].RemittanceText = strings.Repeat("x", 141) }, ReasonTooLong, 1, 1, "RemittanceText"},
		{"reference and message", func(in *Initiation) { in.Batches[1].Payments[0].RemittanceText = "Lasku 1" }, ReasonConflict, 2, 1, "RemittanceText"},
		{"bad national reference", func(in *Initiation) { in.Batches[1].Payments[0].RemittanceReference = "1234562" }, ReasonFormat, 2, 1, "RemittanceReference"},
		{"bad RF reference", func(in *Initiation) { in.Batches[1].Payments[1].RemittanceReference = "RF9911112" }, ReasonFormat, 2, 2, "RemittanceReference"},
		{"RF flag without reference", func(in *Initiation) { in.Batches[1].Payments[1].RemittanceReference = "" }, ReasonMissing, 2, 2, "RemittanceReference"},
		{"bad creditor BIC", func(in *Initiation) { in.Batches[1].Payments[0].CreditorBIC = "HANDFI" }, ReasonFormat, 2, 1, "CreditorBIC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleInitiation()
			tt.change(&in)
			var buf bytes.Buffer
			err := WritePain001(&buf, in)
			e := asError(t, err)
			if e.Reason != tt.reason || e.Batch != tt.batch || e.Payment != tt.payment || e.Field != tt.field {
				t.Errorf("got %q batch %d payment %d field %q (%v)\nwant %q batch %d payment %d field %q",
					e.Reason, e.Batch, e.Payment, e.Field, err, tt.reason, tt.batch, tt.payment, tt.field)
			}
			if tt.payment > 0 && e.ID != in.Batches[tt.batch-1].Payments[tt.payment-1].EndToEndID {
				t.Errorf("error names %q, not the payment's end-to-end id", e.ID)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written before the error", buf.Len())
			}
		})
	}
}

func TestReadPain001Rejects(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePain001(&buf, sampleInitiation()); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct {
		name   string
		doc    string
		reason Reason
	}{
		{"camt.054", string(readTestdata(t, "camt054.xml")), ReasonMessageType},
		{"pain.001.001.09", strings.Replace(good, "pain.001.001.03", "pain.001.001.09", 1), ReasonVersion},
		{"count off", strings.Replace(good, "<NbOfTxs>4</NbOfTxs>", "<NbOfTxs>5</NbOfTxs>", 1), ReasonTotals},
		{"sum off", strings.Replace(good, "<CtrlSum>1977.83</CtrlSum>", "<CtrlSum>1977.84</CtrlSum>", 1), ReasonTotals},
		{"kronor", strings.Replace(good, `Ccy="EUR">35.35`, `Ccy="SEK">35.35`, 1), ReasonCurrency},
		{"not SEPA", strings.Replace(good, "<Cd>SEPA</Cd>", "<Cd>URGP</Cd>", 1), ReasonCode},
		{"truncated", good[:len(good)/2], ReasonTruncated},
		{"empty", "", ReasonTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPain001(strings.NewReader(tt.doc))
			if e := asError(t, err); e.Reason != tt.reason {
				t.Errorf("reason %q, want %q (%v)", e.Reason, tt.reason, err)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := error(&Error{Reason: ReasonAmount, Batch: 2, Payment: 5, ID: "E-5", Field: "AmountCents", Msg: "amount must be positive"})
	want := `iso20022: batch 2, payment 5, "E-5", AmountCents: amount must be positive`
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err.Error(), want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Reason != ReasonAmount {
		t.Error("errors.As failed")
	}
}
