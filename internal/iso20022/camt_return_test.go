package iso20022

import (
	"bytes"
	"testing"
)

// TestReadCamtReturn: a returned payment's reason and original end-to-end
// ID are read (both readers agree: readAll checks), and written back.
func TestReadCamtReturn(t *testing.T) {
	h, es, err := readAll(t, bytes.NewReader(readTestdata(t, "camt054_return.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	a, b := es[0].Transactions[0], es[1].Transactions[0]
	if es[0].CreditDebit != Credit || es[0].Reversal || a.ReturnReason != "AC04" || a.EndToEndID != "E2E00000000000000000000000000001" {
		t.Errorf("first %+v %+v", es[0], a)
	}
	if !es[1].Reversal || b.ReturnReason != "TILI SULJETTU" || b.AmountCents != 9491 {
		t.Errorf("second %+v %+v", es[1], b)
	}
	checkCamtRoundTrip(t, h, es)
}
