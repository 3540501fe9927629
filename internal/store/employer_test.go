package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func employerSvc(t testing.TB, db *store.DB) *employer.Service {
	t.Helper()
	svc, err := employer.NewService(db.Employer(), mandateSvc(t, db), nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func demoCode(t testing.TB, d demo.Data, id string) string {
	t.Helper()
	for _, p := range d.Persons {
		if p.ID == id {
			return p.HETU
		}
	}
	t.Fatalf("no demo person %s", id)
	return ""
}

// TestEmployerApplications walks the employer e-service on both
// databases: who may apply and read (the mandate decision, audited), the
// 404 of another organisation's application, bad input, overlaps, staff's
// decision by permission, and what the employee sees.
func TestEmployerApplications(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, in := employerSetup(t, db, -20, -1)
		in.SalaryCents = 312345
		matti := in.Employee
		today := civil.Today(db.Now())
		teemu, tuula, aino := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-tuula"), access.AsCustomer("demo-person-aino")

		own, err := svc.Apply(ctx, teemu, orgs.Employer, in)
		if err != nil || own.OrgName != "Demo Rakennus Oy" || own.Status != employer.Pending {
			t.Fatalf("apply: %+v %v", own, err)
		}
		// Through the firm, for a client.
		client := orgs.Clients[4321]
		in2 := in
		in2.Benefit = "parental"
		viaFirm, err := svc.Apply(ctx, tuula, client, in2)
		if err != nil {
			t.Fatalf("apply through the firm: %v", err)
		}
		// The same employee, benefit and an overlapping period: refused.
		in3 := in
		in3.Start = today.AddDays(-5).String()
		if _, err := svc.Apply(ctx, teemu, orgs.Employer, in3); !fault.Is(err, fault.Conflict) {
			t.Errorf("overlap: %v", err)
		}
		// Bad input writes nothing.
		bad := in
		bad.IBAN = "FI00 0000"
		if _, err := svc.Apply(ctx, teemu, orgs.Employer, bad); fault.FieldOf(err) != "iban" {
			t.Errorf("bad account: %v", err)
		}
		// No mandate on the issue (Aino has payment information only), a
		// malformed business ID.
		if _, err := svc.Apply(ctx, aino, orgs.Employer, in); !errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("no mandate: %v", err)
		}
		if _, err := svc.List(ctx, teemu, "1234567-0", 1); !fault.Is(err, fault.NotFound) {
			t.Errorf("malformed business ID: %v", err)
		}

		p, err := svc.List(ctx, teemu, orgs.Employer, 1)
		if err != nil || p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != own.ID {
			t.Errorf("list: %+v %v", p, err)
		}
		// Another organisation's application through one's own: 404.
		if _, err := svc.Get(ctx, teemu, orgs.Employer, viaFirm.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another organisation's application: %v", err)
		}
		if _, err := svc.Get(ctx, tuula, client, own.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another organisation's application via the firm: %v", err)
		}
		if _, err := svc.Get(ctx, tuula, orgs.Employer, own.ID); !errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("an organisation without a mandate: %v", err)
		}

		// Staff: permission from the table; every read audited.
		olli := access.AsStaff("demo-staff-olli", "shared-services", "operations")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
		if _, err := svc.Queue(ctx, olli, "", 1); !fault.Is(err, fault.Forbidden) {
			t.Errorf("operations read the queue: %v", err)
		}
		if _, err := svc.Decide(ctx, olli, own.ID, employer.Decision{Approve: true, AmountCents: 1}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("operations decided: %v", err)
		}
		q, err := svc.Queue(ctx, anna, "", 1)
		if err != nil || q.Total != 2 || q.Items[0].ID != own.ID {
			t.Fatalf("queue: %+v %v", q, err)
		}
		if _, err := svc.Read(ctx, anna, own.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, anna, own.ID, employer.Decision{Approve: true, AmountCents: 312346}); fault.FieldOf(err) != "amount" {
			t.Errorf("more than the salary: %v", err)
		}
		dec, err := svc.Decide(ctx, anna, own.ID, employer.Decision{Approve: true, AmountCents: 280000})
		if err != nil || dec.Status != employer.Approved || dec.AmountCents != 280000 {
			t.Fatalf("approve: %+v %v", dec, err)
		}
		if _, err := svc.Decide(ctx, anna, own.ID, employer.Decision{Reason: "again"}); !fault.Is(err, fault.Conflict) {
			t.Errorf("decided twice: %v", err)
		}
		if _, err := svc.Decide(ctx, anna, viaFirm.ID, employer.Decision{Reason: "Ei vakuutettu"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, teemu, orgs.Employer, own.ID)
		if err != nil || got.Status != employer.Approved || got.AmountCents != 280000 || got.DecidedAt.IsZero() {
			t.Errorf("the employer's view: %+v %v", got, err)
		}

		// The employee sees both applications naming him, with who applied;
		// someone else sees none.
		mine, err := svc.ForEmployee(ctx, access.AsCustomer("demo-person-matti"))
		if err != nil || len(mine) != 2 || mine[0].OrgName == "" {
			t.Errorf("the employee's view: %+v %v", mine, err)
		}
		if other, err := svc.ForEmployee(ctx, teemu); err != nil || len(other) != 0 {
			t.Errorf("another person's view: %+v %v", other, err)
		}

		var acts []string
		rows, err := db.SQL().Query(`SELECT action, object, COALESCE(detail, '') FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, o, det string
			if err := rows.Scan(&a, &o, &det); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(o+det, matti) {
				t.Errorf("an identity code in the audit log: %s %s %s", a, o, det)
			}
			acts = append(acts, a)
		}
		all := strings.Join(acts, ",")
		for _, a := range []string{"mandate.decide", "employer.apply", "employer.decide", "staff.employer_queue", "staff.employer_application_read"} {
			if !strings.Contains(all, a) {
				t.Errorf("no %s in the audit log", a)
			}
		}
	})
}

// TestEmployerConcurrentWriters: eight people applying for the same
// employee and period at once store one application; eight decisions of
// one application racing decide it once.
func TestEmployerConcurrentWriters(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, in := employerSetup(t, db, -10, 0)
		ok, conflicts := raceN(t, 8, func(i int) error {
			who := "demo-person-teemu"
			if i%2 == 1 {
				who = "demo-person-eeva"
			}
			_, err := svc.Apply(ctx, access.AsCustomer(who), orgs.Employer, in)
			return err
		})
		if ok != 1 || conflicts != 7 {
			t.Fatalf("%d stored, %d conflicts", ok, conflicts)
		}
		var id string
		if err := db.SQL().QueryRow(`SELECT id FROM employer_applications`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ok, conflicts = raceN(t, 8, func(i int) error {
			_, err := svc.Decide(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), id,
				employer.Decision{Approve: true, AmountCents: int64(1000 * (i + 1))})
			return err
		})
		var decisions int
		db.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'employer.decide'`).Scan(&decisions)
		var told int
		db.SQL().QueryRow(`SELECT count(*) FROM threads WHERE party_kind = 'organisation' AND subject = 'employer'`).Scan(&told)
		if ok != 1 || conflicts != 7 || decisions != 1 || told != 1 {
			t.Errorf("%d decided, %d conflicts, %d audited, %d told to the organisation", ok, conflicts, decisions, told)
		}
	})
}

// raceN runs fn n times at once and counts the successes and conflicts;
// any other error fails the test.
func raceN(t *testing.T, n int, fn func(i int) error) (ok, conflicts int) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Go(func() {
			err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case fault.Is(err, fault.Conflict):
				conflicts++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return ok, conflicts
}

// employerSetup seeds the mandate demo and gives the service and an
// application for Matti over the days from..to from today.
func employerSetup(t testing.TB, db *store.DB, from, to int) (*employer.Service, demo.MandateOrgs, employer.Input) {
	d, orgs := seedMandateDemo(t, db)
	today := civil.Today(db.Now())
	return employerSvc(t, db), orgs, employer.Input{Benefit: "sickness", Employee: demoCode(t, d, "demo-person-matti"),
		Start: today.AddDays(from).String(), End: today.AddDays(to).String(), SalaryCents: 100000, IBAN: "FI21 1234 5600 0007 85"}
}

// TestEmployerDecisionNotices: a decision is told to the organisation in
// the decision's transaction — a message in its threads, in the
// applicant's language, with the amount or the reason, and an e-mail
// notice without either to the applicant who proved an address; none to
// one who did not. Another organisation's people do not see it.
func TestEmployerDecisionNotices(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, in := employerSetup(t, db, -20, -1)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		woke := 0
		svc.SetNotices(employer.Notices{Text: func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }, Wake: func() { woke++ }})
		msgs, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		teemu, eeva, tuula := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva"), access.AsCustomer("demo-person-tuula")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
		if _, err := db.SQL().Exec(`UPDATE persons SET lang = 'sv' WHERE id = 'demo-person-teemu'`); err != nil {
			t.Fatal(err)
		}
		var address string
		if err := db.SQL().QueryRow(`SELECT address FROM notification_consents WHERE person_id = 'demo-person-teemu' AND verified`).Scan(&address); err != nil {
			t.Fatalf("Teemu has no verified address in the demo: %v", err)
		}
		app, err := svc.Apply(ctx, teemu, orgs.Employer, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, anna, app.ID, employer.Decision{Approve: true, AmountCents: 81250}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, anna, app.ID, employer.Decision{Reason: "again"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("decided twice: %v", err)
		}
		// Eeva sees the decision in the organisation's threads, in Swedish.
		f, _, err := msgs.OrgFolder(ctx, eeva, orgs.Employer, 1)
		if err != nil || f.Total != 1 || f.Unread != 1 || f.Threads[0].Title != "Beslut: ansökan godkänd" || f.Threads[0].Subject != "employer" {
			t.Fatalf("the organisation's folder: %+v %v", f, err)
		}
		th, ms, _, err := msgs.OrgThread(ctx, eeva, orgs.Employer, f.Threads[0].ID)
		if err != nil || len(ms) != 1 || ms[0].Author != message.AuthorSystem || !strings.Contains(ms[0].Body, "812,50") ||
			!strings.Contains(ms[0].Body, "Sjukdagpenning") || strings.Contains(ms[0].Body, in.Employee) || th.UnitID != employer.DefaultNoticeUnit {
			t.Fatalf("the decision's message: %+v %+v %v", th, ms, err)
		}
		// The firm's employee, acting for a client, sees none of it.
		if f, _, err := msgs.OrgFolder(ctx, tuula, orgs.Clients[5], 1); err != nil || f.Total != 0 {
			t.Errorf("a client's folder: %+v %v", f, err)
		}
		// One e-mail notice, to Teemu's address, in Swedish, naming no amount.
		var n int
		var kind, to, lang, person, thread string
		if err := db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'employer_decision'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d notices: %v", n, err)
		}
		if err := db.SQL().QueryRow(`SELECT kind, recipient, lang, person_id, thread_id FROM outbox WHERE kind = 'employer_decision'`).
			Scan(&kind, &to, &lang, &person, &thread); err != nil {
			t.Fatal(err)
		}
		if to != address || lang != "sv" || person != "demo-person-teemu" || thread != th.ID || woke != 1 {
			t.Errorf("the notice: to %s lang %s person %s thread %s (want %s), woke %d", to, lang, person, thread, th.ID, woke)
		}
		for _, l := range []string{"fi", "sv", "en"} {
			for _, k := range []string{"employer.notice.mail.subject", "employer.notice.mail.text", "employer.notice.mail.sms"} {
				if text := cat.For(l).T(k); strings.Contains(text, "812") || strings.Contains(text, "{{") {
					t.Errorf("%s %s carries data: %s", l, k, text)
				}
			}
		}

		// A refusal, by an applicant without a proved address: the message
		// with the reason, no e-mail.
		if _, err := db.SQL().Exec(`UPDATE notification_consents SET verified = FALSE WHERE person_id = 'demo-person-eeva'`); err != nil {
			t.Fatal(err)
		}
		in.Benefit = "parental"
		app2, err := svc.Apply(ctx, eeva, orgs.Employer, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, anna, app2.ID, employer.Decision{Reason: "Palkkaa ei maksettu."}); err != nil {
			t.Fatal(err)
		}
		f, _, _ = msgs.OrgFolder(ctx, teemu, orgs.Employer, 1)
		if f.Total != 2 || f.Threads[0].Title != "Päätös: hakemus hylätty" {
			t.Fatalf("after the refusal: %+v", f)
		}
		_, ms, _, _ = msgs.OrgThread(ctx, teemu, orgs.Employer, f.Threads[0].ID)
		if len(ms) != 1 || !strings.Contains(ms[0].Body, "Palkkaa ei maksettu.") || !strings.Contains(ms[0].Body, "Vanhempainpäiväraha") {
			t.Errorf("the refusal's message: %+v", ms)
		}
		if db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'employer_decision'`).Scan(&n); n != 1 || woke != 1 {
			t.Errorf("%d notices after a refusal to an unproved address, woke %d", n, woke)
		}
	})
}
