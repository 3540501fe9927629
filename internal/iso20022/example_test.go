package iso20022_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/iso20022"
)

func ExampleNewReader() {
	const camt054 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>CAMT054-1</MsgId><CreDtTm>2024-03-04T06:15:00+02:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>1</Id>
      <CreDtTm>2024-03-04T06:15:00+02:00</CreDtTm>
      <Acct><Id><IBAN>FI2112345600000785</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">35.35</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-01</Dt></BookgDt>
        <AcctSvcrRef>240301593497R10002</AcctSvcrRef>
        <BkTxCd/>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Åsa Öhman</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf>
            <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>
            <Ref>RF9811112</Ref>
          </CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">10.001</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BkTxCd/>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>`

	r, err := iso20022.NewReader(strings.NewReader(camt054))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := r.Header()
	fmt.Println(h.Message, h.Version, h.MessageID, h.AccountIBAN, h.CreatedAt)
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		var ie *iso20022.Error
		if errors.As(err, &ie) {
			// Translate by reason; the position tells the operator where.
			fmt.Printf("entry %d on line %d: %s (%s)\n", ie.EntryIndex, ie.Line, ie.Reason, ie.Msg)
			continue
		}
		t := e.Transactions[0]
		fmt.Println(e.Index, e.Line, e.CreditDebit, e.BookingDate, e.AmountCents, e.AcctSvcrRef, t.Reference, t.IsRF(), t.DebtorName)
	}
	// Output:
	// camt.054 001.02 CAMT054-1 FI2112345600000785 2024-03-04 04:15:00 +0000 UTC
	// 1 9 CRDT 2024-03-01 3535 240301593497R10002 RF9811112 true Åsa Öhman
	// entry 2 on line 24: amount (more than two decimals)
}

func ExampleWritePain001() {
	in := iso20022.Initiation{
		MessageID:       "ETUUS-20240301-0001",
		CreatedAt:       time.Date(2024, 3, 1, 6, 30, 0, 0, time.UTC),
		InitiatingParty: "Etuus",
		Batches: []iso20022.Batch{{
			PaymentInfoID:          "ETUUS-20240301-0001-1",
			RequestedExecutionDate: "2024-03-04",
			DebtorName:             "Etuus",
			DebtorIBAN:             "FI2112345600000785",
			DebtorBIC:              "NDEAFIHH",
			Payments: []iso20022.Payment{{
				EndToEndID:          "REFUND-2024-000117",
				AmountCents:         3535,
				CreditorName:        "Esimerkki Oy",
				CreditorIBAN:        "FI3715903000000776",
				RemittanceReference: "RF9811112",
				RemittanceRF:        true,
			}},
		}},
	}
	if err := iso20022.WritePain001(os.Stdout, in); err != nil {
		fmt.Println(err)
	}

	in.Batches[0].Payments[0].CreditorIBAN = "FI3715903000000777"
	err := iso20022.WritePain001(io.Discard, in)
	var ie *iso20022.Error
	if errors.As(err, &ie) {
		fmt.Println(ie.Reason, ie.Batch, ie.Payment, ie.Field)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
	//   <CstmrCdtTrfInitn>
	//     <GrpHdr>
	//       <MsgId>ETUUS-20240301-0001</MsgId>
	//       <CreDtTm>2024-03-01T06:30:00Z</CreDtTm>
	//       <NbOfTxs>1</NbOfTxs>
	//       <CtrlSum>35.35</CtrlSum>
	//       <InitgPty>
	//         <Nm>Etuus</Nm>
	//       </InitgPty>
	//     </GrpHdr>
	//     <PmtInf>
	//       <PmtInfId>ETUUS-20240301-0001-1</PmtInfId>
	//       <PmtMtd>TRF</PmtMtd>
	//       <NbOfTxs>1</NbOfTxs>
	//       <CtrlSum>35.35</CtrlSum>
	//       <PmtTpInf>
	//         <SvcLvl>
	//           <Cd>SEPA</Cd>
	//         </SvcLvl>
	//       </PmtTpInf>
	//       <ReqdExctnDt>2024-03-04</ReqdExctnDt>
	//       <Dbtr>
	//         <Nm>Etuus</Nm>
	//       </Dbtr>
	//       <DbtrAcct>
	//         <Id>
	//           <IBAN>FI2112345600000785</IBAN>
	//         </Id>
	//       </DbtrAcct>
	//       <DbtrAgt>
	//         <FinInstnId>
	//           <BIC>NDEAFIHH</BIC>
	//         </FinInstnId>
	//       </DbtrAgt>
	//       <ChrgBr>SLEV</ChrgBr>
	//       <CdtTrfTxInf>
	//         <PmtId>
	//           <EndToEndId>REFUND-2024-000117</EndToEndId>
	//         </PmtId>
	//         <Amt>
	//           <InstdAmt Ccy="EUR">35.35</InstdAmt>
	//         </Amt>
	//         <Cdtr>
	//           <Nm>Esimerkki Oy</Nm>
	//         </Cdtr>
	//         <CdtrAcct>
	//           <Id>
	//             <IBAN>FI3715903000000776</IBAN>
	//           </Id>
	//         </CdtrAcct>
	//         <RmtInf>
	//           <Strd>
	//             <CdtrRefInf>
	//               <Tp>
	//                 <CdOrPrtry>
	//                   <Cd>SCOR</Cd>
	//                 </CdOrPrtry>
	//                 <Issr>ISO</Issr>
	//               </Tp>
	//               <Ref>RF9811112</Ref>
	//             </CdtrRefInf>
	//           </Strd>
	//         </RmtInf>
	//       </CdtTrfTxInf>
	//     </PmtInf>
	//   </CstmrCdtTrfInitn>
	// </Document>
	// format 1 1 CreditorIBAN
}
