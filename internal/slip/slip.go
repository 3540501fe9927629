// Package slip writes a payment slip as a PDF: the payee, the account, the
// reference, the due date, the amount and the virtual barcode, laid out like
// the Finnish bank transfer form.
package slip

import (
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
)

// Slip is what a slip shows; the labels come translated.
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
}

// Line is a label and its value.
type Line struct{ Label, Value string }

// Write renders the slip on an A4 page. Text is set in the PDF's core
// Helvetica through the cp1252 code page, which has å, ä, ö and €.
func Write(w io.Writer, s Slip) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false) // small, and searchable by tests and tools
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetTitle(s.Title, true)
	pdf.SetCreator("etuus", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 10, tr(s.Title), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	x, y := pdf.GetXY()
	pdf.SetLineWidth(0.4)
	pdf.Rect(x, y, 180, 72, "D")
	row := func(l Line, bold bool) {
		pdf.SetX(x + 4)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(48, 9, tr(l.Label), "", 0, "L", false, 0, "")
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Courier", style, 12)
		pdf.CellFormat(124, 9, tr(l.Value), "B", 1, "L", false, 0, "")
	}
	pdf.SetY(y + 2)
	row(s.Payee, false)
	row(s.IBAN, true)
	row(s.Ref, true)
	row(s.RF, false)
	row(s.Due, true)
	row(s.Amount, true)
	pdf.Ln(3)
	pdf.SetX(x + 4)
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 6, tr(s.Barcode.Label), "", 1, "L", false, 0, "")
	pdf.SetX(x + 4)
	pdf.SetFont("Courier", "", 10)
	pdf.CellFormat(0, 6, s.Barcode.Value, "", 1, "L", false, 0, "")
	pdf.SetY(y + 80)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(180, 5, tr(s.Note), "", "L", false)
	if pdf.Err() {
		return fmt.Errorf("slip: %w", pdf.Error())
	}
	return pdf.Output(w)
}
