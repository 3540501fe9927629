package store_test

import (
	"context"
	"testing"

	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// OpenPool opens the whole PostgreSQL pool ahead of need, and the pool
// keeps the connections after they are returned; SQLite opens none ahead.
func TestOpenPool(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		before := db.SQL().Stats().OpenConnections
		n, err := db.OpenPool(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st := db.SQL().Stats()
		if db.Dialect() == "sqlite" {
			if n != before {
				t.Errorf("SQLite: %d connections open after OpenPool, %d before", n, before)
			}
			return
		}
		if n != 20 || st.OpenConnections != 20 || st.Idle != 20 {
			t.Errorf("PostgreSQL: OpenPool = %d; pool %d open, %d idle; want 20 and 20", n, st.OpenConnections, st.Idle)
		}
		if st.MaxIdleTimeClosed != 0 || st.MaxIdleClosed != 0 {
			t.Errorf("connections closed: %+v", st)
		}
	})
}
