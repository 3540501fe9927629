package slip

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, Slip{
		Title: "Maksulomake", Payee: Line{"Saaja", "Kela"}, IBAN: Line{"Tilinumero", "FI37 1590 3000 0007 76"},
		Ref: Line{"Viitenumero", "30000 00010"}, RF: Line{"RF-viite", "RF84 3000 0000 10"}, Due: Line{"Eräpäivä", "14.12.2026"},
		Amount: Line{"Summa", "2 340,00 €"}, Barcode: Line{"Virtuaaliviivakoodi", "437159030000007760023400000000000000000030000000010261214"},
		Note: "Käytä aina viitenumeroa.",
	})
	if err != nil {
		t.Fatal(err)
	}
	pdf := buf.String()
	if !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(pdf, "%%EOF") {
		t.Fatal("not a PDF")
	}
	for _, want := range []string{"FI37 1590 3000 0007 76", "30000 00010", "4371590300000077600234000", "14.12.2026"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	// cp1252: "Eräpäivä" is written with the byte E4 for ä.
	if !strings.Contains(pdf, "Er\xe4p\xe4iv\xe4") {
		t.Error("Finnish letters are not in cp1252")
	}
}
