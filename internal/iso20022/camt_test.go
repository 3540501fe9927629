package iso20022

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// validDate must accept exactly what time.Parse(time.DateOnly, …) does.
func TestValidDateIsTimeParse(t *testing.T) {
	check := func(s string) {
		_, err := time.Parse(time.DateOnly, s)
		if got, want := validDate(s), err == nil; got != want {
			t.Fatalf("validDate(%q) = %v, time.Parse says %v (%v)", s, got, want, err)
		}
	}
	for _, y := range []int{0, 1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9996, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				check(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789-+ x:T"
	for range 200_000 {
		b := []byte("2024-02-29")
		for range 1 + rng.IntN(3) {
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
		}
		check(string(b))
	}
	for _, s := range []string{"", "2024-02-2", "2024-02-291", "+024-02-02", "2024-2-02", "２０２４-02-02"} {
		check(s)
	}
}
