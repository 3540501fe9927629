package web

import (
	"encoding/base64"
	"html/template"
	"math"

	"github.com/etuus/etuus/internal/slip"
)

// barcodeImg is the bank barcode of a virtual barcode as an img element's
// parts: a PNG data: URI (the CSP allows data: images, and the slip page
// needs no second request) and the size in CSS pixels (96 to the inch)
// that prints each module slip.ModuleMM wide.
type barcodeImg struct {
	Src           template.URL
	Width, Height int
}

func barcodeImage(digits string) (barcodeImg, error) {
	b, err := slip.PNG(digits, 3)
	if err != nil {
		return barcodeImg{}, err
	}
	px := func(mm float64) int { return int(math.Ceil(mm / 25.4 * 96)) }
	return barcodeImg{
		Src:    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b)),
		Width:  px(slip.PNGWidthMM),
		Height: px(slip.PNGHeightMM),
	}, nil
}
