// Package slip writes a payment slip as a PDF: the payee, the account, the
// reference, the due date, the amount and the bank barcode, laid out like
// the Finnish bank transfer form (tilisiirtolomake).
package slip

import (
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
)

// Slip is what a slip shows; the labels come translated. Barcode.Value is
// the 54-digit virtual barcode: it is printed as digits and drawn as the
// bank barcode; an empty one draws nothing.
type Slip struct {
	Title   string
	Payee   Line
	IBAN    Line
	Ref     Line
	RF      Line
	Due     Line
	Amount  Line
	Barcode Line
	Note    string
	// NoForm leaves the transfer form out: a letter with nothing to pay.
	NoForm bool
}

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

// Write renders the slip on an A4 page. Text is set in the PDF's core
// Helvetica and Courier through the cp1252 code page, which has å, ä, ö
// and €; the bars are vector rectangles, so the barcode prints sharp at
// any resolution.
func Write(w io.Writer, s Slip) error {
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
	pdf.SetTitle(s.Title, true)
	pdf.SetCreator("etuus", false)
	pdf.AddPage()

	// Above the form: the title and the note.
	pdf.SetXY(15, 15)
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 10, tr(s.Title), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetX(15)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(180, 5, tr(s.Note), "", "L", false)
	if s.NoForm {
		if pdf.Err() {
			return fmt.Errorf("slip: %w", pdf.Error())
		}
		return pdf.Output(w)
	}

	// The cut line.
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 2}, 0)
	pdf.Line(0, formTop, pageW, formTop)
	pdf.SetDashPattern(nil, 0)

	label := func(x, y, w float64, text string) {
		pdf.SetXY(x, y)
		pdf.SetFont("Helvetica", "", 7)
		pdf.MultiCell(w, 3, tr(text), "", "L", false)
	}
	value := func(x, y, w float64, text, align string) {
		pdf.SetXY(x, y)
		pdf.SetFont("Courier", "B", 11)
		pdf.CellFormat(w, 6, tr(text), "", 0, align, false, 0, "")
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
	label(left, top+1, labelW, s.IBAN.Label)
	value(valueX, top+7, mid-valueX-2, s.IBAN.Value, "L")
	label(left, refTop+1, labelW, s.Payee.Label)
	value(valueX, refTop+7, mid-valueX-2, s.Payee.Value, "L")
	label(mid+2, top+1, right-mid-4, s.RF.Label)
	value(mid+2, top+7, right-mid-4, s.RF.Value, "L")
	label(mid+2, refTop+1, 20, s.Ref.Label)
	value(mid+22, refTop+5, right-mid-24, s.Ref.Value, "L")
	label(mid+2, dueTop+1, amountX-mid-4, s.Due.Label)
	value(mid+2, dueTop+6, amountX-mid-4, s.Due.Value, "R")
	label(amountX+2, dueTop+1, right-amountX-4, s.Amount.Label)
	value(amountX+2, dueTop+6, right-amountX-4, s.Amount.Value, "R")

	// The rules of the form: thick around it and between its halves,
	// thin between fields.
	pdf.SetLineWidth(0.2)
	pdf.Line(left, refTop, right, refTop)
	pdf.Line(left+labelW, top, left+labelW, bottom)
	pdf.Line(mid, dueTop, right, dueTop)
	pdf.Line(amountX, dueTop, amountX, bottom)
	pdf.SetLineWidth(0.5)
	pdf.Line(mid, top, mid, bottom)
	pdf.Rect(left, top, right-left, bottom-top, "D")

	// The barcode: the digits for typing into an online bank, then the
	// bars, left-aligned at the form's margin after their quiet zone.
	if s.Barcode.Value != "" {
		x := left + QuietMM
		label(x, barsTop-8, 100, s.Barcode.Label)
		pdf.SetXY(x, barsTop-5)
		pdf.SetFont("Courier", "", 8)
		pdf.CellFormat(0, 4, s.Barcode.Value, "", 0, "L", false, 0, "")
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
	}
	if pdf.Err() {
		return fmt.Errorf("slip: %w", pdf.Error())
	}
	return pdf.Output(w)
}
