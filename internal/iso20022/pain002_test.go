package iso20022

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestReadPain002(t *testing.T) {
	rep, err := ReadPain002(bytes.NewReader(readTestdata(t, "pain002_rjct.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.MessageID != "BANK-STS-20261218-0001" || rep.OriginalMessageID != "ETUUS-PAY-20261218-000001" ||
		rep.OriginalMessageName != "pain.001.001.03" || rep.GroupStatus != StatusPartAccepted {
		t.Fatalf("header %+v", rep)
	}
	if want := time.Date(2026, 12, 18, 8, 15, 0, 0, time.UTC); !rep.CreatedAt.Equal(want) {
		t.Errorf("created %v, want %v", rep.CreatedAt, want)
	}
	if len(rep.PaymentInfos) != 1 || rep.Transactions() != 3 {
		t.Fatalf("blocks %+v", rep.PaymentInfos)
	}
	p := rep.PaymentInfos[0]
	if p.OriginalPaymentInfoID != "ETUUS-PAY-20261218-000001-1" || p.Status != StatusPartAccepted || p.Line != 20 {
		t.Errorf("block %+v", p)
	}
	tx := p.Transactions[0]
	if tx.OriginalEndToEndID != "E2E00000000000000000000000000001" || tx.Status != StatusRejected || tx.StatusID != "STS-1" ||
		FirstReason(tx.Reasons) != "AC04" || len(tx.Reasons[0].Info) != 1 || tx.Line != 23 {
		t.Errorf("transaction %+v", tx)
	}
	if FirstReason(p.Transactions[1].Reasons) != "AC01" || p.Transactions[2].Status != StatusAccepted || len(p.Transactions[2].Reasons) != 0 {
		t.Errorf("transactions %+v", p.Transactions)
	}

	g, err := ReadPain002(bytes.NewReader(readTestdata(t, "pain002_group_rjct.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if g.GroupStatus != StatusRejected || FirstReason(g.GroupReasons) != "MS03" || len(g.PaymentInfos) != 0 {
		t.Errorf("group rejection %+v", g)
	}
}

// pain002Doc wraps a report's body in the document.
func pain002(body string) string {
	return `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>` + body +
		`</CstmrPmtStsRpt></Document>`
}

const (
	p2Hdr = `<GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-12-18T10:00:00</CreDtTm></GrpHdr>`
	p2Grp = `<OrgnlGrpInfAndSts><OrgnlMsgId>M1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId></OrgnlGrpInfAndSts>`
)

func p2Tx(e2e, sts, cd string) string {
	return `<OrgnlPmtInfAndSts><OrgnlPmtInfId>M1-1</OrgnlPmtInfId><TxInfAndSts><OrgnlEndToEndId>` + e2e +
		`</OrgnlEndToEndId><TxSts>` + sts + `</TxSts><StsRsnInf><Rsn><Cd>` + cd + `</Cd></Rsn></StsRsnInf></TxInfAndSts></OrgnlPmtInfAndSts>`
}

func TestReadPain002Refuses(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		reason    Reason
	}{
		{"empty", "", ReasonTruncated},
		{"not XML", "PK\x03\x04", ReasonSyntax},
		{"truncated", pain002(p2Hdr + p2Grp)[:120], ReasonTruncated},
		{"a camt.054", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>`, ReasonMessageType},
		{"a pain.001", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>`, ReasonMessageType},
		{"another version", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt/></Document>`, ReasonVersion},
		{"no report", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"></Document>`, ReasonMissing},
		{"two reports", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt/><CstmrPmtStsRpt/></Document>`, ReasonMessageType},
		{"no message ID", pain002(`<GrpHdr></GrpHdr>` + p2Grp), ReasonMissing},
		{"no original group", pain002(p2Hdr), ReasonMissing},
		{"no original message ID", pain002(p2Hdr + `<OrgnlGrpInfAndSts><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId></OrgnlGrpInfAndSts>`), ReasonMissing},
		{"bad group status", pain002(p2Hdr + strings.Replace(p2Grp, "</OrgnlMsgNmId>", "</OrgnlMsgNmId><GrpSts>NOPE</GrpSts>", 1)), ReasonCode},
		{"bad date", pain002(strings.Replace(p2Hdr, "2026-12-18T10:00:00", "18.12.2026", 1) + p2Grp), ReasonDate},
		{"bad transaction status", pain002(p2Hdr + p2Grp + p2Tx("E1", "PART", "AC04")), ReasonCode},
		{"reason code too long", pain002(p2Hdr + p2Grp + p2Tx("E1", "RJCT", "AC045")), ReasonTooLong},
		{"no end-to-end ID", pain002(p2Hdr + p2Grp + p2Tx("", "RJCT", "AC04")), ReasonMissing},
		{"end-to-end ID too long", pain002(p2Hdr + p2Grp + p2Tx(strings.Repeat("x", 36), "RJCT", "AC04")), ReasonTooLong},
		{"end-to-end ID twice", pain002(p2Hdr + p2Grp + p2Tx("E1", "RJCT", "AC04") + p2Tx("E1", "RJCT", "AC01")), ReasonConflict},
		{"element after the document", pain002(p2Hdr+p2Grp) + `<Document/>`, ReasonSyntax},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadPain002(strings.NewReader(c.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			if e := asError(t, err); e.Reason != c.reason {
				t.Errorf("reason %q, want %q (%v)", e.Reason, c.reason, err)
			}
		})
	}
	// The transaction at fault is named.
	_, err := ReadPain002(strings.NewReader(pain002(p2Hdr + p2Grp + p2Tx("E1", "RJCT", "AC04") + p2Tx("E2", "RJCT", "TOOLONG"))))
	if e := asError(t, err); e.Batch != 2 || e.Payment != 1 || e.ID != "E2" {
		t.Errorf("error %+v", e)
	}
}

// FuzzReadPain002 feeds the status report reader arbitrary bytes: it never
// panics, fails only with an *Error, and what it accepts keeps the
// schema's limits and names each payment once.
func FuzzReadPain002(f *testing.F) {
	f.Add(readTestdata(f, "pain002_rjct.xml"))
	f.Add(readTestdata(f, "pain002_group_rjct.xml"))
	f.Add([]byte(pain002(p2Hdr + p2Grp + p2Tx("E1", "RJCT", "AC04"))))
	f.Add([]byte(pain002(p2Hdr + p2Grp + p2Tx("E1", "RJCT", "AC04") + p2Tx("E1", "ACCP", ""))))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadPain002(bytes.NewReader(data))
		if err != nil {
			asError(t, err)
			return
		}
		if rep.MessageID == "" || rep.OriginalMessageID == "" || len(rep.MessageID) > 35*4 {
			t.Fatalf("header %+v", rep)
		}
		seen := map[string]bool{}
		for _, p := range rep.PaymentInfos {
			for _, tx := range p.Transactions {
				if tx.OriginalEndToEndID == "" || seen[tx.OriginalEndToEndID] || (tx.Status != "" && !txStatuses[tx.Status]) || tx.Line < 1 {
					t.Fatalf("transaction %+v", tx)
				}
				seen[tx.OriginalEndToEndID] = true
				for _, r := range tx.Reasons {
					if len([]rune(r.Code)) > 4 {
						t.Fatalf("reason %+v", r)
					}
				}
			}
		}
	})
}
