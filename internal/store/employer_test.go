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
// one application racing decide it once, and tell the organisation and
// the employee once.
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
		var employee, rows int
		db.SQL().QueryRow(`SELECT count(*) FROM threads WHERE party_kind = 'customer' AND party_id = 'demo-person-matti'
			AND subject = $1`, employer.EmployeeNoticeSubject).Scan(&employee)
		db.SQL().QueryRow(`SELECT count(*) FROM employer_employee_notices`).Scan(&rows)
		if ok != 1 || conflicts != 7 || decisions != 1 || told != 1 || employee != 1 || rows != 1 {
			t.Errorf("%d decided, %d conflicts, %d audited, %d told to the organisation, %d to the employee (%d rows)",
				ok, conflicts, decisions, told, employee, rows)
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

// telling has svc tell its decisions with the catalogue's texts,
// counting the worker's wakes, and gives the catalogue and the message
// service to read what was told.
func telling(t *testing.T, db *store.DB, svc *employer.Service) (*i18n.Catalog, *message.Service, *int) {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	woke := new(int)
	svc.SetNotices(employer.Notices{Text: func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) },
		Wake: func() { *woke++ }})
	msgs, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
	if err != nil {
		t.Fatal(err)
	}
	return cat, msgs, woke
}

// approvedTwice has the person apply for the organisation, staff approve
// the amount, and staff decide it again, which must be a conflict.
func approvedTwice(t *testing.T, svc *employer.Service, who access.Actor, org string, in employer.Input, cents int64) employer.Application {
	t.Helper()
	ctx := context.Background()
	anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
	app, err := svc.Apply(ctx, who, org, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, anna, app.ID, employer.Decision{Approve: true, AmountCents: cents}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, anna, app.ID, employer.Decision{Reason: "again"}); !fault.Is(err, fault.Conflict) {
		t.Fatalf("decided twice: %v", err)
	}
	return app
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
		cat, msgs, woke := telling(t, db, svc)
		teemu, eeva, tuula := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva"), access.AsCustomer("demo-person-tuula")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
		if _, err := db.SQL().Exec(`UPDATE persons SET lang = 'sv' WHERE id = 'demo-person-teemu'`); err != nil {
			t.Fatal(err)
		}
		// The employee's notices are TestEmployerEmployeeNotices's: here
		// Matti chose none, so every wake is the organisation's.
		if _, err := db.SQL().Exec(`DELETE FROM notification_consents WHERE person_id = 'demo-person-matti'`); err != nil {
			t.Fatal(err)
		}
		var address string
		if err := db.SQL().QueryRow(`SELECT address FROM notification_consents WHERE person_id = 'demo-person-teemu' AND verified`).Scan(&address); err != nil {
			t.Fatalf("Teemu has no verified address in the demo: %v", err)
		}
		approvedTwice(t, svc, teemu, orgs.Employer, in, 81250)
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
		if to != address || lang != "sv" || person != "demo-person-teemu" || thread != th.ID || *woke != 1 {
			t.Errorf("the notice: to %s lang %s person %s thread %s (want %s), woke %d", to, lang, person, thread, th.ID, *woke)
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
		if db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'employer_decision'`).Scan(&n); n != 1 || *woke != 1 {
			t.Errorf("%d notices after a refusal to an unproved address, *woke %d", n, *woke)
		}
	})
}

// TestEmployerEmployeeNotices: a decision is told to the employee whose
// identity code the application names, in the decision's transaction — a
// message in their own inbox, in their language, naming the employer, the
// benefit, the period and the amount or the reason (never the employer's
// account), which they can answer, and one notice by their choice — once
// however the decision is retried; the employee's list links to it. A
// code of no customer is told nothing, and the decision still stands.
func TestEmployerEmployeeNotices(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, orgs, in := employerSetup(t, db, -20, -1)
		_, msgs, woke := telling(t, db, svc)
		teemu, matti := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-matti")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		// Matti reads Swedish and chose e-mail notices to a proved address.
		exec(`UPDATE persons SET lang = 'sv' WHERE id = 'demo-person-matti'`)
		exec(`DELETE FROM notification_consents WHERE person_id = 'demo-person-matti'`)
		exec(`INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
			VALUES ('demo-person-matti', TRUE, 'email', 'matti@example.fi', TRUE, $1)`, db.Now())
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		mattiThreads := func() int {
			return count(`SELECT count(*) FROM threads WHERE party_kind = 'customer' AND party_id = 'demo-person-matti'`)
		}
		mattiNotices := func(channel string) int {
			return count(`SELECT count(*) FROM outbox WHERE person_id = 'demo-person-matti' AND kind = $1 AND channel = $2`,
				string(message.NoticeNewMessage), channel)
		}
		threadsBefore := mattiThreads()

		// Decided again (a second click, a retried request): a conflict,
		// and nobody is told twice.
		app := approvedTwice(t, svc, teemu, orgs.Employer, in, 81250)
		if n := mattiThreads() - threadsBefore; n != 1 {
			t.Fatalf("%d threads for the employee, want 1", n)
		}
		if n := mattiNotices("email"); n != 1 || *woke != 1 {
			t.Fatalf("%d e-mail notices to the employee (*woke %d), want 1", n, *woke)
		}
		var to, lang, thread string
		if err := db.SQL().QueryRow(`SELECT recipient, lang, thread_id FROM outbox WHERE person_id = 'demo-person-matti' AND kind = $1`,
			string(message.NoticeNewMessage)).Scan(&to, &lang, &thread); err != nil {
			t.Fatal(err)
		}
		if to != "matti@example.fi" || lang != "sv" {
			t.Errorf("the notice went to %s in %s", to, lang)
		}
		// The message: in his inbox, in Swedish, routed to the unit that
		// decides these; the employer by name and business ID, the benefit,
		// the amount; not the account, nor the salary.
		th, ms, err := msgs.Thread(ctx, matti, thread)
		if err != nil || len(ms) != 1 || ms[0].Author != message.AuthorSystem || th.UnitID != employer.DefaultNoticeUnit ||
			th.Subject != employer.EmployeeNoticeSubject || th.Specification != employer.EmployeeNoticeSpecification ||
			th.Title != "Beslut: din arbetsgivares ansökan om dagpenning godkänd" {
			t.Fatalf("the employee's message: %+v %+v %v", th, ms, err)
		}
		for _, w := range []string{"Demo Rakennus Oy", orgs.Employer, "Sjukdagpenning", "812,50"} {
			if !strings.Contains(ms[0].Body, w) {
				t.Errorf("no %q in %q", w, ms[0].Body)
			}
		}
		for _, no := range []string{"FI21", "0785", "1000,00"} {
			if strings.Contains(ms[0].Body, no) {
				t.Errorf("%q in the employee's message: %q", no, ms[0].Body)
			}
		}
		// He can answer it; the answer reaches the unit's queue.
		if _, err := msgs.Reply(ctx, matti, thread, "Miksi työnantajalle?", nil); err != nil {
			t.Errorf("the employee's answer: %v", err)
		}
		// Another customer does not see it.
		if _, _, err := msgs.Thread(ctx, teemu, thread); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer opened the employee's message: %v", err)
		}
		// His list links to it.
		mine, err := svc.ForEmployee(ctx, matti)
		if err != nil || len(mine) != 1 || mine[0].EmployeeThread != thread {
			t.Errorf("the employee's list: %+v %v", mine, err)
		}

		// The store keeps it once an application: a second post (a retried
		// transaction) writes nothing.
		err = db.Employer().InTx(ctx, func(tx employer.Tx) error {
			n := employer.EmployeeNotice{ApplicationID: app.ID, PersonID: "demo-person-matti", Lang: "fi", UnitID: employer.DefaultNoticeUnit,
				Title: "x", Body: "x"}
			posted, err := tx.PostEmployeeNotice(ctx, &n)
			if err == nil && posted {
				t.Errorf("posted twice for one application")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		// A refusal, with SMS chosen: the reason, one SMS notice.
		exec(`UPDATE notification_consents SET channel = 'sms', address = '+358401234567', verified = TRUE WHERE person_id = 'demo-person-matti'`)
		in2 := in
		in2.Benefit = "parental"
		app2, err := svc.Apply(ctx, teemu, orgs.Employer, in2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, anna, app2.ID, employer.Decision{Reason: "Palkkaa ei maksettu."}); err != nil {
			t.Fatal(err)
		}
		if n, sms := mattiThreads()-threadsBefore, mattiNotices("sms"); n != 2 || sms != 1 {
			t.Errorf("after the refusal: %d threads, %d SMS notices", n, sms)
		}
		mine, _ = svc.ForEmployee(ctx, matti)
		if len(mine) != 2 || mine[0].ID != app2.ID || mine[0].EmployeeThread == "" {
			t.Fatalf("the employee's list after the refusal: %+v", mine)
		}
		if _, ms, err := msgs.Thread(ctx, matti, mine[0].EmployeeThread); err != nil || !strings.Contains(ms[0].Body, "Palkkaa ei maksettu.") {
			t.Errorf("the refusal's message: %+v %v", ms, err)
		}

		// The code of no customer: the decision stands, nobody is told
		// but the organisation.
		in3 := in
		in3.Employee = "131052-308T"
		app3, err := svc.Apply(ctx, teemu, orgs.Employer, in3)
		if err != nil {
			t.Fatal(err)
		}
		threads, outbox := count(`SELECT count(*) FROM threads WHERE party_kind = 'customer'`),
			count(`SELECT count(*) FROM outbox WHERE kind <> 'employer_decision'`)
		if _, err := svc.Decide(ctx, anna, app3.ID, employer.Decision{Approve: true, AmountCents: 5000}); err != nil {
			t.Fatalf("deciding for a code of no customer: %v", err)
		}
		if n := count(`SELECT count(*) FROM threads WHERE party_kind = 'customer'`); n != threads {
			t.Errorf("%d customer threads after deciding for no customer, want %d", n, threads)
		}
		if n := count(`SELECT count(*) FROM outbox WHERE kind <> 'employer_decision'`); n != outbox {
			t.Errorf("%d notices after deciding for no customer, want %d", n, outbox)
		}
		if n := count(`SELECT count(*) FROM employer_employee_notices WHERE application_id = $1`, app3.ID); n != 0 {
			t.Errorf("%d employee notices for no customer", n)
		}
	})
}
