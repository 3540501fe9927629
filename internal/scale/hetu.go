package scale

import (
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
)

// Identity codes are artificial (individual numbers 900–999) and use only
// the century signs introduced in 2023 (Y X W V U for the 1900s, B C D E F
// for the 2000s), so they never meet the demo people's or the tests' codes,
// which use the traditional - and A. Every birth date from 1930 to 2007 has
// 5 signs × 100 individual numbers: Capacity codes in all.
var (
	firstBirth = civil.New(1930, time.January, 1)
	lastBirth  = civil.New(2007, time.December, 31)
	birthDays  = int64(lastBirth.UnixDays() - firstBirth.UnixDays() + 1)
)

const (
	signs1900 = "YXWVU"
	signs2000 = "BCDEF"
	perDay    = 5 * 100
	// spread is coprime with Capacity: k ↦ k·spread mod Capacity is a
	// permutation, which spreads consecutive people over every birth year.
	spread = 1_000_003
)

// Capacity is how many distinct identity codes Code gives (about 14
// million): enough for every batch of Kela's 5.5 million customers twice.
var Capacity = birthDays * perDay

// Code is the identity code of the k-th synthetic person ever generated in
// a database (0 ≤ k < Capacity). Different k give different codes.
func Code(k int64) (hetu.Code, error) {
	if k < 0 || k >= Capacity {
		return hetu.Code{}, fmt.Errorf("scale: person %d is beyond the %d artificial identity codes", k, Capacity)
	}
	slot := k * spread % Capacity // < 2⁴⁵: no overflow
	day, rest := slot/perDay, slot%perDay
	birth := firstBirth.AddDays(int(day))
	signs := signs1900
	if birth.Year >= 2000 {
		signs = signs2000
	}
	return hetu.Make(birth, 900+int(rest%100), signs[rest/100])
}
