package storetest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Cluster is a PostgreSQL cluster of one test's own, which the test may
// stop and start again: the outage tests cut the database under a running
// server. It listens on a Unix socket in its temp folder.
type Cluster struct {
	bin, dir, data string
	// durable commits survive the cluster's crash (Stop): the shared
	// cluster commits without waiting for its log.
	durable bool
	// URL is the postgres database's address on the cluster.
	URL string
}

// NewCluster initialises and starts a cluster for the test, stopped and
// removed afterwards. Without PostgreSQL it skips, or fails under CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := initCluster()
	if err == nil {
		c.durable = true
		err = c.start()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("skipping: no PostgreSQL cluster of the test's own: %v", err)
	}
	t.Cleanup(func() {
		c.stop()
		os.RemoveAll(c.dir)
	})
	return c
}

// Stop stops the cluster at once, as a crash would (-m immediate).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.stop(); err != nil {
		t.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

func (c *Cluster) stop() ([]byte, error) {
	return asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop").CombinedOutput()
}

// Start starts the stopped cluster again.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
}

// Freeze stops every process of the cluster with SIGSTOP, so that the
// database hangs instead of refusing: connections stay open and nothing
// answers. Thaw lets them run again (also at the test's end).
func (c *Cluster) Freeze(t testing.TB) {
	t.Helper()
	c.signal(t, syscall.SIGSTOP)
	t.Cleanup(func() { c.signal(t, syscall.SIGCONT) })
}

// Thaw continues a frozen cluster.
func (c *Cluster) Thaw(t testing.TB) { t.Helper(); c.signal(t, syscall.SIGCONT) }

// signal sends sig to the cluster's postmaster (from postmaster.pid) and
// then to its children.
func (c *Cluster) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		t.Fatalf("cluster not running: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	// The postmaster first, and its children listed after: a connection
	// opened while the list was read would otherwise fork a backend the
	// signal never reaches (a frozen cluster that still answered on it).
	syscall.Kill(pid, sig)
	var pids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		st, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so read after ')'.
		rest := string(st[strings.LastIndexByte(string(st), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			pids = append(pids, child)
		}
	}
	for _, p := range pids {
		syscall.Kill(p, sig)
	}
}
