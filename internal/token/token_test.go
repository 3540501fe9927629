package token

import "testing"

func TestRandomAndHash(t *testing.T) {
	a, b := Random(), Random()
	if a == b || len(a) != 43 {
		t.Fatalf("Random gave %q and %q", a, b)
	}
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Hash(abc) = %s", got)
	}
}
