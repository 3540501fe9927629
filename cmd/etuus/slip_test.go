package main

import (
	"encoding/base64"
	"html"
	"regexp"
	"slices"
	"testing"

	"github.com/etuus/etuus/internal/slip/sliptest"
)

var (
	slipDigitsRe = regexp.MustCompile(`<code class="barcode">(\d{54})</code>`)
	slipImageRe  = regexp.MustCompile(`<img class="barcode" src="data:image/png;base64,([^"]+)"`)
)

// TestSlipBarcodeScans reads each demo person's payment slip, as the HTML
// page and as the PDF, with a barcode reader: the bars must carry the 54
// digits the page prints.
func TestSlipBarcodeScans(t *testing.T) {
	e := startApp(t)
	for _, person := range []string{"demo-person-maija", "demo-person-matti", "demo-person-sanna", "demo-person-johan"} {
		t.Run(person, func(t *testing.T) {
			c := browser()
			e.signIn(c, "test-citizen", person)
			claim := e.demoClaim(person)
			resp, body := e.get(c, "/my/claims/"+claim.ID+"/slip")
			m := slipDigitsRe.FindStringSubmatch(body)
			img := slipImageRe.FindStringSubmatch(body)
			if resp.StatusCode != 200 || m == nil || img == nil {
				t.Fatalf("slip page %d without the digits or the barcode image:\n%s", resp.StatusCode, body)
			}
			png, err := base64.StdEncoding.DecodeString(html.UnescapeString(img[1]))
			if err != nil {
				t.Fatal(err)
			}
			if got := sliptest.ReadPNG(t, png); !slices.Equal(got, []string{m[1]}) {
				t.Errorf("the page's barcode image scans as %q, want [%s]", got, m[1])
			}
			resp, pdf := e.get(c, "/my/claims/"+claim.ID+"/slip.pdf")
			if resp.StatusCode != 200 {
				t.Fatalf("PDF slip: %d", resp.StatusCode)
			}
			if got := sliptest.ReadPDF(t, []byte(pdf)); !slices.Equal(got, []string{m[1]}) {
				t.Errorf("the PDF's barcode scans as %q, want [%s]", got, m[1])
			}
		})
	}
}
