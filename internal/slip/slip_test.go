package slip_test

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/slip"
	"github.com/etuus/etuus/internal/slip/sliptest"
)

// The virtual barcodes of DOMAIN.md §1 (IBAN FI37 1590 3000 0007 76).
var vectors = []struct{ name, digits string }{
	{"version 4: ref 11112, 12.25 €, due 21.12.2016", "437159030000007760000122500000000000000000011112161221"},
	{"version 5: RF9811112, 1.10 €, due 1.1.2017", "537159030000007760000011098000000000000000011112170101"},
	{"version 4: no amount, no due date", "437159030000007760000000000000000000000000011112000000"},
}

func finnish(barcode string) slip.Slip {
	return slip.Slip{
		Title: "Maksulomake", Payee: slip.Line{Label: "Saaja", Value: "Kela"},
		IBAN: slip.Line{Label: "Tilinumero", Value: "FI37 1590 3000 0007 76"},
		Ref:  slip.Line{Label: "Viitenumero", Value: "30000 00010"}, RF: slip.Line{Label: "RF-viite", Value: "RF84 3000 0000 10"},
		Due:       slip.Line{Label: "Eräpäivä", Value: "14.12.2026"},
		Amount:    slip.Line{Label: "Summa", Value: "2 340,00 €"},
		Barcode:   slip.Line{Label: "Virtuaaliviivakoodi", Value: barcode},
		BarsLabel: "Pankkiviivakoodi",
		Lang:      "fi",
		Body: []slip.Block{slip.Para("Käytä aina viitenumeroa (ei viestiä) – maksu 12,50 € kohdistuu näin oikein."),
			slip.Table(slip.Line{Label: "Syy", Value: "Liikaa maksettu etuus"}, slip.Line{Label: "Ajanjakso", Value: "1.1.2026–31.3.2026"}),
			slip.Para("Åland och Sverige: ärendet är öppet. Laki (1234/2019) \\ 5 §.")},
	}
}

func write(t *testing.T, s slip.Slip) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := slip.Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWrite(t *testing.T) {
	pdf := string(write(t, finnish("437159030000007760023400000000000000003000000010261214")))
	if !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(pdf, "%%EOF") {
		t.Fatal("not a PDF")
	}
	for _, want := range []string{"FI37 1590 3000 0007 76", "30000 00010", "437159030000007760023400000000000000003000000010261214", "14.12.2026"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	// cp1252: "Eräpäivä" is written with the byte E4 for ä.
	if !strings.Contains(pdf, "Er\xe4p\xe4iv\xe4") {
		t.Error("Finnish letters are not in cp1252")
	}
}

// A scanner reads the PDF's bars as the virtual barcode's 54 digits.
func TestPDFBarcodeScans(t *testing.T) {
	t.Parallel()
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel() // pdftoppm and zbarimg spend most of their time waiting
			got := sliptest.ReadPDF(t, write(t, finnish(v.digits)))
			if !slices.Equal(got, []string{v.digits}) {
				t.Errorf("scanned %q, want [%s]", got, v.digits)
			}
		})
	}
}

func TestPNGScans(t *testing.T) {
	t.Parallel()
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			for _, scale := range []int{2, 3} {
				b, err := slip.PNG(v.digits, scale)
				if err != nil {
					t.Fatal(err)
				}
				if got := sliptest.ReadPNG(t, b); !slices.Equal(got, []string{v.digits}) {
					t.Errorf("scale %d: scanned %q, want [%s]", scale, got, v.digits)
				}
			}
		})
	}
}

// The printed bars have the bank barcode's sizes and nothing else is drawn
// in their quiet zones: measured on the page rasterised at 300 dpi.
func TestPDFBarcodeGeometry(t *testing.T) {
	t.Parallel()
	img, err := png.Decode(bytes.NewReader(sliptest.Rasterise(t, write(t, finnish(vectors[0].digits)))))
	if err != nil {
		t.Fatal(err)
	}
	const dpi = 300.0
	px := func(mm float64) float64 { return mm / 25.4 * dpi }
	dark := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r+g+b < 3*0x8000
	}
	// The bars are the widest run of rows, near the page's foot, in which
	// the same leftmost and rightmost dark columns repeat.
	b := img.Bounds()
	type span struct{ x0, x1 int }
	row := func(y int) (span, bool) {
		s, ok := span{-1, -1}, false
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				if !ok {
					s.x0, ok = x, true
				}
				s.x1 = x
			}
		}
		return s, ok
	}
	var bars span
	var rows int
	for y := b.Max.Y - 1; y > b.Max.Y-int(px(40)); y-- {
		s, ok := row(y)
		if !ok {
			if rows > 0 {
				break
			}
			continue
		}
		if rows > 0 && s != bars {
			break
		}
		bars, rows = s, rows+1
	}
	if rows == 0 {
		t.Fatal("no bars at the foot of the page")
	}
	mm := func(p float64) float64 { return p / dpi * 25.4 }
	if h := mm(float64(rows)); h < 10 {
		t.Errorf("bars %.1f mm high, want at least 10 mm", h)
	}
	width := mm(float64(bars.x1 - bars.x0 + 1))
	if want := slip.Modules * slip.ModuleMM; math.Abs(width-want) > 0.3 {
		t.Errorf("bars %.1f mm wide, want %.1f mm (%d modules of %.2f mm)", width, want, slip.Modules, slip.ModuleMM)
	}
	if module := width / slip.Modules; module < 0.25 {
		t.Errorf("module %.3f mm, want at least 0.25 mm", module)
	}
	// Quiet zones: nothing dark within QuietMM left or right of the bars,
	// over the bars' height.
	quiet := int(math.Ceil(px(slip.QuietMM)))
	if bars.x0-quiet < b.Min.X {
		t.Fatalf("the left quiet zone runs off the page")
	}
	for y := b.Max.Y - 1; y > b.Max.Y-int(px(40)); y-- {
		if s, ok := row(y); ok && s == bars {
			for x := bars.x0 - quiet; x < bars.x0; x++ {
				if dark(x, y) {
					t.Fatalf("dark pixel in the left quiet zone at %d,%d", x, y)
				}
			}
			for x := bars.x1 + 1; x <= bars.x1+quiet && x < b.Max.X; x++ {
				if dark(x, y) {
					t.Fatalf("dark pixel in the right quiet zone at %d,%d", x, y)
				}
			}
		}
	}
}

func TestBars(t *testing.T) {
	bars, err := slip.Bars(vectors[0].digits)
	if err != nil {
		t.Fatal(err)
	}
	// Start C is 11010011100; every Code 128 symbol ends with a space and
	// the stop pattern with two bars.
	start := []bool{true, true, false, true, false, false, true, true, true, false, false}
	if len(bars) != slip.Modules || !slices.Equal(bars[:11], start) || !bars[len(bars)-1] || !bars[len(bars)-2] {
		t.Errorf("bars %v…: want %d modules starting with Start C", bars[:11], slip.Modules)
	}
	for _, bad := range []string{"", "43715903000000776000012250000000000000000001111216122", // 53 digits
		"4371590300000077600001225000000000000000000111121612210", // 55
		"43715903000000776000012250000000000000000001111216122x"} {
		if _, err := slip.Bars(bad); !errors.Is(err, slip.ErrBarcode) {
			t.Errorf("Bars(%q) = %v, want ErrBarcode", bad, err)
		}
	}
}

func TestWriteRefusesABadBarcode(t *testing.T) {
	var buf bytes.Buffer
	if err := slip.Write(&buf, finnish("12345")); !errors.Is(err, slip.ErrBarcode) {
		t.Errorf("err = %v, want ErrBarcode", err)
	}
}

func TestWriteWithoutBarcode(t *testing.T) {
	t.Parallel()
	s := finnish("")
	if got := sliptest.ReadPDF(t, write(t, s)); len(got) != 0 {
		t.Errorf("a slip without a barcode scans as %q", got)
	}
}
