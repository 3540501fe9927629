package scale_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/scale"
)

func generator(t testing.TB, seed uint64, first int64) *scale.Generator {
	t.Helper()
	units, _, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := message.DefaultCatalogue(message.KnownUnits(units))
	if err != nil {
		t.Fatal(err)
	}
	g, err := scale.New(scale.Options{Seed: seed, Now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), First: first, Batch: 1,
		Catalogue: cat, Rules: recovery.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestCodesUnique checks the identity codes of the first 300,000 people and
// of the last ones the range holds: valid, artificial, never with the
// traditional century signs the demo people use, and all different.
func TestCodesUnique(t *testing.T) {
	seen := make(map[hetu.Code]int64, 300_000)
	check := func(k int64) {
		c, err := scale.Code(k)
		if err != nil {
			t.Fatalf("Code(%d): %v", k, err)
		}
		if _, err := hetu.Parse(c.String()); err != nil || !c.Temporary() {
			t.Fatalf("Code(%d) = %s: %v, temporary %v", k, c, err, c.Temporary())
		}
		if s := c.String()[6]; s == '-' || s == 'A' || s == '+' {
			t.Fatalf("Code(%d) = %s uses a traditional century sign", k, c)
		}
		if j, dup := seen[c]; dup {
			t.Fatalf("Code(%d) = Code(%d) = %s", k, j, c)
		}
		seen[c] = k
	}
	for k := range int64(300_000) {
		check(k)
	}
	for k := scale.Capacity - 10_000; k < scale.Capacity; k++ {
		check(k)
	}
	if scale.Capacity < 11_000_000 {
		t.Errorf("capacity %d: not enough for two batches of 5.5 million", scale.Capacity)
	}
	if _, err := scale.Code(scale.Capacity); err == nil {
		t.Error("a code beyond the capacity")
	}
}

func TestDeterministic(t *testing.T) {
	a, b, other := generator(t, 7, 100), generator(t, 7, 100), generator(t, 8, 100)
	for _, i := range []int{0, 1, 57} {
		ca, err := a.Customer(i)
		if err != nil {
			t.Fatal(err)
		}
		cb, _ := b.Customer(i)
		co, _ := other.Customer(i)
		if !reflect.DeepEqual(ca, cb) {
			t.Errorf("customer %d differs between two generators with the same options", i)
		}
		if reflect.DeepEqual(ca, co) {
			t.Errorf("customer %d is the same with another seed", i)
		}
		if ca.Person.HETU != co.Person.HETU {
			t.Errorf("customer %d: the seed changed the identity code", i)
		}
	}
}

// TestShape checks the proportions the benchmarks rely on: about half the
// people with claims, about one thread each, about ten audit entries.
func TestShape(t *testing.T) {
	g := generator(t, 1, 0)
	const n = 4000
	var withClaims, threads, audits, notices, waiting int
	units := map[string]int{}
	for i := 1; i <= n; i++ {
		c, err := g.Customer(i)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Claims) > 0 {
			withClaims++
		}
		threads += len(c.Threads)
		audits += len(c.Audit)
		notices += len(c.Notices)
		for _, th := range c.Threads {
			units[th.UnitID]++
			if len(th.Messages) != 3 {
				t.Fatalf("thread with %d messages", len(th.Messages))
			}
			if !th.WaitingSince.IsZero() {
				waiting++
			}
			if th.LastMessageAt.After(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) || th.CreatedAt.Before(c.Person.CreatedAt) {
				t.Fatalf("thread outside the person's time: %v–%v, customer since %v", th.CreatedAt, th.LastMessageAt, c.Person.CreatedAt)
			}
		}
		for j := 1; j < len(c.Audit); j++ {
			if c.Audit[j].At.Before(c.Audit[j-1].At) {
				t.Fatal("audit entries out of time order")
			}
		}
		for _, cl := range c.Claims {
			if cl.Balance() < 0 || len(cl.EventIDs) != len(cl.Events) {
				t.Fatalf("claim %+v", cl)
			}
			// An overpayment concerns a period of whole months, over
			// before it was decided; other debts name none.
			overpaid := cl.Kind == recovery.Overpayment
			if err := cl.CheckPeriod(); err != nil || cl.PeriodFrom.IsZero() == overpaid {
				t.Fatalf("%s claim's period %s–%s: %v", cl.Kind, cl.PeriodFrom, cl.PeriodTo, err)
			}
			if overpaid && (cl.PeriodFrom.Day != 1 || cl.PeriodTo.AddDays(1).Day != 1 || !cl.PeriodTo.Before(civil.Of(cl.CreatedAt))) {
				t.Fatalf("overpayment of %s: period %s–%s", cl.CreatedAt, cl.PeriodFrom, cl.PeriodTo)
			}
		}
	}
	heavy, _ := g.Customer(0)
	t.Logf("per person: claims %.2f, threads %.2f, audit %.2f, notices %.2f; waiting threads %d; units %v; heavy person %d threads",
		float64(withClaims)/n, float64(threads)/n, float64(audits)/n, float64(notices)/n, waiting, units, len(heavy.Threads))
	within := func(what string, got, lo, hi float64) {
		if got < lo || got > hi {
			t.Errorf("%s = %.2f, want %.2f–%.2f", what, got, lo, hi)
		}
	}
	within("share with claims", float64(withClaims)/n, 0.45, 0.55)
	within("threads a person", float64(threads)/n, 0.9, 1.2)
	within("audit entries a person", float64(audits)/n, 8, 13)
	if len(units) < 4 {
		t.Errorf("threads reach only %v", units)
	}
	if len(heavy.Threads) != scale.HeavyThreads {
		t.Errorf("heavy person has %d threads", len(heavy.Threads))
	}
}

func ExampleCode() {
	for k := range int64(3) {
		c, _ := scale.Code(k)
		fmt.Println(c, c.BirthDate())
	}
	// Output:
	// 010130Y9007 1930-01-01
	// 240635Y903F 1935-06-24
	// 141240Y9068 1940-12-14
}
