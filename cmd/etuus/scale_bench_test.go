package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store"
)

// TestPagesAtScale measures pages of a running `etuus serve` on a big
// database: for each page, clients goroutines ask for it over keep-alive
// connections for a number of seconds, and it prints requests per second
// and the median and 99th percentile latency. It runs only when
// ETUUS_BENCH_URL names the server (see docs/benchmarks.md):
//
//	ETUUS_BENCH_URL      the server's base URL, started with --test-idp true --demo true
//	ETUUS_BENCH_PG       its database, to sign in as the first synthetic
//	                     customer (the test provider lists only demo people)
//	ETUUS_BENCH_SECONDS  seconds per page (10)
//	ETUUS_BENCH_CLIENTS  concurrent clients (8)
//	ETUUS_BENCH_PAGES    only the pages whose name contains this
//
// Timings never pass or fail it; a page that does not answer 200 fails it.
func TestPagesAtScale(t *testing.T) {
	base := os.Getenv("ETUUS_BENCH_URL")
	if base == "" {
		t.Skip("set ETUUS_BENCH_URL (and ETUUS_BENCH_PG) to measure pages of a running server")
	}
	seconds, clients := envInt("ETUUS_BENCH_SECONDS", 10), envInt("ETUUS_BENCH_CLIENTS", 8)
	only := os.Getenv("ETUUS_BENCH_PAGES")
	e := &running{t: t, base: strings.TrimSuffix(base, "/")}

	type who struct {
		name string
		c    *http.Client
	}
	var people []who
	demo := benchClient(clients)
	if resp, _ := e.signIn(demo, "test-citizen", "demo-person-maija"); resp.Request.URL.Path != "/my" {
		t.Fatalf("demo sign-in ended at %s", resp.Request.URL)
	}
	people = append(people, who{"demo citizen (Maija)", demo})
	if dbURL := os.Getenv("ETUUS_BENCH_PG"); dbURL != "" {
		people = append(people, who{fmt.Sprintf("synthetic citizen (%d threads)", scale.HeavyThreads), heavyClient(t, e.base, dbURL, clients)})
	}
	staff := benchClient(clients)
	if resp, _ := e.signIn(staff, "test-staff", "staff-anna"); resp.Request.URL.Path != "/staff" {
		t.Fatalf("staff sign-in ended at %s", resp.Request.URL)
	}

	t.Logf("%d clients, %d s a page, %s", clients, seconds, e.base)
	t.Log("| who | page | requests/s | p50 | p99 |")
	t.Log("|---|---|---|---|---|")
	measure := func(name string, c *http.Client, path string) {
		if only != "" && !strings.Contains(name+" "+path, only) {
			return
		}
		r := hammer(t, c, e.base+path, clients, time.Duration(seconds)*time.Second)
		t.Logf("| %s | `%s` | %s | %s | %s |", name, path, perSecond(r.rate), ms(r.p50), ms(r.p99))
	}
	for _, p := range people {
		for _, path := range []string{"/my", "/my/claims", "/my/messages", "/my/messages?box=sent"} {
			measure(p.name, p.c, path)
		}
	}
	// Matti receives unemployment benefit: his payments and the status
	// report form of the payments issue.
	matti := benchClient(clients)
	if resp, _ := e.signIn(matti, "test-citizen", "demo-person-matti"); resp.Request.URL.Path != "/my" {
		t.Fatalf("demo sign-in ended at %s", resp.Request.URL)
	}
	for _, path := range []string{"/my/payments", "/my/payments/reports/demo-benefit-matti-unemployment"} {
		measure("demo citizen (Matti)", matti, path)
	}
	for _, path := range []string{"/staff/messages", "/staff/recovery"} {
		measure("staff (Anna, recovery)", staff, path)
	}
}

// benchClient is a browser for clients concurrent requests, keeping a
// connection alive for each.
func benchClient(clients int) *http.Client {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = clients
	return &http.Client{Jar: jar, Transport: tr}
}

// heavyClient signs in as the first synthetic customer, who has the most
// threads. The test provider offers only the demo people, so the session
// is started by the same store call the sign-in callback makes, and its
// cookie set in the client.
func heavyClient(t *testing.T, base, dbURL string, clients int) *http.Client {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	code, err := scale.Code(0)
	if err != nil {
		t.Fatal(err)
	}
	token := auth.RandomToken()
	sessions := auth.NewService(db, auth.Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour})
	_, err = sessions.SignIn(ctx, auth.Identity{Provider: "test-citizen", Kind: auth.Citizen, Subject: "scale-0", HETU: code.String()},
		auth.HashToken(token), "")
	if err != nil {
		t.Fatalf("session for the synthetic customer: %v", err)
	}
	c := benchClient(clients)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "etuus_session", Value: token, Path: "/"}})
	resp, err := c.Get(base + "/my/messages")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/my/messages" || !strings.Contains(string(b), "page=2") {
		t.Fatalf("the synthetic customer's inbox: %d at %s, no second page", resp.StatusCode, resp.Request.URL)
	}
	return c
}

type rate struct {
	rate     float64
	p50, p99 time.Duration
}

// hammer asks for u from clients goroutines for d and reports the rate and
// latencies of the answers.
func hammer(t *testing.T, c *http.Client, u string, clients int, d time.Duration) rate {
	t.Helper()
	var (
		mu   sync.Mutex
		all  []time.Duration
		fail error
		wg   sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) {
				t0 := time.Now()
				resp, err := c.Get(u)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && (resp.StatusCode != 200 || resp.Request.URL.String() != u) {
						err = fmt.Errorf("status %d at %s", resp.StatusCode, resp.Request.URL)
					}
				}
				if err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if fail != nil {
		t.Fatalf("%s: %v", u, fail)
	}
	took := time.Since(start)
	slices.Sort(all)
	if len(all) == 0 {
		t.Fatalf("%s: no answer in %s", u, d)
	}
	q := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return rate{rate: float64(len(all)) / took.Seconds(), p50: q(0.50), p99: q(0.99)}
}

// perSecond shows a rate with a decimal when it is small.
func perSecond(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// metricsBuckets reads from a /metrics answer how many requests of route
// the server answered within 1, 2.5, 5 and 10 ms, of how many.
func metricsBuckets(body, route string) string {
	var out []string
	var count string
	for line := range strings.Lines(body) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "} ")
		if !ok || !strings.Contains(name, `route="`+route+`"`) {
			continue
		}
		switch {
		case strings.HasPrefix(name, "etuus_http_request_duration_seconds_count"):
			count = value
		case strings.HasPrefix(name, "etuus_http_request_duration_seconds_bucket"):
			for _, le := range []string{"0.001", "0.0025", "0.005", "0.01"} {
				if strings.Contains(name, `le="`+le+`"`) {
					out = append(out, "≤ "+le+" s: "+value)
				}
			}
		}
	}
	return "n " + count + ", " + strings.Join(out, ", ")
}

// envInt reads a whole number from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// TestAuditUnderStaffLoad measures what the audit issue asks of a running
// `etuus serve` on a big database (ETUUS_BENCH_URL, started with
// --test-idp true --demo true): the latency of an audited write — a staff
// member opening a thread of the unit's queue, which marks it read and
// appends its audit entry in one transaction under the audit chain's lock —
// and of sending a message (a citizen's new thread, followed to its page),
// first alone and then while ETUUS_BENCH_STAFF (100) staff clients (on one
// session) each open the unit's queue once a second, each view's audit entry written by
// the group commit; and the time of a /metrics scrape (no cookie, as a
// scraper) once a second through the phases and 200 in a row after them.
// Each phase lasts ETUUS_BENCH_SECONDS (60); ETUUS_BENCH_ROUNDS (1) pairs
// of phases alternate, after an untimed warm-up under the staff load of
// ETUUS_BENCH_WARMUP seconds (10), reported apart. It also reports the
// server's own histogram of its /metrics answers. Timings never pass or
// fail it.
func TestAuditUnderStaffLoad(t *testing.T) {
	base := os.Getenv("ETUUS_BENCH_URL")
	if base == "" {
		t.Skip("set ETUUS_BENCH_URL to measure audited writes of a running server under staff load")
	}
	seconds, sessions := envInt("ETUUS_BENCH_SECONDS", 60), envInt("ETUUS_BENCH_STAFF", 100)
	e := &running{t: t, base: strings.TrimSuffix(base, "/")}
	opener := benchClient(1)
	if resp, _ := e.signIn(opener, "test-staff", "staff-anna"); resp.Request.URL.Path != "/staff" {
		t.Fatalf("staff sign-in ended at %s", resp.Request.URL)
	}
	sender := benchClient(1)
	if resp, _ := e.signIn(sender, "test-citizen", "demo-person-maija"); resp.Request.URL.Path != "/my" {
		t.Fatalf("citizen sign-in ended at %s", resp.Request.URL)
	}
	sendForm := func(title string) url.Values {
		return url.Values{"topic": {"recovery.payment_plan"}, "title": {title}, "body": {"A question."},
			"allow": {"yes"}, "channel": {"email"}, "email": {"maija.meikalainen@example.fi"}}
	}
	var threads []string
	for try := 0; len(threads) == 0 && try < 2; try++ {
		if try > 0 {
			// The demo's queue can be empty: a question gives it a thread.
			e.postMultipart(sender, "/my/messages", sendForm("Load 0"))
		}
		_, queue := e.get(opener, "/staff/messages")
		for _, m := range threadLink.FindAllStringSubmatch(queue, -1) {
			threads = append(threads, m[1])
		}
	}
	if len(threads) == 0 {
		t.Fatal("the unit's queue lists no thread to open")
	}
	// The staff clients share one session (sign-in is rate-limited per
	// address); each keeps a connection of its own.
	viewer := benchClient(1)
	if resp, _ := e.signIn(viewer, "test-staff", "staff-anna"); resp.Request.URL.Path != "/staff" {
		t.Fatalf("staff sign-in ended at %s", resp.Request.URL)
	}
	staff := make([]*http.Client, sessions)
	for i := range staff {
		staff[i] = benchClient(1)
		staff[i].Jar = viewer.Jar
	}
	timed := func(do func() (*http.Response, string), want string) time.Duration {
		t0 := time.Now()
		resp, body := do()
		took := time.Since(t0)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("%s answered %d", resp.Request.URL, resp.StatusCode)
		}
		return took
	}
	phase := func(load bool) (opens, sends []time.Duration, views int) {
		end := time.Now().Add(time.Duration(seconds) * time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		if load {
			for i, c := range staff {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Spread over the second, as people are.
					time.Sleep(time.Duration(i) * time.Second / time.Duration(len(staff)))
					for next := time.Now(); next.Before(end); next = next.Add(time.Second) {
						time.Sleep(time.Until(next))
						resp, err := c.Get(e.base + "/staff/messages")
						if err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							mu.Lock()
							views++
							mu.Unlock()
						}
					}
				}()
			}
		}
		// Five thread opens and one message a second.
		for i := 0; time.Now().Before(end); i++ {
			next := time.Now().Add(200 * time.Millisecond)
			id := threads[i%len(threads)]
			opens = append(opens, timed(func() (*http.Response, string) { return e.get(opener, "/staff/messages/"+id) }, id))
			if i%5 == 0 {
				form := sendForm("Load " + strconv.Itoa(i))
				at := time.Now()
				took := timed(func() (*http.Response, string) { return e.postMultipart(sender, "/my/messages", form) }, "Load "+strconv.Itoa(i))
				sends = append(sends, took)
				if took > 50*time.Millisecond {
					// Its time of day, to set beside the server's and the
					// database's logs (a connection opened, a slow statement).
					t.Logf("a send took %s, started %s", ms(took), at.UTC().Format("15:04:05.000"))
				}
			}
			time.Sleep(time.Until(next))
		}
		wg.Wait()
		return opens, sends, views
	}
	quantile := func(ds []time.Duration, p float64) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return ds[min(len(ds)-1, int(p*float64(len(ds))))]
	}
	// A scraper sends no cookie. Its first scrape of a process reads the
	// outbox backlog itself; the ones measured are what a scraper sees
	// after that: one a second through every phase, as Prometheus would
	// (at a 1 s interval), and then 200 one after another.
	scraper := benchClient(1)
	// scrape may run outside the test's goroutine: it reports a failure
	// with t.Errorf and returns false.
	scrape := func() (time.Duration, bool) {
		t0 := time.Now()
		resp, err := scraper.Get(e.base + "/metrics")
		if err != nil {
			t.Errorf("/metrics: %v", err)
			return 0, false
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "go_goroutines") {
			t.Errorf("/metrics answered %d, %v", resp.StatusCode, err)
			return 0, false
		}
		return took, true
	}
	if _, ok := scrape(); !ok {
		t.FailNow()
	}
	// A warm-up under the staff load, not counted, shown apart
	// (ETUUS_BENCH_WARMUP seconds, 10; 0: none): a server that has served
	// such a load keeps its database connections (the pool does not close
	// idle ones), and each connection's backend has loaded the catalog
	// and planned the statements it runs; a server's first burst after
	// start-up pays that once per connection.
	if warm := envInt("ETUUS_BENCH_WARMUP", 10); warm > 0 {
		timedSeconds := seconds
		seconds = warm
		opens, sends, views := phase(true)
		seconds = timedSeconds
		t.Logf("warm-up, not counted: %d s, %d staff queue views; thread opens n %d, p99 %s; sends n %d, p99 %s",
			warm, views, len(opens), ms(quantile(opens, 0.99)), len(sends), ms(quantile(sends, 0.99)))
	}
	var scrapes []time.Duration
	var scrapeMu sync.Mutex
	stopScraping := make(chan struct{})
	scraping := make(chan struct{})
	go func() {
		defer close(scraping)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopScraping:
				return
			case <-tick.C:
				d, ok := scrape()
				if !ok {
					return
				}
				scrapeMu.Lock()
				scrapes = append(scrapes, d)
				scrapeMu.Unlock()
			}
		}
	}()
	// Phases alternate, alone and under load, ETUUS_BENCH_ROUNDS times
	// (1): the machine's drift over minutes falls on both alike.
	rounds := envInt("ETUUS_BENCH_ROUNDS", 1)
	t.Logf("%d s a phase, %d rounds, %s", seconds, rounds, e.base)
	t.Log("| phase | staff queue views | thread opens (audited write) n, p50 / p99 | sends p50 / p99 |")
	t.Log("|---|---|---|---|")
	var opensBy, sendsBy [2][]time.Duration
	for range rounds {
		for i, load := range []bool{false, true} {
			opens, sends, views := phase(load)
			opensBy[i], sendsBy[i] = append(opensBy[i], opens...), append(sendsBy[i], sends...)
			name := "alone"
			if load {
				name = fmt.Sprintf("%d staff clients, a queue view each a second", sessions)
			}
			t.Logf("| %s | %d | %d, %s / %s | %s / %s |", name, views, len(opens), ms(quantile(opens, 0.5)), ms(quantile(opens, 0.99)),
				ms(quantile(sends, 0.5)), ms(quantile(sends, 0.99)))
		}
	}
	close(stopScraping)
	<-scraping
	if rounds > 1 {
		for i, name := range []string{"alone", "under load"} {
			t.Logf("all rounds %s: thread opens n %d, p50 %s, p99 %s; sends p99 %s", name, len(opensBy[i]),
				ms(quantile(opensBy[i], 0.5)), ms(quantile(opensBy[i], 0.99)), ms(quantile(sendsBy[i], 0.99)))
		}
	}
	t.Logf("/metrics during the phases: %d scrapes (one a second), p50 %s, p99 %s, slowest %s", len(scrapes),
		ms(quantile(scrapes, 0.5)), ms(quantile(scrapes, 0.99)), ms(quantile(scrapes, 1)))
	// The server's own histogram of its /metrics answers (the handler's
	// time, without the network and the client's waiting for a core):
	// read after a pause, as the answer is up to a second old.
	time.Sleep(1100 * time.Millisecond)
	_, body := e.get(scraper, "/metrics")
	t.Logf("/metrics as the server timed them (all so far): %s", metricsBuckets(body, "GET /metrics"))
	scrapes = scrapes[:0]
	for range 200 {
		d, ok := scrape()
		if !ok {
			t.FailNow()
		}
		scrapes = append(scrapes, d)
	}
	t.Logf("/metrics after: 200 scrapes one after another, p50 %s, p99 %s, slowest %s", ms(quantile(scrapes, 0.5)),
		ms(quantile(scrapes, 0.99)), ms(quantile(scrapes, 1)))
}
