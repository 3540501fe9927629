// Package slip writes a letter and its payment slip as a tagged PDF: the
// text above, and below a cut line the payee, the account, the reference,
// the due date, the amount and the bank barcode, laid out like the Finnish
// bank transfer form (tilisiirtolomake).
package slip

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Slip is what a slip shows; the labels come translated. Barcode.Value is
// the 54-digit virtual barcode: it is printed as digits and drawn as the
// bank barcode; an empty one draws nothing.
type Slip struct {
	Title string
	// Lang is the language of the text, a BCP 47 tag such as fi, sv or en:
	// screen readers read the PDF in it.
	Lang string
	// Body is the text above the form, in reading order.
	Body    []Block
	Payee   Line
	IBAN    Line
	Ref     Line
	RF      Line
	Due     Line
	Amount  Line
	Barcode Line
	// BarsLabel says what the bars are ("Bank barcode"): with the digits,
	// it is the text that stands for the bars for whoever cannot see them.
	BarsLabel string
	// NoForm leaves the transfer form out: a letter with nothing to pay.
	NoForm bool
}

// Block is a paragraph of the body or, when Rows are given, a table of
// labels and their values.
type Block struct {
	Text string
	Rows []Line
}

// Para is a paragraph.
func Para(text string) Block { return Block{Text: text} }

// Table is a table of labels and values.
func Table(rows ...Line) Block { return Block{Rows: rows} }

// ErrLang is a Slip.Lang that is not a language tag.
var ErrLang = errors.New("slip: not a language tag")

var langTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// Line is a label and its value.
type Line struct{ Label, Value string }

// The form's geometry in millimetres. The transfer form is the bottom
// 101.6 mm (4 in) of an A4 page, below a cut line: the payee's account and
// name on the left, the reference, the due date and the amount in boxes on
// the right, and the barcode at the bottom, left-aligned, with its quiet
// zones kept clear.
const (
	pageW, pageH = 210.0, 297.0
	formH        = 101.6
	formTop      = pageH - formH
	left, right  = 10.0, 200.0
	mid          = 105.0 // the left and right halves
	labelW       = 22.0  // the label column of the left half
	barsTop      = pageH - 8 - BarHeightMM
)

// Write renders the slip on an A4 page as a tagged PDF. Text is set in the
// PDF's core Helvetica and Courier through the cp1252 code page, which has
// å, ä, ö and €; a text with letters beyond it carries the letters in the
// structure as its actual text. The bars are vector rectangles, so the
// barcode prints sharp at any resolution.
//
// Everything drawn is marked content: the title a heading, the body's
// paragraphs and tables, the form's labels and values a table, the bars a
// figure whose alternative text is BarsLabel and the digits; the cut line
// and the form's rules are artifacts. The structure tree that holds them,
// in reading order, is appended to fpdf's file as an incremental update
// (see tag.go), since fpdf writes none.
func Write(w io.Writer, s Slip) error {
	if !langTag.MatchString(s.Lang) {
		return fmt.Errorf("%w: %q", ErrLang, s.Lang)
	}
	var bars []bool
	if s.Barcode.Value != "" {
		var err error
		if bars, err = Bars(s.Barcode.Value); err != nil {
			return err
		}
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false) // small, and searchable by tests and tools
	pdf.SetAutoPageBreak(false, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetTitle(strings.ToValidUTF8(s.Title, "\uFFFD"), true) // fpdf's UTF-16 panics on bytes that are not UTF-8
	pdf.SetCreator("etuus", false)
	pdf.SetLang(s.Lang)
	pdf.AddPage()
	t := newTagger(pdf)
	doc := t.doc
	// text is the attributes of an element whose text cp1252 cannot hold
	// (tr prints a dot for each letter it lacks): the text itself, for
	// screen readers and copying.
	text := func(s string) string {
		for _, r := range s {
			if r >= 0x80 && tr(string(r)) == "." {
				return "/ActualText " + textString(s)
			}
		}
		return ""
	}

	// Above the form: the title and the body.
	pdf.SetXY(15, 15)
	pdf.SetFont("Helvetica", "B", 16)
	t.leaf(doc, "H1", text(s.Title), func() {
		pdf.CellFormat(0, 10, tr(s.Title), "", 1, "L", false, 0, "")
	})
	pdf.Ln(4)
	for _, b := range s.Body {
		if len(b.Rows) == 0 {
			pdf.SetX(15)
			pdf.SetFont("Helvetica", "", 10)
			t.leaf(doc, "P", text(b.Text), func() {
				lines(pdf, 180, 5, tr(b.Text))
			})
			pdf.Ln(3)
			continue
		}
		// A table of two columns, the labels in bold.
		table := t.group(doc, "Table", "")
		for _, r := range b.Rows {
			row := t.group(table, "TR", "")
			y := pdf.GetY()
			pdf.SetXY(15, y)
			pdf.SetFont("Helvetica", "B", 10)
			t.leaf(row, "TH", "/A <</O /Table /Scope /Row>> "+text(r.Label), func() {
				lines(pdf, 60, 5, tr(r.Label))
			})
			bottom := pdf.GetY()
			pdf.SetXY(77, y)
			pdf.SetFont("Helvetica", "", 10)
			t.leaf(row, "TD", text(r.Value), func() {
				lines(pdf, 118, 5, tr(r.Value))
			})
			pdf.SetY(max(bottom, pdf.GetY()))
		}
		pdf.Ln(3)
	}
	if s.NoForm {
		return t.finish(w, s)
	}

	// The cut line.
	t.artifact(func() {
		pdf.SetLineWidth(0.2)
		pdf.SetDashPattern([]float64{2, 2}, 0)
		pdf.Line(0, formTop, pageW, formTop)
		pdf.SetDashPattern(nil, 0)
	})

	// The form's fields are a table of one row each, label and value, in
	// the order the form is read: down the left half, then the right.
	form := t.group(doc, "Table", "")
	field := func(l Line, labelX, labelY, labelW, valueX, valueY, valueW float64, align string) {
		row := t.group(form, "TR", "")
		pdf.SetXY(labelX, labelY)
		pdf.SetFont("Helvetica", "", 7)
		t.leaf(row, "TH", "/A <</O /Table /Scope /Row>> "+text(l.Label), func() {
			lines(pdf, labelW, 3, tr(l.Label))
		})
		pdf.SetXY(valueX, valueY)
		pdf.SetFont("Courier", "B", 11)
		t.leaf(row, "TD", text(l.Value), func() {
			pdf.CellFormat(valueW, 6, tr(l.Value), "", 0, align, false, 0, "")
		})
	}

	// Left half: the payee's account, then the payee. Right half: the RF
	// reference where the form has room for a message, then the
	// reference, the due date and the amount in boxes.
	const (
		top     = formTop + 6
		accH    = 20.0 // the account row
		bottom  = top + 50
		refTop  = top + accH
		dueTop  = refTop + 15
		amountX = mid + 45
		valueX  = left + labelW + 2
	)
	field(s.IBAN, left, top+1, labelW, valueX, top+7, mid-valueX-2, "L")
	field(s.Payee, left, refTop+1, labelW, valueX, refTop+7, mid-valueX-2, "L")
	field(s.RF, mid+2, top+1, right-mid-4, mid+2, top+7, right-mid-4, "L")
	field(s.Ref, mid+2, refTop+1, 20, mid+22, refTop+5, right-mid-24, "L")
	field(s.Due, mid+2, dueTop+1, amountX-mid-4, mid+2, dueTop+6, amountX-mid-4, "R")
	field(s.Amount, amountX+2, dueTop+1, right-amountX-4, amountX+2, dueTop+6, right-amountX-4, "R")

	// The rules of the form: thick around it and between its halves,
	// thin between fields.
	t.artifact(func() {
		pdf.SetLineWidth(0.2)
		pdf.Line(left, refTop, right, refTop)
		pdf.Line(left+labelW, top, left+labelW, bottom)
		pdf.Line(mid, dueTop, right, dueTop)
		pdf.Line(amountX, dueTop, amountX, bottom)
		pdf.SetLineWidth(0.5)
		pdf.Line(mid, top, mid, bottom)
		pdf.Rect(left, top, right-left, bottom-top, "D")
	})

	// The barcode: the digits for typing into an online bank, then the
	// bars, left-aligned at the form's margin after their quiet zone.
	if s.Barcode.Value != "" {
		x := left + QuietMM
		row := t.group(form, "TR", "")
		pdf.SetXY(x, barsTop-8)
		pdf.SetFont("Helvetica", "", 7)
		t.leaf(row, "TH", "/A <</O /Table /Scope /Row>> "+text(s.Barcode.Label), func() {
			lines(pdf, 100, 3, tr(s.Barcode.Label))
		})
		pdf.SetXY(x, barsTop-5)
		pdf.SetFont("Courier", "", 8)
		t.leaf(row, "TD", "", func() {
			pdf.CellFormat(0, 4, s.Barcode.Value, "", 0, "L", false, 0, "")
		})
		const k = 72 / 25.4 // points in a millimetre
		bbox := fmt.Sprintf("/A <</O /Layout /BBox [%.2f %.2f %.2f %.2f]>> ",
			x*k, (pageH-barsTop-BarHeightMM)*k, (x+Modules*ModuleMM)*k, (pageH-barsTop)*k)
		alt := s.Barcode.Value
		if s.BarsLabel != "" {
			alt = s.BarsLabel + ": " + alt
		}
		t.leaf(doc, "Figure", bbox+"/Alt "+textString(alt), func() {
			pdf.SetFillColor(0, 0, 0)
			for i := 0; i < len(bars); {
				if !bars[i] {
					i++
					continue
				}
				j := i
				for j < len(bars) && bars[j] {
					j++
				}
				pdf.Rect(x+float64(i)*ModuleMM, barsTop, float64(j-i)*ModuleMM, BarHeightMM, "F")
				i = j
			}
		})
	}
	return t.finish(w, s)
}

// lines sets text left-aligned in lines of width w and height h from the
// current position down, as MultiCell does, but keeps the space at which
// a line breaks at the line's end (where it does not show): text
// extraction and screen readers, which read the lines one after the
// other, would otherwise run the words around each break together.
func lines(pdf *fpdf.Fpdf, w, h float64, text string) {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r", ""), "\n")
	x := pdf.GetX()
	split := pdf.SplitLines([]byte(text), w)
	if len(split) == 0 {
		split = [][]byte{nil}
	}
	pos := 0 // SplitLines' lines are consecutive pieces of text
	for _, l := range split {
		line := string(l)
		pos += len(l)
		if pos < len(text) && strings.IndexByte(" \t\n", text[pos]) >= 0 {
			line += " " // the separator SplitLines dropped
			pos++
		}
		pdf.SetX(x)
		pdf.CellFormat(w, h, line, "", 2, "L", false, 0, "")
	}
}
