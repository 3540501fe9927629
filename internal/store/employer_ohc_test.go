package store_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/etuus/etuus/internal/payment"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// ohcInput is workplace's accounting period that ended at the end of the
// month before last (within the six months of the deadline).
func ohcInput(db *store.DB, workplace string) employer.OccupationalInput {
	today := civil.Today(db.Now())
	end := civil.New(today.Year, today.Month-1, 1).AddDays(-1)
	start := civil.New(end.Year-1, end.Month+1, 1)
	return employer.OccupationalInput{Workplace: workplace, Start: start.String(), End: end.String(), Employees: "7",
		Class1Cents: 500_000, Class2Cents: 300_000, RevenueCents: 10_000, IBAN: "FI21 1234 5600 0007 85"}
}

// TestOccupationalHealthcare walks the occupational-healthcare
// reimbursement on both databases: the mandate decision by workplace
// (Teemu is restricted to 1001 and 1002, Eeva to none), what each lists,
// the overlap rule per workplace, the kinds kept apart, staff's queue
// filter and decision at most the claimed amount.
func TestOccupationalHealthcare(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, daily := employerSetup(t, db, -20, -1)
		teemu, eeva, aino := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva"), access.AsCustomer("demo-person-aino")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")

		mine, err := svc.ApplyOccupational(ctx, teemu, orgs.Employer, ohcInput(db, "1001"))
		if err != nil || mine.Kind != employer.OccupationalHealthcare || mine.OrgName != "Demo Rakennus Oy" || mine.Claimed() != 300_000+150_000-10_000 {
			t.Fatalf("apply for 1001: %+v %v", mine, err)
		}
		var we *employer.WorkplaceError
		if _, err := svc.ApplyOccupational(ctx, teemu, orgs.Employer, ohcInput(db, "789")); !errors.As(err, &we) || we.Workplace != "789" ||
			!errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("apply for 789 restricted to 1001 and 1002: %v", err)
		}
		// The diagnosis at that workplace names the restriction; of the
		// organisation as a whole, it allows.
		dg, err := mandateSvc(t, db).DiagnoseWorkplace(ctx, teemu, orgs.Employer, employer.OccupationalIssue, "789")
		if err != nil || len(dg.Steps) == 0 || dg.Steps[0].Key != "mandate.advice.restricted.workplace" || dg.Steps[0].Workplace != "789" {
			t.Errorf("diagnosis at 789: %+v %v", dg, err)
		}
		if dg, err := mandateSvc(t, db).Diagnose(ctx, teemu, mandate.Refused, orgs.Employer, employer.OccupationalIssue); err != nil || len(dg.Allowed) != 1 {
			t.Errorf("diagnosis of the organisation: %+v %v", dg, err)
		}
		if _, err := svc.ApplyOccupational(ctx, aino, orgs.Employer, ohcInput(db, "1001")); !errors.Is(err, employer.ErrNoMandate) || errors.As(err, &we) {
			t.Errorf("no mandate on the issue: %v", err)
		}
		if _, err := svc.ApplyOccupational(ctx, teemu, orgs.Employer, ohcInput(db, "10x")); fault.FieldOf(err) != "workplace" {
			t.Errorf("malformed workplace: %v", err)
		}
		if _, err := svc.ApplyOccupational(ctx, teemu, "1234567-0", ohcInput(db, "1001")); !fault.Is(err, fault.NotFound) {
			t.Errorf("malformed business ID: %v", err)
		}
		// The same workplace, an overlapping period: refused whoever applies.
		over := ohcInput(db, "1001")
		end, _ := civil.Parse(over.End)
		over.Start, over.End = end.AddDays(-10).String(), end.AddDays(-5).String()
		if _, err := svc.ApplyOccupational(ctx, eeva, orgs.Employer, over); !fault.Is(err, fault.Conflict) {
			t.Errorf("overlap: %v", err)
		}
		// Another workplace, the same period: fine.
		other, err := svc.ApplyOccupational(ctx, eeva, orgs.Employer, ohcInput(db, "1003"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Apply(ctx, teemu, orgs.Employer, daily); err != nil {
			t.Fatal(err)
		}

		// Teemu lists his workplaces' applications only; Eeva every one.
		p, err := svc.ListOccupational(ctx, teemu, orgs.Employer, 1)
		if err != nil || p.Total != 1 || p.Items[0].ID != mine.ID || len(p.Workplaces.Only) != 2 || p.Workplaces.Covers("1003") {
			t.Errorf("Teemu's list: %+v %v", p, err)
		}
		p, err = svc.ListOccupational(ctx, eeva, orgs.Employer, 1)
		if err != nil || p.Total != 2 || p.Workplaces.Only != nil {
			t.Errorf("Eeva's list: %+v %v", p, err)
		}
		// Another workplace's application is not his to see, nor to learn
		// that it exists: 404, as another organisation's.
		if _, err := svc.GetOccupational(ctx, teemu, orgs.Employer, other.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("Teemu reads 1003's application: %v", err)
		}
		if got, err := svc.GetOccupational(ctx, teemu, orgs.Employer, mine.ID); err != nil || got.Workplace != "1001" || got.Class2Cents != 300_000 {
			t.Errorf("Teemu reads his: %+v %v", got, err)
		}
		// The kinds stay apart: the daily-allowance pages do not show an
		// occupational-healthcare application, nor the other way round.
		if d, err := svc.List(ctx, teemu, orgs.Employer, 1); err != nil || d.Total != 1 || d.Items[0].Kind != employer.DailyAllowance {
			t.Errorf("daily-allowance list: %+v %v", d, err)
		}
		if _, err := svc.Get(ctx, teemu, orgs.Employer, mine.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("an occupational-healthcare application as a daily-allowance one: %v", err)
		}
		if got, err := svc.ForEmployee(ctx, access.AsCustomer("demo-person-matti")); err != nil || len(got) != 1 {
			t.Errorf("the employee's view: %+v %v", got, err)
		}

		// Staff: both kinds, or one.
		if q, err := svc.Queue(ctx, anna, "", 1); err != nil || q.Total != 3 {
			t.Errorf("queue: %+v %v", q, err)
		}
		q, err := svc.Queue(ctx, anna, employer.OccupationalHealthcare, 1)
		if err != nil || q.Total != 2 || q.Items[0].ID != mine.ID {
			t.Errorf("occupational-healthcare queue: %+v %v", q, err)
		}
		if r, err := svc.Read(ctx, anna, mine.ID); err != nil || r.Workplace != "1001" {
			t.Errorf("read: %+v %v", r, err)
		}
		if _, err := svc.Decide(ctx, anna, mine.ID, employer.Decision{Approve: true, AmountCents: mine.Claimed() + 1, Reason: "x"}); fault.FieldOf(err) != "amount" {
			t.Errorf("more than claimed: %v", err)
		}
		if _, err := svc.Decide(ctx, anna, mine.ID, employer.Decision{Approve: true, AmountCents: 400_000}); fault.FieldOf(err) != "reason" {
			t.Errorf("less than claimed without a reason: %v", err)
		}
		dec, err := svc.Decide(ctx, anna, mine.ID, employer.Decision{Approve: true, AmountCents: 400_000, Reason: "Vuosittainen enimmäismäärä"})
		if err != nil || dec.Status != employer.Approved || dec.AmountCents != 400_000 || dec.Reason == "" {
			t.Fatalf("approve: %+v %v", dec, err)
		}
		if _, err := svc.Decide(ctx, anna, other.ID, employer.Decision{Reason: "Ei työterveyshuollon sopimusta"}); err != nil {
			t.Fatal(err)
		}
		// A refused application no longer blocks its period; an approved one does.
		if _, err := svc.ApplyOccupational(ctx, eeva, orgs.Employer, ohcInput(db, "1003")); err != nil {
			t.Errorf("again after a refusal: %v", err)
		}
		if _, err := svc.ApplyOccupational(ctx, eeva, orgs.Employer, ohcInput(db, "1001")); !fault.Is(err, fault.Conflict) {
			t.Errorf("again after an approval: %v", err)
		}
		var told int
		db.SQL().QueryRow(`SELECT count(*) FROM threads WHERE party_kind = 'organisation' AND subject = 'employer'`).Scan(&told)
		if told != 2 {
			t.Errorf("%d decisions told to the organisation", told)
		}
	})
}

// TestOccupationalHealthcareMigration: migration 00031 keeps the
// daily-allowance applications written before it (as that kind), and its
// CHECKs refuse what the kinds may not hold; going down keeps them too.
func TestOccupationalHealthcareMigration(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, orgs, _ := employerSetup(t, db, -20, -1)
		if err := db.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO employer_applications (id, org_id, benefit, employee_hetu,
			period_start, period_end, salary_cents, iban, status, amount_cents, submitted_by, created_at, decided_at, decided_by)
			VALUES ('old-app', $1, 'sickness', '100871-998D', $2, $3, 250000, 'FI4250001510000023', 'approved', 200000,
			'demo-person-teemu', $4, $4, 'demo-staff-anna')`, orgs.Employer, civil.New(2026, 1, 5), civil.New(2026, 1, 9), now); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateTo(ctx, 31); err != nil {
			t.Fatal(err)
		}
		// Read as 00031 left it (the repository reads what later
		// migrations add).
		var kind, workplace string
		var salary, amount int64
		err := db.SQL().QueryRowContext(ctx, `SELECT kind, salary_cents, amount_cents, workplace FROM employer_applications
			WHERE id = 'old-app'`).Scan(&kind, &salary, &amount, &workplace)
		if err != nil || kind != string(employer.DailyAllowance) || salary != 250000 || amount != 200000 || workplace != "" {
			t.Fatalf("after 00031: %s %d %d %q %v", kind, salary, amount, workplace, err)
		}
		bad := []string{
			// an occupational-healthcare application approved above its claim
			`INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu, period_start, period_end, salary_cents,
				workplace, employees, class1_cents, class2_cents, iban, status, amount_cents, submitted_by, created_at)
				VALUES ('x1', $1, 'occupational_healthcare', '', '', $2, $2, 0, '1', 1, 1000, 1000, 'FI', 'approved', 1101, 'demo-person-teemu', $3)`,
			// one without a workplace
			`INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu, period_start, period_end, salary_cents,
				workplace, employees, class1_cents, class2_cents, iban, status, amount_cents, submitted_by, created_at)
				VALUES ('x2', $1, 'occupational_healthcare', '', '', $2, $2, 0, '', 1, 1000, 1000, 'FI', 'pending', 0, 'demo-person-teemu', $3)`,
			// a daily-allowance application without a salary
			`INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu, period_start, period_end, salary_cents,
				iban, status, submitted_by, created_at)
				VALUES ('x3', $1, 'daily_allowance', 'sickness', '100871-998D', $2, $2, 0, 'FI', 'pending', 'demo-person-teemu', $3)`,
		}
		for i, q := range bad {
			if _, err := db.SQL().ExecContext(ctx, q, orgs.Employer, civil.New(2026, 1, 5), now); err == nil {
				t.Errorf("bad row %d stored", i+1)
			}
		}
		if err := db.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM employer_applications WHERE id = 'old-app'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("after going down: %d %v", n, err)
		}
		if err := db.MigrateTo(ctx, 1<<40); err != nil {
			t.Fatal(err)
		}
	})
}

// approvedOHC is an occupational-healthcare application of the
// organisation by Eeva for workplace 2001, approved at amount.
func approvedOHC(t *testing.T, db *store.DB, svc *employer.Service, org string, amount int64) employer.Application {
	t.Helper()
	ctx := context.Background()
	a, err := svc.ApplyOccupational(ctx, access.AsCustomer("demo-person-eeva"), org, ohcInput(db, "2001"))
	if err != nil {
		t.Fatal(err)
	}
	reason := ""
	if amount < a.Claimed() {
		reason = "Enimmäismäärä"
	}
	a, err = svc.Decide(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), a.ID,
		employer.Decision{Approve: true, AmountCents: amount, Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestOccupationalHealthcareConcurrentWriters: eight people applying at
// once for the same workplace and accounting period store one application
// (the organisation's lock), and its decision, told to the organisation in
// the applicant's language, names the workplace, the claim and the amount.
func TestOccupationalHealthcareConcurrentWriters(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, _ := employerSetup(t, db, -20, -1)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		svc.SetNotices(employer.Notices{Text: func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }, Quiet: true})
		ok, conflicts := raceN(t, 8, func(i int) error {
			who := "demo-person-teemu"
			if i%2 == 1 {
				who = "demo-person-eeva"
			}
			_, err := svc.ApplyOccupational(ctx, access.AsCustomer(who), orgs.Employer, ohcInput(db, "1002"))
			return err
		})
		if ok != 1 || conflicts != 7 {
			t.Fatalf("%d stored, %d conflicts", ok, conflicts)
		}
		var id string
		if err := db.SQL().QueryRow(`SELECT id FROM employer_applications WHERE kind = 'occupational_healthcare'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE persons SET lang = 'sv' WHERE id IN ('demo-person-teemu', 'demo-person-eeva')`); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), id,
			employer.Decision{Approve: true, AmountCents: 400_000, Reason: "Årligt maximibelopp"}); err != nil {
			t.Fatal(err)
		}
		msgs, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		eeva := access.AsCustomer("demo-person-eeva")
		f, _, err := msgs.OrgFolder(ctx, eeva, orgs.Employer, 1)
		if err != nil || f.Total != 1 || f.Threads[0].Title != "Beslut: ersättning för företagshälsovård godkänd" {
			t.Fatalf("the organisation's folder: %+v %v", f, err)
		}
		_, ms, _, err := msgs.OrgThread(ctx, eeva, orgs.Employer, f.Threads[0].ID)
		if err != nil || len(ms) != 1 {
			t.Fatalf("the decision's message: %+v %v", ms, err)
		}
		claimed := i18n.Euros("sv", 300_000+150_000-10_000)
		for _, want := range []string{"arbetsplats 1002", claimed, i18n.Euros("sv", 400_000), "Årligt maximibelopp"} {
			if !strings.Contains(ms[0].Body, want) {
				t.Errorf("the decision's message lacks %q:\n%s", want, ms[0].Body)
			}
		}
	})
}

// TestOccupationalHealthcareRepay: the bank returns the payment of an
// approved occupational-healthcare application; the organisation's
// message names the occupational-healthcare reimbursement, its workplace
// and accounting period (not a daily allowance); its corrected account is
// given under the decision for its workplace — Teemu, restricted to other
// workplaces, is refused, and so is the daily-allowance way; Aino, with
// the occupational-healthcare mandate only, gives it, and cannot give a
// daily-allowance application's; staff see its kind; the next run pays it
// again once; the invariants hold.
func TestOccupationalHealthcareRepay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		teemu, eeva, aino := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva"), access.AsCustomer("demo-person-aino")
		// Aino: the occupational-healthcare mandate only (the demo gives
		// her benefit_payments).
		var code string
		if err := db.SQL().QueryRow(`SELECT hetu FROM persons WHERE id = 'demo-person-aino'`).Scan(&code); err != nil {
			t.Fatal(err)
		}
		today := civil.Today(db.Now())
		line := mandate.EncodeLine(mandate.Mandate{ID: "TEST-RAK-AINO-HC", Principal: mandate.Org(org), Agent: mandate.Pers(code),
			Type: mandate.Transaction, Issues: []string{employer.OccupationalIssue}, Start: today.AddDays(-10), End: today.AddDays(100)}, "", "")
		if _, err := mandateSvc(t, db).Import(ctx, access.AsSystem("test"), bytes.NewReader(line)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE persons SET lang = 'en' WHERE id = 'demo-person-eeva'`); err != nil {
			t.Fatal(err)
		}
		ohc := approvedOHC(t, db, svc, org, 440_000)
		pay := paymentOn(db)
		out := t.TempDir()
		e2e := returnEmployerPayment(t, db, pay, day, out, ohc.ID)

		// The message, in Eeva's English (she applied), names the
		// occupational-healthcare reimbursement, not a daily allowance.
		msgs, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := msgs.OrgFolder(ctx, eeva, org, 1)
		if err != nil || len(f.Threads) == 0 {
			t.Fatal(f, err)
		}
		_, ms, _, err := msgs.OrgThread(ctx, eeva, org, f.Threads[0].ID)
		if err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		body := ms[0].Body
		for _, want := range []string{ohc.ID, "occupational-healthcare reimbursement", "workplace 2001",
			"accounting period " + ohc.Start.Finnish() + "–" + ohc.End.Finnish(), "4,400.00", "account is closed", "Occupational-healthcare reimbursements"} {
			if !strings.Contains(body, want) {
				t.Errorf("the message lacks %q: %s", want, body)
			}
		}
		for _, wrong := range []string{"allowance", "under Applications"} {
			if strings.Contains(strings.ToLower(body), strings.ToLower(wrong)) {
				t.Errorf("the message says %q: %s", wrong, body)
			}
		}

		// Refused: Teemu, restricted to 1001 and 1002; the
		// daily-allowance way; the employee; Aino for a daily-allowance
		// application; a bad account; a daily-allowance application
		// the occupational-healthcare way.
		if _, err := svc.GiveOccupationalAccount(ctx, teemu, org, ohc.ID, "FI4950009420028730"); !fault.Is(err, fault.NotFound) {
			t.Errorf("Teemu redirected workplace 2001's money: %v", err)
		}
		if _, err := svc.GiveAccount(ctx, teemu, org, ohc.ID, "FI4950009420028730"); !fault.Is(err, fault.NotFound) {
			t.Errorf("the daily-allowance way: %v", err)
		}
		if _, err := svc.GiveOccupationalAccount(ctx, access.AsCustomer("demo-person-matti"), org, ohc.ID, "FI4950009420028730"); !errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("no mandate: %v", err)
		}
		if _, err := svc.GiveAccount(ctx, aino, org, apps[0].ID, "FI4950009420028730"); !errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("Aino gave a daily-allowance application's account: %v", err)
		}
		if _, err := svc.GiveOccupationalAccount(ctx, aino, org, ohc.ID, "FI21 1234"); fault.FieldOf(err) != "iban" {
			t.Errorf("a bad account: %v", err)
		}
		if _, err := svc.GiveOccupationalAccount(ctx, eeva, org, apps[0].ID, "FI4950009420028730"); !fault.Is(err, fault.NotFound) {
			t.Errorf("a daily-allowance application the occupational-healthcare way: %v", err)
		}
		if a, err := svc.GetOccupational(ctx, aino, org, ohc.ID); err != nil || !a.Payment.WaitingAccount() {
			t.Fatalf("waiting: %+v %v", a.Payment, err)
		}

		// Aino gives it; a second account is refused.
		a, err := svc.GiveOccupationalAccount(ctx, aino, org, ohc.ID, "fi49 5000 9420 0287 30")
		if err != nil || a.IBAN != "FI4950009420028730" || a.Workplace != "2001" {
			t.Fatalf("given: %+v %v", a, err)
		}
		if _, err := svc.GiveOccupationalAccount(ctx, eeva, org, ohc.ID, "FI2112345600000785"); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second account: %v", err)
		}
		var detail string
		if err := db.SQL().QueryRow(`SELECT detail FROM audit_log WHERE action = 'employer.account' AND object = $1`, "employer_application:"+ohc.ID).
			Scan(&detail); err != nil || !strings.Contains(detail, "workplace=2001") {
			t.Errorf("audited %q: %v", detail, err)
		}

		// Staff see its kind and workplace.
		q, err := pay.EmployerReturnQueue(ctx, paymentOperator, 10)
		if err != nil || len(q) != 1 || q[0].ApplicationID != ohc.ID || q[0].Kind != string(employer.OccupationalHealthcare) ||
			q[0].Workplace != "2001" || q[0].Benefit != "" || q[0].State != payment.EmployerAccountGiven {
			t.Fatalf("staff's list: %+v %v", q, err)
		}

		// The next run pays it once, to the new account; no later run.
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep.Payments != 1 || rep.TotalCents != 440_000 || rep.Run == nil {
			t.Fatalf("the run after the account: %+v %v", rep, err)
		}
		ps := runFile(t, out, rep.Run).Batches[0].Payments
		if len(ps) != 1 || ps[0].CreditorIBAN != "FI4950009420028730" || ps[0].EndToEndID == e2e ||
			!strings.Contains(ps[0].RemittanceText, ohc.ID) || !strings.Contains(ps[0].RemittanceText, "työterveyshuollon") {
			t.Errorf("paid again: %+v", ps)
		}
		if again, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)}); err != nil || again.Payments != 0 {
			t.Errorf("paid a third time: %+v %v", again, err)
		}
		if a, err := svc.GetOccupational(ctx, eeva, org, ohc.ID); err != nil || !a.Payment.Sent() || !a.Payment.Again {
			t.Errorf("the organisation's view after: %+v %v", a.Payment, err)
		}
		if q, _ := pay.EmployerReturnQueue(ctx, paymentOperator, 10); len(q) != 1 || q[0].State != payment.EmployerPaidAgain {
			t.Errorf("staff's paid again: %+v", q)
		}
		// The employee's view lists daily-allowance applications only.
		mine, err := svc.ForEmployee(ctx, access.AsCustomer("demo-person-matti"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mine {
			if m.Kind != employer.DailyAllowance {
				t.Errorf("the employee sees %+v", m)
			}
		}
		if v := storetest.Violations(t, db); len(v) != 0 {
			t.Errorf("invariants: %v", v)
		}
	})
}
