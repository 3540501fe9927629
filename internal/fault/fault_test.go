package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestAllListsEveryJoinedError(t *testing.T) {
	a := InvalidField("a", "x.a", nil)
	b := InvalidField("b", "x.b", nil)
	err := errors.Join(a, fmt.Errorf("wrapped: %w", b), errors.New("plain"))
	got := All(err)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("All = %v; want a and b", got)
	}
	if KindOf(err) != Invalid || FieldOf(err) != "a" {
		t.Errorf("KindOf, FieldOf = %v, %q; want the first's", KindOf(err), FieldOf(err))
	}
	if All(nil) != nil || All(errors.New("x")) != nil {
		t.Error("All of an error without faults is not empty")
	}
}
