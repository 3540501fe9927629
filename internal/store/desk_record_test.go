package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestDeskViewSections: the 360 view shows the customer's applications,
// the letters sent to them, their payments and the mandates they hold,
// each read through its own service; the one audit entry of the view names
// the sections shown; a role without a section's permission sees none of
// it; and the customer's own decisions page shows their applications and
// letters and none of another customer's.
func TestDeskViewSections(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
		p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M", Lang: "sv"}
		other := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "V"}
		exMust(t, db.CreatePerson(ctx, &p))
		exMust(t, db.CreatePerson(ctx, &other))
		cs := recovery.Claim{PersonID: p.ID, Kind: recovery.ChildSupport, Principal: 85000, DueDate: civil.New(2026, 12, 20)}
		ov := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 12, 20),
			BenefitKey: "housing_allowance", DecisionID: "D-2026-7"}
		exMust(t, db.CreateClaim(ctx, &cs))
		exMust(t, db.CreateClaim(ctx, &ov))
		rec := recoveryOn(db)
		x, err := rec.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, recovery.ExemptionRequest{Kind: recovery.ExemptStateShare,
			MonthlyIncomeCents: 90000, Children: 2, From: civil.New(2026, 9, 1), Reason: "Out of work."})
		exMust(t, err)
		_, err = rec.DecideExemption(ctx, manager, x.ID, true, "exemption.reason.granted")
		exMust(t, err)
		pr, err := rec.ProposePlan(ctx, access.AsCustomer(p.ID), ov.ID, recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 12, 15)}, "")
		exMust(t, err)
		exMust(t, db.AddBenefit(ctx, &payment.Benefit{PersonID: p.ID, Kind: "housing-allowance", AmountCents: 31000,
			IBAN: "FI4950009420028730", Starts: civil.New(2026, 1, 1)}))
		mand := mandateSvc(t, db)
		feed := `{"id":"M-1","principal":{"kind":"organisation","id":"2077474-0","name":"Firma Oy"},"agent":{"kind":"person","id":"` + p.HETU +
			`"},"type":"transaction","issues":["employer_benefits"],"start":"2026-01-01","end":"2027-12-31"}` + "\n"
		_, err = mand.Import(ctx, access.AsSystem("cli"), strings.NewReader(feed))
		exMust(t, err)

		svc := desk.NewService(db.Desk(), nil)
		svc.SetSources(desk.Sources{Recovery: rec, Payments: paymentOn(db), Mandates: mand})
		v, err := svc.Open(ctx, specialist, p.ID, desk.Purpose{Topic: "phone"})
		exMust(t, err)
		if len(v.Record.Letters) != 1 || v.Record.Letters[0].Kind != recovery.LetterExemptionApproved || v.Record.Letters[0].Lang != "sv" {
			t.Errorf("letters = %+v", v.Record.Letters)
		}
		if len(v.Record.Proposals) != 1 || v.Record.Proposals[0].ID != pr.ID || len(v.Record.Exemptions) != 1 {
			t.Errorf("applications = %+v %+v", v.Record.Proposals, v.Record.Exemptions)
		}
		// The pending plan is expected to be decided within the pause of
		// collection the rule table gives it (60 days); the decided
		// exemption has no such day.
		if by, ok := v.Record.DecisionBy[pr.ID]; !ok || by != civil.New(2026, 11, 22).AddDays(60) {
			t.Errorf("plan decided by %v %v", by, ok)
		}
		if _, ok := v.Record.DecisionBy[x.ID]; ok {
			t.Errorf("a decided exemption has an expected day")
		}
		if !v.PaymentsShown || len(v.Payments.Upcoming) == 0 || v.Payments.Upcoming[0].Benefit.Kind != "housing-allowance" {
			t.Errorf("payments = %v %+v", v.PaymentsShown, v.Payments.Upcoming)
		}
		if !v.MandatesShown || len(v.Mandates.Mandates) != 1 || v.Mandates.Mandates[0].ID != "M-1" {
			t.Errorf("mandates = %v %+v", v.MandatesShown, v.Mandates)
		}
		entries, err := db.AuditForSubject(ctx, p.ID, 100)
		exMust(t, err)
		views := 0
		for _, e := range entries {
			if e.Action == string(desk.ActionView) {
				views++
				if !strings.Contains(e.Detail, "sections=claims%2Capplications%2Cletters%2Cmessages%2Cpayments%2Cmandates") {
					t.Errorf("the view's entry does not name its sections: %q", e.Detail)
				}
			}
		}
		if views != 1 {
			t.Errorf("%d view entries; want the one", views)
		}

		// A role without the claims permission sees no claims, no
		// applications and no letters, and its entry says so.
		comms := access.AsStaff("staff-3", "communications", "specialist")
		v, err = svc.Open(ctx, comms, p.ID, desk.Purpose{Topic: "phone"})
		exMust(t, err)
		if v.ClaimsShown || len(v.Claims) != 0 || len(v.Record.Letters) != 0 || len(v.Record.Proposals) != 0 || !v.PaymentsShown {
			t.Errorf("communications sees claims %v %d letters %d", v.ClaimsShown, len(v.Claims), len(v.Record.Letters))
		}
		if strings.Contains(strings.Join(v.Sections(), ","), "letters") {
			t.Errorf("sections = %v", v.Sections())
		}
		// The owning services refuse their staff reads to anyone else.
		if _, err := rec.StaffRecord(ctx, comms, p.ID); !fault.Is(err, fault.Forbidden) {
			t.Errorf("recovery.StaffRecord for communications: %v", err)
		}
		if _, err := paymentOn(db).StaffOverview(ctx, access.AsCustomer(other.ID), p.ID); !fault.Is(err, fault.Forbidden) {
			t.Errorf("payment.StaffOverview for a customer: %v", err)
		}
		if _, err := mand.StaffRecord(ctx, access.AsStaff("staff-4", "recovery", "operations"), p.ID); !fault.Is(err, fault.Forbidden) {
			t.Errorf("mandate.StaffRecord for operations: %v", err)
		}

		// The customer's own page: their applications and letters.
		mine, err := svc.MyApplications(ctx, access.AsCustomer(p.ID))
		exMust(t, err)
		if len(mine.Record.Letters) != 1 || len(mine.Record.Proposals) != 1 || len(mine.Record.Exemptions) != 1 {
			t.Errorf("my applications = %+v", mine.Record)
		}
		theirs, err := svc.MyApplications(ctx, access.AsCustomer(other.ID))
		exMust(t, err)
		if len(theirs.Record.Letters)+len(theirs.Record.Proposals)+len(theirs.Record.Exemptions)+len(theirs.Reports)+len(theirs.Requests) != 0 {
			t.Errorf("another customer sees %+v", theirs)
		}
		if _, err := svc.MyApplications(ctx, specialist); !fault.Is(err, fault.NotFound) {
			t.Errorf("staff on the customer's page: %v", err)
		}
		if ls, err := rec.NewestLetters(ctx, access.AsCustomer(other.ID), 5); err != nil || len(ls) != 0 {
			t.Errorf("another customer's inbox letters: %+v %v", ls, err)
		}
	})
}
