package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
)

// BenchmarkAuthorizationsAPI: POST /api/v1/authorizations/check over
// loopback keep-alive connections from 1, 16 and 64 client goroutines,
// against `etuus serve` on its embedded SQLite file (set
// ETUUS_E2E_POSTGRES=1 for PostgreSQL) with the demo mandate register
// loaded in memory. Each answer is a whole decision as a partner system
// gets it: the client's secret checked, the decision's candidates from
// the register after its shared read of changes, the decision audited
// (group commit), the access log line written. The questions cycle
// through the demo's firm employee for its 5,000 clients, the demo's
// direct mandates and people without mandates. It reports p50 and p99 of
// the round trip and decisions per second.
//
//	go test ./cmd/etuus -run XXX -bench AuthorizationsAPI -benchtime 20000x
func BenchmarkAuthorizationsAPI(b *testing.B) {
	e := startApp(b, func(c *config) { c.LogLevel = "info" })
	for !e.app.register.Stats().Loaded {
		runtime.Gosched()
	}
	ctx := context.Background()
	clients := apiclient.NewService(e.db().APIClients(), nil)
	c, secret, err := clients.Issue(ctx, access.AsStaff("demo-staff-olli", "shared-services", "operations"),
		"bench", "1234567-1", []string{apiclient.ScopeAuthorizations})
	if err != nil || c.ID == "" {
		b.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		b.Fatal(err)
	}
	_, orgs, err := demo.MandateFeed(d, civil.Today(time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	for i, p := range d.Persons {
		if p.HETU == "" {
			continue
		}
		for k := 0; k < 50; k++ {
			org := orgs.Clients[(i*50+k)%len(orgs.Clients)]
			if k%5 == 0 {
				org = orgs.Employer
			}
			body, _ := json.Marshal(map[string]string{"agent": p.HETU, "principal": org, "issue": "employer_benefits"})
			bodies = append(bodies, body)
		}
	}
	for _, goroutines := range []int{1, 16, 64} {
		b.Run(fmt.Sprint("clients=", goroutines), func(b *testing.B) {
			hc := benchClient(goroutines)
			lats := make([][]time.Duration, goroutines)
			var wg sync.WaitGroup
			b.ResetTimer()
			t0 := time.Now()
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n := b.N / goroutines
					if g < b.N%goroutines {
						n++
					}
					lat := make([]time.Duration, 0, n)
					for i := 0; i < n; i++ {
						req, _ := http.NewRequest("POST", e.base+"/api/v1/authorizations/check", bytes.NewReader(bodies[(g*7919+i)%len(bodies)]))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+secret)
						s := time.Now()
						resp, err := hc.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("%s", resp.Status)
							return
						}
						lat = append(lat, time.Since(s))
					}
					lats[g] = lat
				}()
			}
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			lat := slices.Concat(lats...)
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "decisions/s")
		})
	}
	st := e.app.register.Stats()
	b.Logf("register: %d mandates, %d shared reads of changes, %d decisions read the database", st.Mandates, st.Reads, st.Fallbacks)
}
