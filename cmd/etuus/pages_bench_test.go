package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/message"
)

// BenchmarkStaffQueuePage is a recovery clerk's message queue holding 60
// customers' threads (the first page shown, each view audited) over
// loopback from 8 parallel keep-alive clients. With ETUUS_E2E_POSTGRES=1 it
// runs on PostgreSQL and also reports the statements a request sends.
func BenchmarkStaffQueuePage(b *testing.B) {
	e := startApp(b)
	ctx := context.Background()
	for i := range 60 {
		_, _, err := e.app.messages.Send(ctx, access.AsCustomer("demo-person-maija"), message.Draft{Lang: "fi",
			Subject: "recovery", Specification: "payment_plan", Title: fmt.Sprintf("Message %d", i), Body: "Text"})
		if err != nil {
			b.Fatal(err)
		}
	}
	c := browser()
	e.signIn(c, "test-staff", "staff-anna")
	if _, body := e.get(c, "/staff/messages"); !strings.Contains(body, "Message 59") {
		b.Fatalf("the queue does not show the threads:\n%s", body)
	}
	stmts := statementsPerRequest(b, e, c, "/staff/messages")
	pageRate(b, e, c, e.base+"/staff/messages", stmts)
}

// BenchmarkMyPaymentsPage is Matti's payments page (his benefit's
// payments, what is coming and his recovery) over loopback from 8
// parallel keep-alive clients; on PostgreSQL it also reports statements
// per request.
func BenchmarkMyPaymentsPage(b *testing.B) {
	e := startApp(b)
	c := browser()
	e.signIn(c, "test-citizen", "demo-person-matti")
	if resp, _ := e.get(c, "/my/payments"); resp.StatusCode != 200 {
		b.Fatalf("/my/payments: %d", resp.StatusCode)
	}
	stmts := statementsPerRequest(b, e, c, "/my/payments")
	pageRate(b, e, c, e.base+"/my/payments", stmts)
}

// statementsPerRequest counts, on PostgreSQL, the statements the server
// logs (log_statement=all, turned on for the count) while one client asks
// for path 100 times in a row, and reports them per request. Background
// work of the app (the outbox worker's polls) is counted too, so the
// figure is an upper bound. On SQLite it does nothing.
func statementsPerRequest(b *testing.B, e *running, c *http.Client, path string) float64 {
	b.Helper()
	if !strings.HasPrefix(e.dbURL(), "postgres") {
		return -1
	}
	db, err := sql.Open("pgx", e.dbURL())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var data string
	if err := db.QueryRow(`SHOW data_directory`).Scan(&data); err != nil {
		b.Fatal(err)
	}
	logPath := filepath.Join(filepath.Dir(data), "log")
	set := func(v string) {
		if _, err := db.Exec(`ALTER SYSTEM SET log_statement = '` + v + `'`); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`SELECT pg_reload_conf()`); err != nil {
			b.Fatal(err)
		}
	}
	set("all")
	defer set("none")
	// The reload reaches every backend at its next command: one request
	// first, then the count.
	e.get(c, path)
	st, err := os.Stat(logPath)
	if err != nil {
		b.Fatal(err)
	}
	const n = 100
	for range n {
		resp, err := c.Get(e.base + path)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	f, err := os.Open(logPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	f.Seek(st.Size(), io.SeekStart)
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, "LOG:  statement: ") || strings.Contains(l, "LOG:  execute ") {
			lines = append(lines, l)
		}
	}
	if os.Getenv("ETUUS_BENCH_SHOW_SQL") != "" {
		// The last request's statements, to see what they are.
		b.Log(strings.Join(lines[len(lines)-len(lines)/n:], "\n"))
	}
	return float64(len(lines)) / n
}

// pageRate is loopbackRate that also reports the CPU time of this process
// (server and clients together) per request, on PostgreSQL the CPU time of
// the test's own cluster per request (its postmaster and every process
// under it: the backends serving the requests, and its background
// processes), and the statements per request when counted (stmts >= 0).
func pageRate(b *testing.B, e *running, c *http.Client, url string, stmts float64) {
	pg := clusterCPU(b, e)
	before, pgBefore := processCPU(), pg()
	loopbackRate(b, c, url)
	b.ReportMetric(float64((processCPU()-before).Microseconds())/float64(b.N), "cpu-µs/req")
	if stmts >= 0 {
		b.ReportMetric(float64((pg()-pgBefore).Microseconds())/float64(b.N), "pg-cpu-µs/req")
		b.ReportMetric(stmts, "stmts/req")
	}
}

// clusterCPU returns a reader of the CPU time of the PostgreSQL cluster
// the app runs on (the postmaster of its data directory, its children
// alive and those it has reaped), or of nothing on SQLite. The cluster is
// the test process's own (storetest), so nothing else runs on it.
func clusterCPU(b *testing.B, e *running) func() time.Duration {
	b.Helper()
	if !strings.HasPrefix(e.dbURL(), "postgres") {
		return func() time.Duration { return 0 }
	}
	db, err := sql.Open("pgx", e.dbURL())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var data string
	if err := db.QueryRow(`SHOW data_directory`).Scan(&data); err != nil {
		b.Fatal(err)
	}
	pidFile, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	postmaster := strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0])
	// stat is /proc/<pid>/stat's fields after the command: state, ppid,
	// …; utime, stime, cutime, cstime are fields 14-17 (indexes 11-14),
	// in clock ticks of 10 ms.
	stat := func(pid string) []string {
		raw, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return nil
		}
		s := string(raw)
		return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	}
	ticks := func(f []string, from, to int) time.Duration {
		var n int64
		for i := from; i <= to; i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			n += v
		}
		return time.Duration(n) * 10 * time.Millisecond
	}
	return func() time.Duration {
		f := stat(postmaster)
		if f == nil {
			b.Fatalf("no postmaster %s", postmaster)
		}
		total := ticks(f, 11, 14)
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			if p.Name()[0] < '0' || p.Name()[0] > '9' {
				continue
			}
			if f := stat(p.Name()); len(f) > 12 && f[1] == postmaster {
				total += ticks(f, 11, 12)
			}
		}
		return total
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
