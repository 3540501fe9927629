package slip_test

import (
	"bytes"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/slip"
	"github.com/etuus/etuus/internal/slip/sliptest"
)

var taggedRe = regexp.MustCompile(`(?m)^Tagged:\s+yes$`)

// outline is pdfinfo -struct-text's tree as a list: each element's type
// and each content's text in quotes, in reading order, without the
// attributes.
func outline(structText string) []string {
	var out []string
	for _, line := range strings.Split(structText, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "/"):
		case strings.HasPrefix(line, `"`):
			out = append(out, line)
		default:
			line = strings.TrimSuffix(line, ":")
			line = strings.TrimSuffix(line, " (block)")
			line = strings.TrimSuffix(line, " (inline)")
			out = append(out, line)
		}
	}
	return out
}

// structElems are the PDF's structure elements as qpdf reads them.
func structElems(objs map[string]any) map[string]map[string]any {
	elems := map[string]map[string]any{}
	for k, v := range objs {
		if d, ok := v.(map[string]any); ok && d["/Type"] == "/StructElem" {
			elems[strings.TrimPrefix(k, "obj:")] = d
		}
	}
	return elems
}

// checkTree fails the test unless the PDF is tagged, its catalog says so
// and its parent tree leads each MCID of the page to the element whose
// content it is; it returns the structure elements.
func checkTree(t *testing.T, pdf []byte, lang string) map[string]map[string]any {
	t.Helper()
	sliptest.Check(t, pdf)
	if info := sliptest.Info(t, pdf); !taggedRe.MatchString(info) {
		t.Fatalf("pdfinfo does not say Tagged: yes:\n%s", info)
	}
	objs := sliptest.Objects(t, pdf)
	elems := structElems(objs)
	var catalog, page, tree map[string]any
	for _, v := range objs {
		if d, ok := v.(map[string]any); ok {
			switch d["/Type"] {
			case "/Catalog":
				catalog = d
			case "/Page":
				page = d
			case "/StructTreeRoot":
				tree = d
			}
		}
	}
	if catalog == nil || page == nil || tree == nil {
		t.Fatalf("no catalog, page or structure tree root among %d objects", len(objs))
	}
	if catalog["/Lang"] != "u:"+lang || catalog["/MarkInfo"].(map[string]any)["/Marked"] != true ||
		catalog["/ViewerPreferences"].(map[string]any)["/DisplayDocTitle"] != true {
		t.Errorf("catalog %v: want /Lang (%s), /MarkInfo <</Marked true>>, /ViewerPreferences <</DisplayDocTitle true>>", catalog, lang)
	}
	if page["/StructParents"] != float64(0) {
		t.Errorf("page's /StructParents = %v, want 0", page["/StructParents"])
	}
	nums := objs["obj:"+tree["/ParentTree"].(string)].(map[string]any)["/Nums"].([]any)
	if len(nums) != 2 || nums[0] != float64(0) {
		t.Fatalf("parent tree /Nums %v: want [0 [...]]", nums)
	}
	for mcid, ref := range nums[1].([]any) {
		e := elems[ref.(string)]
		if e == nil || e["/K"] != float64(mcid) {
			t.Errorf("MCID %d leads to %v, whose /K is not %d", mcid, e, mcid)
		}
	}
	if tree["/ParentTreeNextKey"] != float64(1) {
		t.Errorf("/ParentTreeNextKey = %v, want 1", tree["/ParentTreeNextKey"])
	}
	return elems
}

var (
	contentsRe = regexp.MustCompile(`\n(\d+) 0 obj\n<</Length (\d+)>>\nstream\n`)
	paintRe    = regexp.MustCompile(`Tj$|TJ$| (re|l|m|c) *$| (S|s|f|F|B|b|n)$`)
)

// checkMarked fails the test unless everything the page's content stream
// paints, text or path, is in a marked-content sequence (an element's or
// an artifact's) and the sequences are balanced. The page's content is
// fpdf's first stream, uncompressed; its lines are operators.
func checkMarked(t *testing.T, pdf []byte) {
	t.Helper()
	m := contentsRe.FindSubmatchIndex(pdf)
	if m == nil {
		t.Fatal("no content stream")
	}
	n, _ := strconv.Atoi(string(pdf[m[4]:m[5]]))
	depth := 0
	for _, line := range strings.Split(string(pdf[m[1]:m[1]+n]), "\n") {
		switch {
		case strings.HasSuffix(line, " BDC") || strings.HasSuffix(line, " BMC"):
			depth++
		case line == "EMC":
			depth--
		case depth == 0 && paintRe.MatchString(line):
			t.Errorf("painted outside marked content: %q", line)
		}
		if depth < 0 {
			t.Fatal("EMC without BDC")
		}
	}
	if depth != 0 {
		t.Errorf("%d marked-content sequences left open", depth)
	}
}

func TestTagged(t *testing.T) {
	t.Parallel()
	digits := vectors[0].digits
	pdf := write(t, finnish(digits))
	elems := checkTree(t, pdf, "fi")
	checkMarked(t, pdf)

	// A screen reader meets the title, the body and the form in order.
	want := []string{"Document",
		"H1", `"Maksulomake"`,
		"P", `"Käytä aina viitenumeroa (ei viestiä) – maksu 12,50 € kohdistuu näin oikein."`,
		"Table",
		"TR", "TH", `"Syy"`, "TD", `"Liikaa maksettu etuus"`,
		"TR", "TH", `"Ajanjakso"`, "TD", `"1.1.2026–31.3.2026"`,
		"P", `"Åland och Sverige: ärendet är öppet. Laki (1234/2019) \ 5 §."`,
		"Table",
		"TR", "TH", `"Tilinumero"`, "TD", `"FI37 1590 3000 0007 76"`,
		"TR", "TH", `"Saaja"`, "TD", `"Kela"`,
		"TR", "TH", `"RF-viite"`, "TD", `"RF84 3000 0000 10"`,
		"TR", "TH", `"Viitenumero"`, "TD", `"30000 00010"`,
		"TR", "TH", `"Eräpäivä"`, "TD", `"14.12.2026"`,
		"TR", "TH", `"Summa"`, "TD", `"2 340,00 €"`,
		"TR", "TH", `"Virtuaaliviivakoodi"`, "TD", `"` + digits + `"`,
		"Figure", `""`,
	}
	structText := sliptest.Info(t, pdf, "-struct-text")
	if got := outline(structText); !slices.Equal(got, want) {
		t.Errorf("pdfinfo -struct-text:\n%s\nwant the outline\n%s", structText, strings.Join(want, "\n"))
	}

	// The bars are a figure that says what it is and its digits.
	var figures []map[string]any
	for _, e := range elems {
		if e["/S"] == "/Figure" {
			figures = append(figures, e)
		}
	}
	if len(figures) != 1 || figures[0]["/Alt"] != "u:Pankkiviivakoodi: "+digits {
		t.Errorf("figures %v: want one with /Alt (Pankkiviivakoodi: %s)", figures, digits)
	}

	// The title is in the XMP metadata too, and shown as the window's.
	if meta := sliptest.Info(t, pdf, "-meta"); !strings.Contains(meta, `<rdf:li xml:lang="x-default">Maksulomake</rdf:li>`) ||
		!strings.Contains(meta, "<rdf:li>fi</rdf:li>") {
		t.Errorf("XMP metadata lacks the title or the language:\n%s", meta)
	}

	// The text can still be copied out, Finnish letters and all.
	text := sliptest.Text(t, pdf)
	for _, want := range []string{"Maksulomake", "Käytä aina viitenumeroa (ei viestiä)", "12,50 €", "Åland och Sverige: ärendet är öppet.",
		`(1234/2019) \ 5 §`, "Eräpäivä", "2 340,00 €", digits} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
}

// A letter without anything to pay is its text, tagged, with no form; a
// paragraph of many lines reads with a space where its lines break.
func TestTaggedLetterWithoutForm(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Your payment plan has been approved and replaces the reminders. ", 6) + "Thank you."
	pdf := write(t, slip.Slip{Title: "Decision on your payment plan", Lang: "en", NoForm: true,
		Body: []slip.Block{slip.Para("Sent 3.12.2026"), slip.Para(long),
			slip.Table(slip.Line{Label: "Balance", Value: "0.00 €"})}})
	checkTree(t, pdf, "en")
	checkMarked(t, pdf)
	if text := sliptest.Text(t, pdf); strings.Count(text, "Your payment plan") != 6 || strings.Count(text, "\n") < 6 {
		t.Fatalf("the long paragraph is not set on lines of its own:\n%s", text)
	}
	want := []string{"Document", "H1", `"Decision on your payment plan"`, "P", `"Sent 3.12.2026"`, "P", `"` + long + `"`,
		"Table", "TR", "TH", `"Balance"`, "TD", `"0.00 €"`}
	if got := outline(sliptest.Info(t, pdf, "-struct-text")); !slices.Equal(got, want) {
		t.Errorf("outline %q, want %q", got, want)
	}
}

// Letters cp1252 lacks print as dots, but the structure carries the text
// as it is, for screen readers and copying.
func TestTaggedBeyondCP1252(t *testing.T) {
	t.Parallel()
	s := finnish(vectors[1].digits)
	s.Title = "Päätös – Łukasz Żółć"
	s.Body = []slip.Block{slip.Para("Σ ≠ 😀 (ok) \\ ä")}
	elems := checkTree(t, write(t, s), "fi")
	texts := map[string]string{}
	for _, e := range elems {
		if a, ok := e["/ActualText"].(string); ok {
			texts[e["/S"].(string)] = a
		}
	}
	if want := map[string]string{"/H1": "u:" + s.Title, "/P": "u:" + s.Body[0].Text}; !maps.Equal(texts, want) {
		t.Errorf("actual texts %q, want %q", texts, want)
	}
}

func TestWriteRefusesABadLanguage(t *testing.T) {
	for _, lang := range []string{"", "f", "fi) /Foo (", "fi-", "suomeksi!"} {
		s := finnish("")
		s.Lang = lang
		if err := slip.Write(&bytes.Buffer{}, s); !errors.Is(err, slip.ErrLang) {
			t.Errorf("Lang %q: err = %v, want ErrLang", lang, err)
		}
	}
}

// Whatever the texts, the PDF is sound and tagged: every element in the
// tree, its MCIDs in the parent tree, and any text beyond cp1252 carried
// whole.
func FuzzWriteTagged(f *testing.F) {
	f.Add("Maksulomake", "Käytä aina viitenumeroa.", "Summa", "12,50 €")
	f.Add("(", ")", "\\", "\\(")
	f.Add("Łódź", "😀 emoji", "∑", "\x00\xff\xfe")
	f.Add("\xf8", "\xc3", "\xed\xa0\x80", "0")
	f.Add("", "", "", "")
	f.Add("a\nb\r\nc", strings.Repeat("pitkä sana ", 200), "endstream endobj", ">> trailer %%EOF")
	f.Fuzz(func(t *testing.T, title, para, label, value string) {
		s := finnish(vectors[0].digits)
		s.Title = title
		s.Body = []slip.Block{slip.Para(para), slip.Table(slip.Line{Label: label, Value: value})}
		var buf bytes.Buffer
		if err := slip.Write(&buf, s); err != nil {
			t.Fatal(err)
		}
		elems := checkTree(t, buf.Bytes(), "fi")
		count := map[string]int{}
		for _, e := range elems {
			count[e["/S"].(string)]++
			if a, ok := e["/ActualText"].(string); ok {
				if k := e["/S"]; k == "/H1" && a != "u:"+string([]rune(title)) || k == "/P" && a != "u:"+string([]rune(para)) {
					t.Errorf("%s's actual text %q", k, a)
				}
			}
		}
		// H1, P, Table, TR, TH, TD; then the form's Table, its 7 rows
		// and the Figure.
		want := map[string]int{"/Document": 1, "/H1": 1, "/P": 1, "/Table": 2, "/TR": 8, "/TH": 8, "/TD": 8, "/Figure": 1}
		if len(count) != len(want) {
			t.Errorf("elements %v, want %v", count, want)
		}
		for k, n := range want {
			if count[k] != n {
				t.Errorf("elements %v, want %v", count, want)
				break
			}
		}
	})
}
