package storetest

import (
	"os"
	"path/filepath"
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
