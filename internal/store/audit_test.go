package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestAuditChain(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s1", Action: "staff.view_customer", SubjectID: "p1", Object: "person:p1"})
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(ctx, db)
		if err != nil || n != 5 {
			t.Fatalf("Verify = %d, %v; want 5, nil", n, err)
		}
		got, err := db.AuditForSubject(ctx, "p1", 10)
		if err != nil || len(got) != 5 || got[0].Seq != 5 {
			t.Fatalf("AuditForSubject = %d entries (first %+v), %v", len(got), got, err)
		}

		// The log refuses changes through SQL, so a tamperer must first
		// remove the guard; Verify must still notice.
		if _, err := db.SQL().Exec(`UPDATE audit_log SET detail = 'x' WHERE seq = 3`); err == nil {
			t.Fatal("UPDATE on audit_log succeeded; want append-only refusal")
		}
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq = 3`); err == nil {
			t.Fatal("DELETE on audit_log succeeded; want append-only refusal")
		}
		dropGuards(t, db)
		if _, err := db.SQL().Exec(`UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, err = audit.Verify(ctx, db)
		var broken *audit.BrokenError
		if !errors.As(err, &broken) || broken.Seq != 3 {
			t.Fatalf("Verify after tampering = %v; want broken at 3", err)
		}
	})
}

func TestAuditDetectsMissingEntry(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "x", Action: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		dropGuards(t, db)
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := audit.Verify(ctx, db)
		var broken *audit.BrokenError
		if !errors.As(err, &broken) || broken.Seq != 2 {
			t.Fatalf("Verify after deletion = %v; want broken at 2", err)
		}
	})
}

func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Dialect() == "postgres" {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditViews: a view of many customers is one link of the chain; each
// customer finds it in their own log; removing, adding or swapping a listed
// customer breaks verification at the view's entry.
func TestAuditViews(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := make([]string, 450)
		for i := range ids {
			ids[i] = fmt.Sprintf("p%03d", i)
		}
		ids = append(ids, "p001", "") // repeats and blanks are dropped
		if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "x", Action: "before"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Append(ctx, audit.View(audit.ActorStaff, "s1", "staff.view_queue", ids)); err != nil {
			t.Fatal(err)
		}
		if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s2", Action: "staff.view_customer", SubjectID: "p007"}); err != nil {
			t.Fatal(err)
		}
		var rows int
		db.SQL().QueryRow(`SELECT count(*) FROM audit_log`).Scan(&rows)
		if n, err := audit.Verify(ctx, db); err != nil || n != 3 || rows != 3 {
			t.Fatalf("Verify = %d, %v with %d rows; want 3 entries", n, err, rows)
		}
		got, err := db.AuditForSubject(ctx, "p007", 10)
		if err != nil || len(got) != 2 || got[0].Action != "staff.view_customer" || got[1].Action != "staff.view_queue" ||
			got[1].ActorID != "s1" || !strings.HasPrefix(got[1].Object, audit.ViewPrefix) || got[1].At.IsZero() {
			t.Fatalf("AuditForSubject(p007) = %+v, %v", got, err)
		}
		if got, _ := db.AuditForSubject(ctx, "p999", 10); len(got) != 0 {
			t.Errorf("a customer not shown has %d entries", len(got))
		}
		for _, q := range []string{`DELETE FROM audit_subject_sets WHERE subject_id = 'p007'`, `DELETE FROM audit_views`,
			`UPDATE audit_views SET actor_id = 'x'`, `UPDATE audit_subject_sets SET subject_id = 'x'`} {
			if _, err := db.SQL().Exec(q); err == nil {
				t.Fatalf("%s succeeded; want append-only refusal", q)
			}
		}
		stmts := []string{`DROP TRIGGER audit_subject_sets_no_update`, `DROP TRIGGER audit_subject_sets_no_delete`,
			`DROP TRIGGER audit_views_no_update`, `DROP TRIGGER audit_views_no_delete`}
		if db.Dialect() == "postgres" {
			stmts = []string{`DROP TRIGGER audit_subject_sets_no_change ON audit_subject_sets`, `DROP TRIGGER audit_views_no_change ON audit_views`}
		}
		for _, s := range stmts {
			if _, err := db.SQL().Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		// A second list, of another view, to point the first view at.
		if err := db.Append(ctx, audit.View(audit.ActorStaff, "s1", "staff.view_queue", []string{"p001", "p002"})); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			tamper, undo string
			seq          int64
		}{
			{`UPDATE audit_subject_sets SET subject_id = 'p999' WHERE subject_id = 'p008'`,
				`UPDATE audit_subject_sets SET subject_id = 'p008' WHERE subject_id = 'p999'`, 2},
			{`UPDATE audit_views SET actor_id = 's9' WHERE set_key IN (SELECT set_key FROM audit_subject_sets GROUP BY set_key HAVING count(*) = 450)`,
				`UPDATE audit_views SET actor_id = 's1' WHERE actor_id = 's9'`, 2},
			{`UPDATE audit_views SET action = 'staff.other' WHERE set_key IN (SELECT set_key FROM audit_subject_sets GROUP BY set_key HAVING count(*) = 450)`,
				`UPDATE audit_views SET action = 'staff.view_queue' WHERE action = 'staff.other'`, 2},
			// A view no entry names, added beside the chain (4 entries).
			{`INSERT INTO audit_views (view_id, set_key, at, actor_kind, actor_id, action)
				SELECT 'forged', set_key, at, actor_kind, 's666', action FROM audit_views WHERE actor_id = 's1' ORDER BY at LIMIT 1`,
				`DELETE FROM audit_views WHERE view_id = 'forged'`, 5},
			{`UPDATE audit_views SET set_key = (SELECT min(set_key) FROM audit_subject_sets GROUP BY set_key HAVING count(*) = 2)
				WHERE action = 'staff.view_queue' AND set_key <> (SELECT min(set_key) FROM audit_subject_sets GROUP BY set_key HAVING count(*) = 2)`,
				"", 2},
			{`DELETE FROM audit_subject_sets WHERE subject_id = 'p007'`, "", 2},
		} {
			if _, err := db.SQL().Exec(c.tamper); err != nil {
				t.Fatal(err)
			}
			_, err := audit.Verify(ctx, db)
			var broken *audit.BrokenError
			if !errors.As(err, &broken) || broken.Seq != c.seq {
				t.Errorf("after %s: Verify = %v; want broken at %d", c.tamper, err, c.seq)
			}
			if c.undo != "" {
				if _, err := db.SQL().Exec(c.undo); err != nil {
					t.Fatal(err)
				}
				if _, err := audit.Verify(ctx, db); err != nil {
					t.Fatalf("after undoing: %v", err)
				}
			}
		}
	})
}

// Staff reads' entries written by the group commit (on PostgreSQL two
// pipelined round trips) list their customers beside the chain as Append
// does: eight reads at once, each of 250 customers, leave a chain that
// verifies, with each view's customers listed.
func TestRecordViewsListCustomers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids := make([]string, 250)
				for i := range ids {
					ids[i] = fmt.Sprintf("p%03d", i+g*100)
				}
				errs <- db.RecordViews(ctx, audit.View(audit.ActorStaff, fmt.Sprint("s", g), "staff.view_queue", ids),
					audit.Entry{ActorKind: audit.ActorStaff, ActorID: fmt.Sprint("s", g), Action: "staff.view_customer", SubjectID: "p007"})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var subjects int
		db.SQL().QueryRow(`SELECT count(*) FROM audit_views v JOIN audit_subject_sets s ON s.set_key = v.set_key`).Scan(&subjects)
		if n, err := audit.Verify(ctx, db); err != nil || n != 16 || subjects != 8*250 {
			t.Fatalf("Verify = %d, %v with %d customers listed; want 16 entries, 2,000 customers", n, err, subjects)
		}
		// p007 is in the first view only (p000–p249), and in every read of one customer.
		if got, err := db.AuditForSubject(ctx, "p007", 20); err != nil || len(got) != 9 {
			t.Fatalf("AuditForSubject(p007) = %d entries, %v; want 9", len(got), err)
		}
		if got, err := db.AuditForSubject(ctx, "p949", 20); err != nil || len(got) != 1 || got[0].ActorID != "s7" {
			t.Fatalf("AuditForSubject(p949) = %+v, %v; want the view of s7", got, err)
		}
	})
}

// Views of the same customers share one stored list (migration 00042): the
// same queue page opened by eight staff at once, and again by one of them,
// lists its 50 customers once, beside nine view rows; each view stays its
// own link of the chain, verifies, and is in each customer's log. A view
// of another list adds that list.
func TestViewsShareTheirList(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := make([]string, 50)
		for i := range ids {
			ids[i] = fmt.Sprintf("p%03d", 49-i) // not sorted: the list is
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				errs <- db.RecordViews(ctx, audit.View(audit.ActorStaff, fmt.Sprint("s", g), "staff.view_queue", ids))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Append(ctx, audit.View(audit.ActorStaff, "s1", "staff.view_queue", ids)); err != nil {
			t.Fatal(err)
		}
		count := func(q string) (n int) {
			t.Helper()
			if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if lists, views := count(`SELECT count(*) FROM audit_subject_sets`), count(`SELECT count(*) FROM audit_views`); lists != 50 || views != 9 {
			t.Fatalf("%d customers listed for %d views; want 50 for 9", lists, views)
		}
		if err := db.Append(ctx, audit.View(audit.ActorStaff, "s1", "staff.view_queue", append(ids, "p050"))); err != nil {
			t.Fatal(err)
		}
		if lists := count(`SELECT count(*) FROM audit_subject_sets`); lists != 50+51 {
			t.Fatalf("%d customers listed; want 101 (a second list)", lists)
		}
		if n, err := audit.Verify(ctx, db); err != nil || n != 10 {
			t.Fatalf("Verify = %d, %v; want 10 entries", n, err)
		}
		if got, err := db.AuditForSubject(ctx, "p049", 20); err != nil || len(got) != 10 {
			t.Fatalf("AuditForSubject(p049) = %d entries, %v; want 10 views", len(got), err)
		}
		if got, err := db.AuditForSubject(ctx, "p050", 20); err != nil || len(got) != 1 {
			t.Fatalf("AuditForSubject(p050) = %d entries, %v; want the one view", len(got), err)
		}
		// A page of three: the newest three views, newest first.
		all, _ := db.AuditForSubject(ctx, "p049", 20)
		if got, err := db.AuditForSubject(ctx, "p049", 3); err != nil || len(got) != 3 || got[0].Object != all[0].Object ||
			got[2].Object != all[2].Object || got[0].At.Before(got[2].At) {
			t.Fatalf("AuditForSubject(p049, 3) = %+v, %v; want the newest three of %+v", got, err, all)
		}
	})
}

// A transaction's first audit entry on SQLite never needs a second pool
// connection (to prepare the chain's statements for the database) while
// it holds the write lock: with one connection in the pool it would wait
// for itself. The deadline only ends the test if that happens.
func TestAuditInTxNeedsNoOtherConnection(t *testing.T) {
	db := storetest.SQLite(t)
	db.SQL().SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 2 { // the database's statements are prepared after the first
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s1", Action: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s1", Action: "y"}); err != nil {
		t.Fatal(err)
	}
	if n, err := audit.Verify(ctx, db); err != nil || n != 3 {
		t.Fatalf("Verify = %d, %v", n, err)
	}
}
