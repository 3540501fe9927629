package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestCollect(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }
		p := customer.Person{HETU: "091099-998L", GivenName: "Sanna", FamilyName: "L"}
		db.CreatePerson(ctx, &p)
		fee := recovery.Claim{PersonID: p.ID, Kind: recovery.HealthcareFee, Principal: 3535, DueDate: civil.New(2026, 1, 15), Term: recovery.Term{Year: 2026}}
		over := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 1, 15)}
		loan := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 15)}
		for _, c := range []*recovery.Claim{&fee, &over, &loan} {
			if err := db.CreateClaim(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		svc := recoveryOn(db)
		run := func(day civil.Date) recovery.CollectReport {
			t.Helper()
			rep, err := svc.Collect(ctx, collector, day)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		// Before the due date nothing happens.
		if rep := run(civil.New(2026, 1, 15)); rep.Reminders != 0 || rep.Interest != 0 {
			t.Errorf("on the due date: %+v", rep)
		}
		// The staff queue shows what the run is about to do.
		dueOn := func(day civil.Date) ([]recovery.DueClaim, error) {
			t.Helper()
			was := db.Now
			defer func() { db.Now = was }()
			db.Now = func() time.Time { return time.Date(day.Year, day.Month, day.Day, 9, 0, 0, 0, time.UTC) }
			return svc.CollectionPreview(ctx, specialist, 40)
		}
		due, err := dueOn(civil.New(2026, 1, 29))
		if err != nil || len(due) != 3 || due[0].PersonName != "Sanna L" || due[0].Action.Kind != recovery.ActReminder {
			t.Fatalf("due = %+v, %v", due, err)
		}
		// 14 days after: the first reminders; the fee carries 5 €.
		rep := run(civil.New(2026, 1, 29))
		if rep.Reminders != 3 || rep.Fees != 500 || rep.Interest == 0 {
			t.Errorf("14 days after: %+v", rep)
		}
		if due, _ := dueOn(civil.New(2026, 1, 29)); len(due) != 0 {
			t.Errorf("after the run, still due: %+v", due)
		}
		// Again on the same day: nothing more.
		if rep := run(civil.New(2026, 1, 29)); rep.Reminders != 0 || rep.Interest != 0 {
			t.Errorf("the same day again: %+v", rep)
		}
		got, evs, _ := db.Recovery().ClaimOf(ctx, p.ID, fee.ID)
		if got.Status != recovery.Reminded || got.Fees != 500 || got.Balance() != 4035 || evs[len(evs)-1].Kind != recovery.EventReminder {
			t.Errorf("healthcare fee after the reminder: %+v", got)
		}
		// Two weeks on: the fee's one reminder is used, so enforcement; the
		// overpayment and the student loan get their second reminders.
		rep = run(civil.New(2026, 2, 12))
		if rep.Enforcement != 1 || rep.Reminders != 2 {
			t.Errorf("28 days after: %+v", rep)
		}
		got, _, _ = db.Recovery().ClaimOf(ctx, p.ID, fee.ID)
		if got.Status != recovery.Enforcement {
			t.Errorf("fee status %s; want enforcement", got.Status)
		}
		got, _, _ = db.Recovery().ClaimOf(ctx, p.ID, loan.ID)
		// 4 % on 1 000 € for 14 days is 1.53 € (1.534, rounded half up per
		// accrual); two runs 14 days apart charge 3.06 €.
		if got.Interest != 306 {
			t.Errorf("student loan interest = %d; want 306", got.Interest)
		}
		got, _, _ = db.Recovery().ClaimOf(ctx, p.ID, over.ID)
		if got.Status != recovery.Reminded {
			t.Errorf("overpayment status %s", got.Status)
		}
		// Enforcement claims are no longer collected here.
		if rep := run(civil.New(2026, 3, 30)); rep.Claims != 2 {
			t.Errorf("claims still collected = %d; want 2 (the overpayment and the student loan)", rep.Claims)
		}
	})
}

// A claim whose holder waits for a decision on a plan proposal or an
// exemption application gets no reminder or enforcement meanwhile, for at
// most the rule's pause (60 days in the built-in table); interest still runs.
func TestCollectWaitsForPendingApplications(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC) }
		svc := recoveryOn(db)
		p := customer.Person{HETU: "241198-998U", GivenName: "Johan", FamilyName: "K"}
		db.CreatePerson(ctx, &p)
		over := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 1, 12)}
		loan := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 12)}
		for _, c := range []*recovery.Claim{&over, &loan} {
			if err := db.CreateClaim(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.ProposePlan(ctx, access.AsCustomer(p.ID), over.ID, recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 2, 20)}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), loan.ID, recovery.ExemptionRequest{Kind: recovery.ExemptInterest,
			MonthlyIncomeCents: 90000, Children: 0, From: civil.New(2026, 1, 1), Reason: "Low income."}); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Collect(ctx, collector, civil.New(2026, 2, 20))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Reminders != 0 || rep.Enforcement != 0 || rep.Paused != 2 || rep.Interest == 0 {
			t.Errorf("while waiting: %+v; want no reminders, two paused, interest charged", rep)
		}
		// 60 days after the application the pause is over.
		rep, err = svc.Collect(ctx, collector, civil.New(2026, 3, 12))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Reminders != 2 || rep.Paused != 0 {
			t.Errorf("after the pause: %+v; want two reminders", rep)
		}
	})
}

// The collection looks at the claims that are due only (claims.collect_on):
// the first run looks at every claim (none has a day yet), a second run on
// the same day at none, the next days only at the claims whose step or
// interest day has come; a payment booked between runs makes its claim
// looked at on the next one.
func TestCollectLooksAtDueClaimsOnly(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newBankFixture(t, db, 0)
		// Student loans earn interest; reminders go 14 days after the due
		// date, the next 14 days after the first.
		for _, due := range []civil.Date{civil.New(2026, 1, 15), civil.New(2026, 2, 20), civil.New(2026, 3, 1)} {
			c := recovery.Claim{PersonID: f.person.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: due}
			if err := db.CreateClaim(ctx, &c); err != nil {
				t.Fatal(err)
			}
			f.claims = append(f.claims, c)
		}
		events := func() int {
			return count(t, db, `SELECT count(*) FROM claim_events WHERE kind <> 'created'`)
		}
		collectOn := func(i int) civil.Date {
			t.Helper()
			var d civil.Date
			if err := db.SQL().QueryRow(`SELECT collect_on FROM claims WHERE id = $1`, f.claims[i].ID).Scan(&d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		run := func(day civil.Date) recovery.CollectReport {
			t.Helper()
			at(db, day)
			rep, err := f.svc.Collect(ctx, collector, day)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		// 4.3.: every claim is looked at; the first, 7 weeks late, is
		// reminded and charged; the others have nothing due.
		if rep := run(civil.New(2026, 3, 4)); rep.Claims != 3 || rep.Acted != 1 || rep.Reminders != 1 || rep.Interest != loanInterest(100000, 48) {
			t.Errorf("first run: %+v", rep)
		}
		// The next days: the first claim's interest day (15.3.) and second
		// reminder (18.3.), the second claim's first reminder (6.3.), the
		// third's (15.3.).
		for i, want := range []civil.Date{civil.New(2026, 3, 15), civil.New(2026, 3, 6), civil.New(2026, 3, 15)} {
			if got := collectOn(i); got != want {
				t.Errorf("claim %d: collect_on %s, want %s", i, got, want)
			}
		}
		n := events()
		if rep := run(civil.New(2026, 3, 4)); rep.Claims != 0 || events() != n {
			t.Errorf("second run on the same day: %+v, %d events (was %d)", rep, events(), n)
		}
		if rep := run(civil.New(2026, 3, 5)); rep.Claims != 0 || events() != n {
			t.Errorf("the next day: %+v", rep)
		}
		// All: every claim looked at again, nothing due, the same days.
		if rep, err := f.svc.CollectWith(ctx, collector, civil.New(2026, 3, 5), recovery.CollectOptions{All: true}); err != nil ||
			rep.Claims != 3 || rep.Acted != 0 || events() != n || collectOn(1) != civil.New(2026, 3, 6) {
			t.Errorf("all on 5.3.: %+v %v", rep, err)
		}
		// 6.3.: the second claim only.
		if rep := run(civil.New(2026, 3, 6)); rep.Claims != 1 || rep.Reminders != 1 {
			t.Errorf("6.3.: %+v; want the second claim reminded", rep)
		}
		// A payment on the third claim: the booking clears its day, so the
		// next run looks at it.
		at(db, civil.New(2026, 3, 6))
		f.load(notification(t, batch("P1", pays(2000, f.ref(2), "P1-1"))))
		if got := collectOn(2); !got.IsZero() {
			t.Errorf("after a payment: collect_on %s, want NULL", got)
		}
		if rep := run(civil.New(2026, 3, 7)); rep.Claims != 1 || rep.Reminders != 0 {
			t.Errorf("7.3.: %+v; want the paid claim looked at", rep)
		}
		if got := collectOn(2); got != civil.New(2026, 3, 15) {
			t.Errorf("after the look: collect_on %s, want 2026-03-15", got)
		}
		// 15.3.: the first claim's interest day and the third's reminder.
		if rep := run(civil.New(2026, 3, 15)); rep.Claims != 2 || rep.Reminders != 1 || rep.InterestRuns != 2 {
			t.Errorf("15.3.: %+v", rep)
		}
	})
}

// The run's two lists read the partial index claims_collect on SQLite too
// (TestPagePlansAtScale explains them on PostgreSQL): a search of the
// index, never a scan of the claims.
func TestCollectListsReadTheIndexOnSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{store.CollectNullSQL, []any{"", 500}},
		{store.CollectDueSQL, []any{civil.New(2026, 3, 4), civil.New(1, 1, 1), "", 500}},
	} {
		joined := storetest.SQLitePlan(t, db, q.sql, q.args...)
		t.Logf("%s", joined)
		if !strings.Contains(joined, "SEARCH claims USING INDEX claims_collect") || strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("%s:\n%s", q.sql, joined)
		}
	}
}

// Two collection runs at once, over more claims than a transaction takes:
// each claim is reminded once, whichever run takes it, and the money
// invariants hold (storetest.ForEachDB checks them after).
func TestCollectTwoRunsAtOnce(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newBankFixture(t, db, 0)
		n := 2*recovery.CollectBatch + 7
		for range n {
			c := recovery.Claim{PersonID: f.person.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 15)}
			if err := db.CreateClaim(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		day := civil.New(2026, 1, 29)
		at(db, day)
		var reps [2]recovery.CollectReport
		var errs [2]error
		done := make(chan int)
		for i := range reps {
			go func() {
				reps[i], errs[i] = f.svc.Collect(ctx, collector, day)
				done <- i
			}()
		}
		<-done
		<-done
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if r := reps[0].Reminders + reps[1].Reminders; r != n {
			t.Errorf("%d reminders for %d claims: %+v %+v", r, n, reps[0], reps[1])
		}
		if twice := count(t, db, `SELECT count(*) FROM (SELECT claim_id FROM claim_events WHERE kind = 'reminder'
			GROUP BY claim_id HAVING count(*) > 1) x`); twice != 0 {
			t.Errorf("%d claims reminded twice", twice)
		}
		if i := count(t, db, `SELECT count(*) FROM claim_events WHERE kind = 'interest_accrued'`); i != n {
			t.Errorf("%d interest charges for %d claims", i, n)
		}
	})
}

// A reversal looks for the payment it takes back through
// bank_entries_reversible (migration 00039), on both databases: a search by
// reference and amount, never a read of every bank transaction.
func TestReversibleCreditReadsTheIndex(t *testing.T) {
	for _, skip := range []int{0, 2} {
		args := []any{"12345672", int64(1000), "FI3715903000000776"}
		for i := range skip {
			args = append(args, "id-"+strconv.Itoa(i))
		}
		q := store.ReversibleCreditSQL(skip)
		t.Run("sqlite", func(t *testing.T) {
			db := storetest.SQLite(t)
			if joined := storetest.SQLitePlan(t, db, q, args...); !strings.Contains(joined, "SEARCH bank_entries USING INDEX bank_entries_reversible (reference=? AND amount_cents=?)") {
				t.Errorf("skip %d: %s", skip, joined)
			}
		})
		t.Run("postgres", func(t *testing.T) {
			db := storetest.Postgres(t)
			// The sort is of the payments with that reference and amount
			// (ORDER BY … LIMIT 1 over a handful), not of the table.
			for _, r := range storetest.GrowingReads(t, db, []string{"bank_entries"}, q, args...) {
				if r.Node != "Sort" {
					t.Errorf("skip %d: %v", skip, r)
				}
			}
		})
	}
}

// An exemption's move of paid interest to principal reads the claim's
// booked payments that paid interest through bank_entries_interest
// (migration 00040), on both databases, never every bank transaction.
func TestInterestPaidReadsTheIndex(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := storetest.SQLite(t)
		if joined := storetest.SQLitePlan(t, db, store.InterestPaidSQL, "claim-1"); !strings.Contains(joined, "SEARCH bank_entries USING INDEX bank_entries_interest (claim_id=?)") {
			t.Error(joined)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		// The sort is of one claim's payments, not of the table.
		for _, r := range storetest.GrowingReads(t, db, []string{"bank_entries"}, store.InterestPaidSQL, "claim-1") {
			if r.Node != "Sort" {
				t.Error(r)
			}
		}
	})
}
