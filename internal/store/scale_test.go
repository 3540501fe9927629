package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// scaleDB is a database with the reference and demo data and n synthetic
// customers beside them, as of a fixed day.
func scaleDB(t testing.TB, db *store.DB, n int) store.ScaleReport {
	t.Helper()
	ctx := context.Background()
	units, contacts, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	d, err := demo.SetOn(civil.Of(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	rep, err := db.LoadScale(ctx, scaleOptions(t, n))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func scaleOptions(t testing.TB, n int) store.ScaleOptions {
	units, _, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := message.DefaultCatalogue(message.KnownUnits(units))
	if err != nil {
		t.Fatal(err)
	}
	// Small transactions, so that the chain and the claim numbers are
	// carried from one to the next.
	return store.ScaleOptions{N: n, Seed: 42, Catalogue: cat, Rules: recovery.DefaultRules(), Chunk: 70}
}

func TestLoadScale(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := scaleDB(t, db, 200)
		if rep.Batch != 1 || rep.First != 0 || rep.Rows["persons"] != 200 {
			t.Fatalf("report %+v", rep)
		}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT count(*) FROM persons WHERE NOT demo`); n != 200 {
			t.Errorf("%d synthetic persons", n)
		}
		d, _ := demo.Set()
		if n := count(`SELECT count(*) FROM persons WHERE demo`); n != len(d.Persons) {
			t.Errorf("%d demo persons beside them, want %d", n, len(d.Persons))
		}
		if n := count(`SELECT count(DISTINCT person_id) FROM claims c JOIN persons p ON p.id = c.person_id WHERE NOT p.demo`); n < 70 || n > 130 {
			t.Errorf("%d of 200 people have claims; want about half", n)
		}
		// Threads: the heavy person's and about one for everyone else.
		if n := count(`SELECT count(*) FROM threads`); n < scale.HeavyThreads+120 || n > scale.HeavyThreads+300 {
			t.Errorf("%d threads", n)
		}
		if n, m := count(`SELECT count(*) FROM thread_messages`), count(`SELECT count(*) FROM threads`); n != 3*m {
			t.Errorf("%d messages in %d threads", n, m)
		}
		if n := count(`SELECT count(*) FROM threads WHERE unread_staff > 0`); n == 0 {
			t.Error("no thread unread by staff")
		}
		if n := count(`SELECT count(DISTINCT unit_id) FROM threads`); n < 4 {
			t.Errorf("threads reach %d units", n)
		}
		if n := count(`SELECT count(*) FROM notification_consents`); n < 90 {
			t.Errorf("%d notification choices", n)
		}
		if sent, all := count(`SELECT count(*) FROM outbox WHERE status = 'sent'`), count(`SELECT count(*) FROM outbox`); sent < all*9/10 || all < 100 {
			t.Errorf("%d of %d notices sent", sent, all)
		}
		// The synthetic overpayments name the period they concern, read
		// back as written (by COPY on PostgreSQL); the other debts none.
		if n := count(`SELECT count(*) FROM claims c JOIN persons p ON p.id = c.person_id WHERE NOT p.demo AND c.kind = 'overpayment'
			AND c.period_from <= c.period_to AND c.period_to < c.due_date`); n == 0 || n != count(`SELECT count(*) FROM claims c JOIN persons p ON p.id = c.person_id WHERE NOT p.demo AND c.kind = 'overpayment'`) {
			t.Errorf("%d synthetic overpayments with their period", n)
		}
		if n := count(`SELECT count(*) FROM claims WHERE kind <> 'overpayment' AND kind <> 'child_support' AND period_from IS NOT NULL`); n != 0 {
			t.Errorf("%d loans or fees with a period", n)
		}
		if n := count(`SELECT count(*) FROM claim_events`); n < count(`SELECT count(*) FROM claims`) {
			t.Errorf("%d history rows", n)
		}
		for table, n := range rep.Rows {
			if got := count(`SELECT count(*) FROM ` + table); int64(got) < n {
				t.Errorf("%s: %d rows, report says %d written", table, got, n)
			}
		}
		entries, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if entries < 1500 {
			t.Errorf("%d audit entries for 200 people", entries)
		}
		checkCodes(t, db, 200)

		// The heavy person's inbox, as the page counts it.
		stamp, err := db.Messages().PartyStamp(ctx, message.Party{Kind: message.PartyCustomer, ID: rep.Heavy.ID})
		if err != nil || stamp.Threads != scale.HeavyThreads {
			t.Errorf("heavy person: %d threads, %v", stamp.Threads, err)
		}
		if _, err := db.PersonByHETU(ctx, rep.Heavy.HETU); err != nil {
			t.Errorf("heavy person by identity code: %v", err)
		}

		// The application carries on after the load: the next claim takes
		// the next number, the next audit entry the next link.
		c := recovery.Claim{PersonID: rep.Heavy.ID, Kind: recovery.Overpayment, Principal: 100, DueDate: civil.New(2026, 12, 30)}
		if err := db.CreateClaim(ctx, &c); err != nil {
			t.Fatalf("a claim after the load: %v", err)
		}
		if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "test", Action: "test"}); err != nil {
			t.Fatal(err)
		}

		// A second load is a second batch, with codes of its own.
		rep2, err := db.LoadScale(ctx, scaleOptions(t, 50))
		if err != nil {
			t.Fatal(err)
		}
		if rep2.Batch != 2 || rep2.First != 200 || rep2.Heavy.HETU == rep.Heavy.HETU {
			t.Errorf("second batch %+v", rep2)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("after the second batch: %v", err)
		}
		checkCodes(t, db, 250)
	})
}

// checkCodes checks that the synthetic people's identity codes are valid,
// artificial and all different.
func checkCodes(t *testing.T, db *store.DB, want int) {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT hetu, birth_date FROM persons WHERE NOT demo`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var code string
		var born civil.Date
		if err := rows.Scan(&code, &born); err != nil {
			t.Fatal(err)
		}
		c, err := hetu.Parse(code)
		if err != nil || !c.Temporary() || c.BirthDate() != born {
			t.Errorf("identity code %s: %v, temporary %v, born %v", c.Masked(), err, c.Temporary(), born)
		}
		if seen[code] {
			t.Errorf("identity code %s twice", c.Masked())
		}
		seen[code] = true
	}
	if len(seen) != want {
		t.Errorf("%d identity codes, want %d", len(seen), want)
	}
}
