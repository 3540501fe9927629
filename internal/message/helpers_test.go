package message

import (
	"bytes"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
)

// referenceUnits is the organisation as seeded: the units the shipped
// catalogue must route to.
func referenceUnits(t testing.TB) func(string) bool {
	t.Helper()
	units, _, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	return KnownUnits(units)
}

func defaultCatalogue(t testing.TB) *Catalogue {
	t.Helper()
	c, err := DefaultCatalogue(referenceUnits(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// head pads a file's first bytes to the 512 a caller passes as Upload.Head.
func head(start ...[]byte) []byte {
	b := bytes.Join(start, nil)
	return append(b, bytes.Repeat([]byte{'x'}, 512)...)[:max(512, len(b))]
}

// Minimal but genuine starts of each kind of file.
var (
	pdfStart  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
	jpegStart = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	pngStart  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
)

func upload(name string, start []byte) Upload {
	h := head(start)
	return Upload{Name: name, Head: h, Size: 2048}
}

// wantKey fails the test unless err is nil (key "") or carries the key.
func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	switch {
	case key == "" && err != nil:
		t.Errorf("err = %v; want none", err)
	case key != "" && err == nil:
		t.Errorf("err = nil; want %s", key)
	case key != "" && fault.KeyOf(err) != key:
		t.Errorf("err = %v; want %s", err, key)
	}
}
