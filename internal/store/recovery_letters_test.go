package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func lMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// at sets the database's clock to 9.00 UTC on the day.
func at(db *store.DB, d civil.Date) {
	db.Now = func() time.Time { return time.Date(d.Year, d.Month, d.Day, 9, 0, 0, 0, time.UTC) }
}

// verifiedEmail gives the person a proved e-mail notice choice.
func verifiedEmail(t *testing.T, db *store.DB, personID string) {
	t.Helper()
	_, err := db.SQL().Exec(`INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
		VALUES ($1, TRUE, 'email', 'maija@example.fi', TRUE, $2)`, personID, time.Now())
	lMust(t, err)
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	lMust(t, db.SQL().QueryRow(q, args...).Scan(&n))
	return n
}

// Maija's case from issue 11: an interest exemption from 1.12.2026 is
// approved; the collections in January, March and June charge no interest
// after 1.12.2026, and the interest already charged for 1.–2.12. is
// written off with a history entry naming the decision. She gets the
// decision as a letter and an e-mail notice without its content.
func TestInterestExemptionStopsInterest(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at(db, civil.New(2026, 11, 1))
		p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		lMust(t, db.CreatePerson(ctx, &p))
		verifiedEmail(t, db, p.ID)
		sl := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 234000, DueDate: civil.New(2026, 11, 10)}
		lMust(t, db.CreateClaim(ctx, &sl))
		svc := recoveryOn(db)
		me := access.AsCustomer(p.ID)

		// Interest runs to 2.12.: 22 days at 4 %.
		at(db, civil.New(2026, 12, 2))
		_, err := svc.Collect(ctx, collector, civil.New(2026, 12, 2))
		lMust(t, err)
		x, err := svc.ApplyExemption(ctx, me, sl.ID, recovery.ExemptionRequest{Kind: recovery.ExemptInterest,
			MonthlyIncomeCents: 120000, Children: 0, From: civil.New(2026, 12, 1), Reason: "Low income."})
		lMust(t, err)
		x, err = svc.DecideExemption(ctx, specialist, x.ID, true, "exemption.reason.granted")
		lMust(t, err)

		page, err := svc.Claim(ctx, me, sl.ID)
		lMust(t, err)
		// 234000 × 4 % × 20/365 = 512.88 → 513 to 30.11.; 2 days → 51 off.
		if c := page.Claim; c.Interest != 513 || len(c.InterestFree) != 1 || c.InterestFree[0].From != civil.New(2026, 12, 1) {
			t.Fatalf("after the decision: interest %d, free %+v", c.Interest, c.InterestFree)
		}
		var off *recovery.Event
		for i, e := range page.Events {
			if e.Kind == recovery.EventWrittenOff {
				off = &page.Events[i]
			}
		}
		if off == nil || off.Cents != 51 || off.Parts.Interest != 51 || off.Note != "recovery.event.exemption_interest" {
			t.Errorf("written off: %+v", off)
		}
		for _, day := range []civil.Date{civil.New(2027, 1, 15), civil.New(2027, 3, 15), civil.New(2027, 6, 15)} {
			at(db, day)
			rep, err := svc.Collect(ctx, collector, day)
			lMust(t, err)
			if rep.Interest != 0 {
				t.Errorf("collection on %s charged %d cents of interest", day, rep.Interest)
			}
		}
		page, err = svc.Claim(ctx, me, sl.ID)
		lMust(t, err)
		if page.Claim.Interest != 513 {
			t.Errorf("interest in June = %d, want 513 (to 30.11.2026 only)", page.Claim.Interest)
		}
		for _, e := range page.Events {
			if e.Kind == recovery.EventInterestAccrued && e.On.After(civil.New(2026, 12, 2)) {
				t.Errorf("interest after the exemption: %+v", e)
			}
		}

		// The decision is a letter, and the notice went by e-mail.
		ls, err := svc.Letters(ctx, me, sl.ID)
		lMust(t, err)
		var decision *recovery.Letter
		for i := range ls {
			if ls[i].Kind == recovery.LetterExemptionApproved {
				decision = &ls[i]
			}
		}
		if decision == nil || decision.WrittenOffCents != 51 || decision.Exemption != recovery.ExemptInterest ||
			decision.From != civil.New(2026, 12, 1) || decision.ReasonKey != "exemption.reason.granted" ||
			decision.NoticeChannel != "email" || decision.Lang != "fi" || !decision.Appealable() {
			t.Fatalf("letters = %+v", ls)
		}
		if got, err := svc.Letter(ctx, me, decision.ID); err != nil || got.ID != decision.ID {
			t.Errorf("the letter: %+v %v", got, err)
		}
		other := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "V"}
		lMust(t, db.CreatePerson(ctx, &other))
		if _, err := svc.Letter(ctx, access.AsCustomer(other.ID), decision.ID); err == nil {
			t.Error("another customer read the letter")
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE person_id = $1 AND kind = 'recovery_letter' AND channel = 'email'
			AND payload = '' AND recipient = 'maija@example.fi'`, p.ID); n != len(ls) {
			t.Errorf("%d notices for %d letters", n, len(ls))
		}
	})
}

// A refused exemption changes nothing on the claim and says why; a full
// exemption writes the whole balance off; a state share exemption frees
// its whole months from interest.
func TestExemptionDecisionsChangeTheClaim(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at(db, civil.New(2026, 1, 2))
		p := customer.Person{HETU: "241198-998U", GivenName: "Johan", FamilyName: "K"}
		lMust(t, db.CreatePerson(ctx, &p))
		loan := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 15)}
		cs := recovery.Claim{PersonID: p.ID, Kind: recovery.ChildSupport, Principal: 85000, DueDate: civil.New(2026, 5, 25)}
		lMust(t, db.CreateClaim(ctx, &loan))
		lMust(t, db.CreateClaim(ctx, &cs))
		svc := recoveryOn(db)
		me := access.AsCustomer(p.ID)
		collect := func(day civil.Date) recovery.CollectReport {
			t.Helper()
			at(db, day)
			rep, err := svc.Collect(ctx, collector, day)
			lMust(t, err)
			return rep
		}

		// The collection charges interest when it acts: on 8.6., 14 days
		// after the due date, it hands the child support over to
		// enforcement and charges 26.5.–8.6. A state share applied for then
		// from 1.3. frees March to May from interest, so the 6 days of May
		// charged (26.–31.5.) are written off, and the days of June stay.
		collect(civil.New(2026, 6, 8))
		at(db, civil.New(2026, 6, 9))
		csBefore, _ := svc.Claim(ctx, me, cs.ID)
		x, err := svc.ApplyExemption(ctx, me, cs.ID, recovery.ExemptionRequest{Kind: recovery.ExemptStateShare, From: civil.New(2026, 3, 1), Reason: "Out of work."})
		lMust(t, err)
		_, err = svc.DecideExemption(ctx, manager, x.ID, true, "exemption.reason.granted")
		lMust(t, err)
		csAfter, _ := svc.Claim(ctx, me, cs.ID)
		// 85000 × 9.5 % × 6/365 = 132.74 → 133.
		if off := csBefore.Claim.Interest - csAfter.Claim.Interest; off != 133 {
			t.Errorf("state share wrote off %d cents, want 133", off)
		}
		if f := csAfter.Claim.InterestFree; len(f) != 1 || f[0].To != civil.New(2026, 5, 31) {
			t.Errorf("free periods = %+v", f)
		}
		// 1.–8.6. at 9.5 % on 85000: 176.99 → 177.
		if c := csAfter.Claim; c.Interest != 177 || c.InterestTo != civil.New(2026, 6, 8) {
			t.Errorf("interest left = %d up to %s, want 177 up to 2026-06-08", c.Interest, c.InterestTo)
		}

		collect(civil.New(2026, 6, 10))
		before, err := svc.Claim(ctx, me, loan.ID)
		lMust(t, err)
		// Refused: the numbers stay, the letter gives the reason.
		x, err = svc.ApplyExemption(ctx, me, loan.ID, recovery.ExemptionRequest{Kind: recovery.ExemptFull, From: civil.New(2026, 3, 1), Reason: "Ill."})
		lMust(t, err)
		_, err = svc.DecideExemption(ctx, specialist, x.ID, false, "exemption.reason.no_grounds")
		lMust(t, err)
		after, err := svc.Claim(ctx, me, loan.ID)
		lMust(t, err)
		if after.Claim.Balance() != before.Claim.Balance() || len(after.Events) != len(before.Events) {
			t.Errorf("a refusal changed the claim: %+v", after.Claim)
		}
		ls, _ := svc.Letters(ctx, me, loan.ID)
		if len(ls) == 0 || ls[0].Kind != recovery.LetterExemptionRejected || ls[0].ReasonKey != "exemption.reason.no_grounds" || ls[0].NoticeChannel != "" {
			t.Errorf("refusal letters = %+v", ls)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE person_id = $1`, p.ID); n != 0 {
			t.Errorf("%d notices without a notice choice", n)
		}

		// Full: everything unpaid is written off.
		x, err = svc.ApplyExemption(ctx, me, loan.ID, recovery.ExemptionRequest{Kind: recovery.ExemptFull, From: civil.New(2026, 3, 1), Reason: "Ill."})
		lMust(t, err)
		_, err = svc.DecideExemption(ctx, manager, x.ID, true, "exemption.reason.granted")
		lMust(t, err)
		after, _ = svc.Claim(ctx, me, loan.ID)
		if c := after.Claim; c.Status != recovery.Waived || c.Balance() != 0 || c.Principal != 0 {
			t.Errorf("after a full exemption: %+v", c)
		}
	})
}

// loanInterest is a student loan's interest at 4 % for the days, rounded.
func loanInterest(principal int64, days int) int64 {
	return (principal*400*int64(days)*2 + 10000*365) / (2 * 10000 * 365)
}

// An approved plan replaces the reminders with its schedule; a missed
// instalment gets a reminder, then the plan lapses and says so, each a
// letter.
func TestPlanLettersAndLapse(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at(db, civil.New(2026, 1, 2))
		p := customer.Person{HETU: "091099-998L", GivenName: "Sanna", FamilyName: "L"}
		lMust(t, db.CreatePerson(ctx, &p))
		over := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 30000, DueDate: civil.New(2026, 1, 15)}
		lMust(t, db.CreateClaim(ctx, &over))
		svc := recoveryOn(db)
		me := access.AsCustomer(p.ID)
		pr, err := svc.ProposePlan(ctx, me, over.ID, recovery.PlanRequest{Months: 3, FirstDue: civil.New(2026, 2, 2)}, "")
		lMust(t, err)
		_, err = svc.DecidePlan(ctx, specialist, pr.ID, true, "")
		lMust(t, err)
		var kinds []recovery.LetterKind
		for _, day := range []civil.Date{civil.New(2026, 1, 29), civil.New(2026, 2, 16), civil.New(2026, 3, 2), civil.New(2026, 3, 20)} {
			at(db, day)
			_, err := svc.Collect(ctx, collector, day)
			lMust(t, err)
		}
		ls, err := svc.Letters(ctx, me, over.ID)
		lMust(t, err)
		for i := len(ls) - 1; i >= 0; i-- {
			kinds = append(kinds, ls[i].Kind)
		}
		want := []recovery.LetterKind{recovery.LetterPlanApproved, recovery.LetterReminder, recovery.LetterPlanLapsed}
		if len(kinds) < 3 || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
			t.Fatalf("letters = %v, want %v…", kinds, want)
		}
		if l := ls[len(ls)-1]; l.Plan == nil || l.Plan.Months() != 3 || l.AmountCents != 10000 || l.DueDate != civil.New(2026, 2, 2) {
			t.Errorf("the plan's letter: %+v", l)
		}
		if l := ls[len(ls)-3]; l.Kind != recovery.LetterPlanLapsed || l.BalanceCents != 30000 || l.NextStep.IsZero() {
			t.Errorf("the lapse letter: %+v", l)
		}
	})
}

// A dry run writes nothing and lists what a run would do and why.
func TestCollectDryRunWritesNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at(db, civil.New(2026, 1, 2))
		p := customer.Person{HETU: "091099-998L", GivenName: "Sanna", FamilyName: "L"}
		lMust(t, db.CreatePerson(ctx, &p))
		verifiedEmail(t, db, p.ID)
		loan := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 15)}
		over := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 1, 15)}
		lMust(t, db.CreateClaim(ctx, &loan))
		lMust(t, db.CreateClaim(ctx, &over))
		svc := recoveryOn(db)
		_, err := svc.ProposePlan(ctx, access.AsCustomer(p.ID), over.ID, recovery.PlanRequest{Months: 3, FirstDue: civil.New(2026, 2, 2)}, "")
		lMust(t, err)
		tables := []string{"claims", "claim_events", "recovery_letters", "outbox", "audit_log", "plan_proposals"}
		snapshot := func() map[string]int {
			m := map[string]int{}
			for _, tb := range tables {
				m[tb] = count(t, db, `SELECT count(*) FROM `+tb)
			}
			m["sum"] = count(t, db, `SELECT COALESCE(SUM(interest + fees), 0) FROM claims`)
			m["reminded"] = count(t, db, `SELECT count(*) FROM claims WHERE status <> 'open'`)
			return m
		}
		day := civil.New(2026, 1, 29)
		at(db, day)
		was := snapshot()
		dry, err := svc.CollectDryRun(ctx, collector, day)
		lMust(t, err)
		if now := snapshot(); !equalCounts(was, now) {
			t.Fatalf("a dry run wrote: %v → %v", was, now)
		}
		if dry.Reminders != 1 || dry.Paused != 1 || len(dry.Actions) != 2 {
			t.Fatalf("dry run = %+v", dry)
		}
		for _, a := range dry.Actions {
			switch a.ClaimID {
			case loan.ID:
				if a.Action != recovery.ActReminder || a.Interest == 0 || a.Paused {
					t.Errorf("the loan: %+v", a)
				}
			case over.ID:
				if a.Action != recovery.ActReminder || !a.Paused || a.Note != "recovery.action.paused" {
					t.Errorf("the overpayment with a plan pending: %+v", a)
				}
			}
		}
		real, err := svc.Collect(ctx, collector, day)
		lMust(t, err)
		if real.Reminders != dry.Reminders || real.Interest != dry.Interest || real.Paused != dry.Paused || real.Actions != nil {
			t.Errorf("the run = %+v, the dry run = %+v", real, dry)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}
