package jsonfile

import (
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	var v struct{ A int }
	if err := Decode(strings.NewReader(`{"A": 1}`), &v); err != nil || v.A != 1 {
		t.Errorf("Decode = %v, %+v", err, v)
	}
	if err := Decode(strings.NewReader(`{"A": 1} {}`), &v); !errors.Is(err, ErrTrailing) {
		t.Errorf("trailing: %v", err)
	}
	if err := Decode(strings.NewReader(`{"B": 1}`), &v); err == nil {
		t.Error("unknown field accepted")
	}
	if err := Decode(strings.NewReader(`{"A": `), &v); err == nil {
		t.Error("cut JSON accepted")
	}
}
