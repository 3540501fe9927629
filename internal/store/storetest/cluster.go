package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Cluster is a PostgreSQL cluster of the test's own, which the test may
// stop and start again to see how the service behaves in an outage.
type Cluster struct {
	URL  string // the postgres database of the cluster
	data string
}

// NewCluster starts a throwaway cluster, stopped and removed after the
// test. Without PostgreSQL the test is skipped, except under CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	data, url, err := initCluster()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("skipping: no PostgreSQL cluster of our own: %v", err)
	}
	c := &Cluster{URL: url, data: data}
	t.Cleanup(func() {
		c.stop()
		os.RemoveAll(filepath.Dir(data))
	})
	return c
}

// Stop stops the cluster at once, as a crash would (pg_ctl -m immediate).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.stop(); err != nil {
		t.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

func (c *Cluster) stop() ([]byte, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	return asPostgres(filepath.Join(bin, "pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop").CombinedOutput()
}

// Start starts the stopped cluster again.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := pgStart(c.data); err != nil {
		t.Fatal(err)
	}
}
