package iso20022

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// repoRoot is the directory holding go.mod, found by walking up from the
// package directory the test runs in.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// testdata returns the path of a sample file in <root>/testdata/iso20022.
func testdata(t testing.TB, name string) string {
	return filepath.Join(repoRoot(t), "testdata", "iso20022", name)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testdata(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads a whole camt file with NewReader, stopping at the first
// error, after checking that the reference reader on encoding/xml reads it
// the same: so every test input is also a differential test.
func readAll(t testing.TB, r io.Reader) (Header, []Entry, error) {
	t.Helper()
	open := replay(r)
	checkReadersAgree(t, open)
	rd, err := NewReader(open())
	if err != nil {
		return Header{}, nil, err
	}
	var entries []Entry
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return rd.Header(), entries, nil
		}
		if err != nil {
			return rd.Header(), entries, err
		}
		entries = append(entries, e)
	}
}

// asError returns err as *Error or fails the test: every failure of this
// package must carry a Reason the user interface can translate.
func asError(t testing.TB, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *iso20022.Error", err, err)
	}
	return e
}
