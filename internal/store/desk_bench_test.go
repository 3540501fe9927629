package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store"
)

// TestDeskAtScale measures customer service's desk on a database loaded by
// `etuus seed --scale` (ETUUS_BENCH_PG): the search by identity code, by
// name with date of birth, the 360 view and the customer's access log, as
// desk.Service calls (each search and view writes its audit entries in its
// transaction, as on the page). ETUUS_BENCH_CUSTOMERS is how many synthetic
// customers the database holds (they are picked at random);
// ETUUS_BENCH_CLIENTS goroutines call for ETUUS_BENCH_SECONDS each. It
// prints calls per second, p50 and p99; timings never fail it.
func TestDeskAtScale(t *testing.T) {
	url := os.Getenv("ETUUS_BENCH_PG")
	if url == "" {
		t.Skip("set ETUUS_BENCH_PG (a database loaded by etuus seed --scale) to measure the desk")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := benchEnv("ETUUS_BENCH_CUSTOMERS", 100000)
	clients, seconds := benchEnv("ETUUS_BENCH_CLIENTS", 8), benchEnv("ETUUS_BENCH_SECONDS", 5)
	svc := desk.NewService(db.Desk(), nil)
	staff := access.AsStaff("scale-bench", "recovery", "specialist")
	heavy := firstSynthetic(t, db)
	// A random synthetic customer, read before the clock starts.
	random := func(r *rand.Rand) (customer.Person, error) {
		c, err := scale.Code(int64(r.IntN(n)))
		if err != nil {
			return customer.Person{}, err
		}
		return db.PersonByHETU(ctx, c.String())
	}
	cases := []struct {
		name string
		call func(p customer.Person) error
	}{
		{"search by identity code (random customer)", func(p customer.Person) error {
			q, err := desk.ParseQuery(p.HETU, "", 0)
			if err == nil {
				_, err = svc.Search(ctx, staff, q)
			}
			return err
		}},
		{"search by family name and date of birth (random customer)", func(p customer.Person) error {
			q, err := desk.ParseQuery(p.FamilyName, p.BirthDate.String(), 0)
			if err == nil {
				_, err = svc.Search(ctx, staff, q)
			}
			return err
		}},
		{"360 view (random customer)", func(p customer.Person) error {
			_, err := svc.Open(ctx, staff, p.ID, desk.Purpose{Topic: "phone"})
			return err
		}},
		{fmt.Sprintf("360 view (the customer with %d threads)", scale.HeavyThreads), func(customer.Person) error {
			_, err := svc.Open(ctx, staff, heavy.ID, desk.Purpose{Topic: "phone"})
			return err
		}},
		{"access log, first page (the same customer)", func(customer.Person) error {
			_, err := svc.AccessLog(ctx, access.AsCustomer(heavy.ID), heavy.ID, "")
			return err
		}},
	}
	t.Logf("%d customers, %d clients, %d s each", n, clients, seconds)
	for _, c := range cases {
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		end := time.Now().Add(time.Duration(seconds) * time.Second)
		for g := 0; g < clients; g++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, 7))
				var mine []time.Duration
				for time.Now().Before(end) {
					p, err := random(r)
					if err != nil {
						t.Errorf("%s: %v", c.name, err)
						return
					}
					start := time.Now()
					if err := c.call(p); err != nil {
						t.Errorf("%s: %v", c.name, err)
						return
					}
					mine = append(mine, time.Since(start))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}(uint64(g))
		}
		wg.Wait()
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		t.Logf("| %s | %.0f | %.1f ms | %.1f ms |", c.name, float64(len(lat))/float64(seconds),
			ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
