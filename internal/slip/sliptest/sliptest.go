// Package sliptest reads bank barcodes back from PDFs and PNG images with
// poppler's pdftoppm and zbar's zbarimg, and a PDF's text, structure and
// objects with poppler's pdfinfo and pdftotext and with qpdf, so that tests
// check what a scanner, a reader or a screen reader sees rather than what
// the code meant to draw.
package sliptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
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

// file writes a PDF to a temporary file for the tools that read files.
func file(t testing.TB, pdf []byte) string {
	t.Helper()
	name := t.TempDir() + "/slip.pdf"
	if err := os.WriteFile(name, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// run runs a tool on a PDF, named in args by "%f", and returns what it
// prints; it fails the test when the tool fails or complains.
func run(t testing.TB, tool, pkg string, pdf []byte, args ...string) string {
	t.Helper()
	path := need(t, tool, pkg)
	name := file(t, pdf)
	args = slices.Clone(args)
	for i, a := range args {
		if a == "%f" {
			args[i] = name
		}
	}
	cmd := exec.Command(path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %s: %v: %s%s", tool, strings.Join(args, " "), err, stderr.Bytes(), out)
	}
	return string(out)
}

// Info is what poppler's pdfinfo says of a PDF ("Tagged: yes"…), with
// args such as -struct-text.
func Info(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	return run(t, "pdfinfo", "poppler-utils", pdf, append(args, "%f")...)
}

// Text is the text poppler's pdftotext extracts from a PDF.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	return run(t, "pdftotext", "poppler-utils", pdf, "-enc", "UTF-8", "%f", "-")
}

// Check fails the test unless qpdf --check finds the PDF's syntax,
// cross-reference sections and streams sound, without a warning.
func Check(t testing.TB, pdf []byte) {
	t.Helper()
	if out := run(t, "qpdf", "qpdf", pdf, "--check", "%f"); strings.Contains(out, "WARNING") {
		t.Fatalf("qpdf --check:\n%s", out)
	}
}

// Objects are the PDF's objects as qpdf reads them (its JSON, version 2):
// by "obj:N 0 R", the value, in which a text string is "u:" and its
// text in UTF-8 and a reference is "N 0 R".
func Objects(t testing.TB, pdf []byte) map[string]any {
	t.Helper()
	out := run(t, "qpdf", "qpdf", pdf, "--json=2", "--json-key=qpdf", "%f")
	var doc struct {
		QPDF []json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.QPDF) != 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	var objs map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(doc.QPDF[1], &objs); err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	m := make(map[string]any, len(objs))
	for k, o := range objs {
		m[k] = o.Value
	}
	return m
}
