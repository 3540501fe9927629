// Package sliptest reads bank barcodes back from PDFs and PNG images with
// poppler's pdftoppm and zbar's zbarimg, so that tests check what a scanner
// sees rather than what the code meant to draw.
package sliptest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Resolution is the dots per inch at which PDFs are rasterised: an office
// scanner's, at which a 0.3 mm module is about 3.5 pixels.
const Resolution = "300"

// need skips the test when a tool is missing, and fails it under CI
// (CI=true), where .ci/run installs the tools.
func need(t testing.TB, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (Debian package %s); CI must have it", tool, pkg)
	}
	t.Skipf("%s is missing (Debian package %s)", tool, pkg)
	return ""
}

// Rasterise renders the first page of a PDF as a PNG at Resolution.
func Rasterise(t testing.TB, pdf []byte) []byte {
	t.Helper()
	tool := need(t, "pdftoppm", "poppler-utils")
	cmd := exec.Command(tool, "-png", "-r", Resolution, "-f", "1", "-l", "1", "-singlefile", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, stderr.Bytes())
	}
	return out
}

// ReadPNG returns the Code 128 symbols zbarimg finds in a PNG image, in
// the order it reports them; none is an empty list.
func ReadPNG(t testing.TB, png []byte) []string {
	t.Helper()
	tool := need(t, "zbarimg", "zbar-tools")
	cmd := exec.Command(tool, "--quiet", "--raw", "-Sdisable", "-Scode128.enable", "png:-")
	cmd.Stdin = bytes.NewReader(png)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 { // nothing found
		return nil
	}
	if err != nil {
		t.Fatalf("zbarimg: %v: %s", err, stderr.Bytes())
	}
	return strings.Fields(string(out))
}

// ReadPDF returns the Code 128 symbols on the first page of a PDF.
func ReadPDF(t testing.TB, pdf []byte) []string {
	t.Helper()
	return ReadPNG(t, Rasterise(t, pdf))
}
