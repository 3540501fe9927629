package recovery

import (
	"errors"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// d is civil.MustParseISO, short for tables.
func d(s string) civil.Date { return civil.MustParseISO(s) }

// euro returns whole euros in cents, for readable tables.
func euro(e int64) int64 { return e * 100 }

// wantFault fails unless err is a fault.Invalid with the key (and the
// field, when field is not "").
func wantFault(t *testing.T, err error, key, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", key)
	}
	var f *fault.Error
	if !errors.As(err, &f) {
		t.Fatalf("error %v is not a fault.Error", err)
	}
	if f.Key != key {
		t.Errorf("key %q, want %q (%v)", f.Key, key, err)
	}
	if field != "" && f.Field != field {
		t.Errorf("field %q, want %q", f.Field, field)
	}
}
