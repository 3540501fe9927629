package iso20022

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// The scanner NewReader uses must read every input exactly as the
// reference implementation on encoding/xml does: the same header, the same
// entries, the same errors (reason, line, entry, field, message) after the
// same entries, and the same readiness to go on after an entry's error.

// outcome is everything a Reader makes of an input.
type outcome struct {
	newErr      *Error // from NewReader; nothing else is set if it failed
	firstHeader Header // right after NewReader
	steps       []step // the results of Next up to io.EOF or a final error
	lastHeader  Header
}

type step struct {
	entry Entry
	err   *Error
}

func (o *outcome) String() string {
	var b strings.Builder
	if o.newErr != nil {
		fmt.Fprintf(&b, "NewReader: %#v\n", *o.newErr)
		return b.String()
	}
	fmt.Fprintf(&b, "header %+v\n", o.firstHeader)
	for i, s := range o.steps {
		if s.err != nil {
			fmt.Fprintf(&b, "%d: error %#v\n", i+1, *s.err)
		} else {
			fmt.Fprintf(&b, "%d: %+v\n", i+1, s.entry)
		}
	}
	fmt.Fprintf(&b, "header at the end %+v\n", o.lastHeader)
	return b.String()
}

// readOutcome reads the input with newReader the way an operator's import
// would to list every problem: on past an entry's error, up to io.EOF or
// an error that Next returns again (a final one).
func readOutcome(t testing.TB, newReader func(io.Reader) (*Reader, error), in io.Reader) *outcome {
	t.Helper()
	var o outcome
	rd, err := newReader(in)
	if err != nil {
		o.newErr = asError(t, err)
		return &o
	}
	o.firstHeader = rd.Header()
	var last error
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil && err == last {
			break
		}
		last = err
		s := step{entry: e}
		if err != nil {
			s.err = asError(t, err)
		}
		o.steps = append(o.steps, s)
	}
	o.lastHeader = rd.Header()
	return &o
}

// checkReadersAgree reads what open returns (afresh for each reader) with
// both readers and fails the test if they differ in anything.
func checkReadersAgree(t testing.TB, open func() io.Reader) {
	t.Helper()
	want := readOutcome(t, newReferenceReader, open())
	got := readOutcome(t, NewReader, open())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the readers disagree\nscanner:\n%s\nencoding/xml:\n%s", got, want)
	}
}

// replay returns an opener for what r holds: its bytes, then the error it
// ended with, if not io.EOF.
func replay(r io.Reader) func() io.Reader {
	data, err := io.ReadAll(r)
	return func() io.Reader {
		if err == nil {
			return bytes.NewReader(data)
		}
		return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(err))
	}
}

// agree checks that the readers agree on data read whole, a byte at a
// time, and in chunks of a few bytes (which move the scanner's buffer
// boundaries everywhere).
func agree(t testing.TB, data []byte) {
	t.Helper()
	checkReadersAgree(t, func() io.Reader { return bytes.NewReader(data) })
	checkReadersAgree(t, func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) })
	checkReadersAgree(t, func() io.Reader { return &chunkReader{data: data} })
	// io.EOF with the last bytes, not after them.
	checkReadersAgree(t, func() io.Reader { return iotest.DataErrReader(&chunkReader{data: data}) })
}

// chunkReader returns its data in chunks of 1 to 7 bytes.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	c.n++
	k := min(1+c.n*5%7, len(p), len(c.data))
	copy(p, c.data[:k])
	c.data = c.data[k:]
	return k, nil
}

func TestReadersAgreeOnTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "iso20022", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			agree(t, data)
		})
	}
}

// Every cut of a sample is read alike, through the buffer boundaries of a
// chunked reader too, and so is a read error anywhere. (TestReaderTruncatedAnywhere
// compares every cut of camt054.xml read whole.)
func TestReadersAgreeCutAnywhere(t *testing.T) {
	broken := errors.New("connection reset")
	full := readTestdata(t, "camt054_v08.xml")
	for n := 0; n <= len(full); n++ {
		checkReadersAgree(t, func() io.Reader { return &chunkReader{data: full[:n]} })
		checkReadersAgree(t, func() io.Reader {
			return io.MultiReader(&chunkReader{data: full[:n]}, iotest.ErrReader(broken))
		})
	}
	full = readTestdata(t, "camt054.xml")
	for n := 0; n <= len(full); n += 5 {
		checkReadersAgree(t, func() io.Reader {
			return io.MultiReader(bytes.NewReader(full[:n]), iotest.ErrReader(broken))
		})
	}
}

// A reader that stops giving bytes without saying why fails after 100
// empty reads, as bufio does; a token far longer than the scanner's buffer
// reads alike.
func TestReadersAgreeOnStuckReadersAndLongTokens(t *testing.T) {
	data := []byte(camtDoc(entryXML("1.00", "EUR")))
	for _, n := range []int{0, 10, 200, len(data) - 3} {
		checkReadersAgree(t, func() io.Reader { return io.MultiReader(bytes.NewReader(data[:n]), stuckReader{}) })
	}
	long := strings.Repeat("x\r\nä&amp;", 40_000)
	for _, doc := range []string{
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), ">R<", ">"+long+"<", 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", "<Ntry><!--"+long+"-->", 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", "<Ntry><![CDATA["+long+"]]>", 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", "<Ntry><?pi "+long+"?>", 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", `<Ntry a="`+long+`">`, 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", "<Ntry>"+strings.Repeat("<a>", 50_000)+strings.Repeat("</a>", 50_000), 1)),
		camtDoc(strings.Replace(entryXML("1.00", "EUR"), "<Ntry>", "<Ntry><"+strings.Repeat("n", 100_000)+"/>", 1)),
	} {
		agree(t, []byte(doc))
		agree(t, []byte(doc[:len(doc)*2/3]))
	}
}

type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// The charset conversion, and a declaration that comes later than it
// should, or twice.
func TestReadersAgreeCharsets(t *testing.T) {
	utf := readTestdata(t, "camt053.xml")
	utf = bytes.Replace(utf, []byte("Kari Nieminen"), []byte("Kari Närhi €"), 1)
	toLatin := func(b []byte) []byte {
		var out []byte
		for _, r := range string(b) {
			switch r {
			case '€':
				out = append(out, 0xA4)
			default:
				out = append(out, byte(r))
			}
		}
		return out
	}
	for _, enc := range []string{"ISO-8859-1", "iso-8859-15", "latin1", "EBCDIC", "utf-8", "UTF-8"} {
		agree(t, toLatin(bytes.Replace(utf, []byte(`encoding="UTF-8"`), []byte(`encoding="`+enc+`"`), 1)))
	}
	doc := toLatin(bytes.Replace(utf, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-15"`), 1))
	agree(t, bytes.Replace(doc, []byte("<Ntry>"), []byte(`<Ntry><?xml encoding="latin1"?>`), 1))
	agree(t, bytes.Replace(doc, []byte("<Ntry>"), []byte(`<Ntry><?xml version="1.1"?>`), 1))
	agree(t, bytes.Replace(utf, []byte("</GrpHdr>"), []byte(`</GrpHdr><?xml encoding="latin-9"?>`), 1))
}

// Well-formed oddities encoding/xml accepts, and some it refuses.
func TestReadersAgreeOnXMLCorners(t *testing.T) {
	for _, doc := range xmlCorners() {
		t.Run("", func(t *testing.T) { agree(t, []byte(doc)) })
	}
}

// FuzzReadersAgree holds the scanner to encoding/xml on any input, read
// whole and in small chunks.
func FuzzReadersAgree(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(repoRoot(f), "testdata", "iso20022", "*.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, doc := range xmlCorners() {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadersAgree(t, func() io.Reader { return bytes.NewReader(data) })
		checkReadersAgree(t, func() io.Reader { return &chunkReader{data: data} })
	})
}

// xmlCorners are documents at the corners of XML and of encoding/xml.
func xmlCorners() []string {
	entry := func(s string) string { return camtDoc(s) }
	good := entryXML("10.00", "EUR")
	return []string{
		// Prefixes and name spaces.
		`<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><ns2:BkToCstmrDbtCdtNtfctn><ns2:GrpHdr><ns2:MsgId>M</ns2:MsgId><ns2:CreDtTm>2024-03-04T06:00:00</ns2:CreDtTm></ns2:GrpHdr><ns2:Ntfctn><ns2:Acct><ns2:Id><ns2:IBAN>X</ns2:IBAN></ns2:Id></ns2:Acct>` +
			strings.ReplaceAll(strings.ReplaceAll(good, "<", "<ns2:"), "<ns2:/", "</ns2:") + `</ns2:Ntfctn></ns2:BkToCstmrDbtCdtNtfctn></ns2:Document>`,
		`<ns2:Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>`,
		`<Document xmlns:a="x" xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02" xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.09"/>`,
		`<xml:Document xmlns:xml="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>`,
		`<xmlns:Document xmlns:xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"></Document>`,
		`<a:Document xmlns:a="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"></b:Document>`,
		`<a:Document xmlns:a="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"></Document>`,
		`<a:b:Document/>`,
		`<:Document/>`,
		`<Document:/>`,
		`<Dö xmlns="q"/>`,
		`<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'/>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/><!-- after -->` + "\n \uFEFF trailing text",
		"\uFEFF\uFEFF<Document/>",
		"\u00A0\n<Document/>",
		`<!DOCTYPE Document [<!ENTITY x "y"> <!-- c --> ]><Document/>`,
		// Entities, references, CDATA, comments and line ends in the fields.
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>&lt;&#228;&#xE4;&amp;<![CDATA[<&]]>\r\n<!-- x -->x<?pi?>y<b>skipped</b></NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>&#0;</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>&#xD800;&#13;</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>&#x110000;</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>&nbsp;</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>a]]>b</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>\xff</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>\x01</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef>\uFFFE</NtryRef>", 1)),
		entry(strings.Replace(good, "<NtryRef>R</NtryRef>", "<NtryRef/>", 1)),
		// Attributes: any prefix, the last one, a later Amt keeping the
		// currency, entities in values.
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt x:Ccy='USD' Ccy="E&#85;R"  >10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt xmlns:Ccy="EUR">10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy="EUR">1</Amt><Amt>10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy="EUR">10<x>5</x>.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy="EUR"/>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy=EUR>10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy="E<R">10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy>10.00</Amt>`, 1)),
		entry(strings.Replace(good, `<Amt Ccy="EUR">10.00</Amt>`, `<Amt Ccy="EUR"Ccy="EUR">10.00</Amt>`, 1)),
		// Status in both shapes, mixed.
		entry(strings.Replace(good, `<Sts>BOOK</Sts>`, `<Sts>BO<Cd>PDNG</Cd>OK</Sts>`, 1)),
		entry(strings.Replace(good, `<Sts>BOOK</Sts>`, `<Sts><Prtry>X</Prtry></Sts>`, 1)),
		entry(strings.Replace(good, `<Sts>BOOK</Sts>`, `<Sts><Cd>INFO</Cd></Sts><Sts>BOOK</Sts>`, 1)),
		// Transactions.
		entry(strings.Replace(good, `</Ntry>`, `<NtryDtls><TxDtls><Amt Ccy="EUR">4</Amt><RmtInf><Ustrd>a</Ustrd><Strd><CdtrRefInf><Ref> </Ref></CdtrRefInf></Strd><Ustrd> b </Ustrd><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>RF18</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls><NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">6</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Pty><Nm>P</Nm></Pty></Dbtr><Cdtr><Nm>C</Nm></Cdtr></RltdPties><Refs><EndToEndId>E</EndToEndId><AcctSvcrRef>A</AcctSvcrRef></Refs></TxDtls></NtryDtls></Ntry>`, 1)),
		// Structure.
		entry(good + `<Ntfctn/>`),
		strings.Replace(entry(good), `</Ntfctn>`, `</Ntfctn><GrpHdr><MsgId>N</MsgId><CreDtTm>2024-03-05T06:00:00</CreDtTm></GrpHdr>`, 1),
		strings.Replace(entry(good), `<Acct>`, `<Acct/><Acct>`, 1),
		entry(good) + `<Document/>`,
		entry(good) + `</Document>`,
		entry(good) + `<![CDATA[x]]>`,
		entry(good) + `&amp;`,
		entry(good) + `&bogus;`,
		entry(strings.Replace(good, `<Ntry>`, `<Ntry><!- x -->`, 1)),
		entry(strings.Replace(good, `<Ntry>`, `<Ntry><!-- a -- b -->`, 1)),
		entry(strings.Replace(good, `<Ntry>`, `<Ntry><![CDAT[x]]>`, 1)),
		entry(strings.Replace(good, `<Ntry>`, `<Ntry><?xml version="1.0"?>`, 1)),
		entry(strings.Replace(good, `<Ntry>`, `<Ntry><??>`, 1)),
		entry(strings.Replace(good, `<Ntry>`, `<Ntry ><Ntry/>`, 1)),
		entry(strings.Replace(good, `<Ntry>`, "<Ntry\n>", 1)),
		entry(strings.Replace(good, `</Ntry>`, "</Ntry\n\t>", 1)),
		entry(strings.Replace(good, `</Ntry>`, "</Ntry x>", 1)),
		entry(strings.Replace(good, `</Ntry>`, "</>", 1)),
		entry(strings.Replace(good, `<Ntry>`, "<1Ntry>", 1)),
		entry(strings.Replace(good, `<Ntry>`, "<Ntry a=\"1\"/>", 1)),
		strings.Replace(entry(good), "<Ntfctn>", "<Ntfctn/>", 1),
		strings.Replace(entry(good), "<GrpHdr>", "<GrpHdr\n/>", 1),
	}
}
