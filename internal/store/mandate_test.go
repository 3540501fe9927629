package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func mandateSvc(t testing.TB, db *store.DB) *mandate.Service {
	t.Helper()
	svc, err := mandate.NewService(db.Mandates(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// seedMandateDemo writes the demo people and organisations and imports the
// demo feed, as serve does.
func seedMandateDemo(t testing.TB, db *store.DB) (demo.Data, demo.MandateOrgs) {
	t.Helper()
	ctx := context.Background()
	d, err := demo.SetOn(civil.Of(db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	units, contacts, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	feed, orgs, err := demo.MandateFeed(d, civil.Today(db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := mandateSvc(t, db).Import(ctx, access.AsSystem("demo"), bytes.NewReader(feed))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != res.Lines || res.Lines < demo.FirmClients {
		t.Fatalf("demo import %+v", res)
	}
	return d, orgs
}

func TestMandateDemoDecisions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, orgs := seedMandateDemo(t, db)
		svc := mandateSvc(t, db)
		check := func(person, org, issue string, want mandate.Result, code mandate.Code) {
			t.Helper()
			d, err := svc.Check(ctx, access.AsCustomer(person), mandate.Query{Org: org, Issue: issue})
			if err != nil {
				t.Fatal(err)
			}
			if d.Result != want || d.Reasons[0].Code != code {
				t.Errorf("%s for %s on %s: %s %+v, want %s %s", person, org, issue, d.Result, d.Reasons, want, code)
			}
		}
		EB := "employer_benefits"
		check("demo-person-teemu", orgs.Employer, EB, mandate.Allowed, mandate.DirectMandate)
		check("demo-person-tuula", orgs.Clients[4321], EB, mandate.Allowed, mandate.FirmChain)
		check("demo-person-tuula", orgs.Firm, EB, mandate.Disallowed, mandate.WrongType)
		check("demo-person-raili", orgs.Cafe, EB, mandate.Allowed, mandate.FirmChain)
		check("demo-person-raili", orgs.Clients[99], EB, mandate.Disallowed, mandate.Restricted)
		check("demo-person-veikko", orgs.Employer, EB, mandate.Disallowed, mandate.Expired)
		check("demo-person-vilma", orgs.Cafe, EB, mandate.Disallowed, mandate.WrongType)
		check("demo-person-aino", orgs.Employer, EB, mandate.Disallowed, mandate.IssueNotCovered)
		check("demo-person-matti", orgs.Employer, EB, mandate.Disallowed, mandate.NoMandate)

		// Every decision is audited with its reasons, by customer ID.
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'mandate.decide' AND subject_id = 'demo-person-raili' AND detail LIKE '%reason=restricted/firm:DEMO-TT-RAILI%'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit of the restricted decision: %d %v", n, err)
		}

		// The chooser: 5,001 clients for Tuula, searchable and paginated.
		page, err := svc.Chooser(ctx, access.AsCustomer("demo-person-tuula"), "", 2)
		if err != nil {
			t.Fatal(err)
		}
		if page.All != demo.FirmClients+1 || page.Page != 2 || len(page.Items) != mandate.ChooserSize || page.Pages != (demo.FirmClients+1+19)/20 {
			t.Errorf("Tuula's chooser: all %d page %d/%d items %d", page.All, page.Page, page.Pages, len(page.Items))
		}
		page, _ = svc.Chooser(ctx, access.AsCustomer("demo-person-tuula"), "kahvila", 1)
		if page.Total != 1 || page.Items[0].BusinessID != orgs.Cafe || page.Items[0].Name != "Kahvila Demo Ky" || len(page.Items[0].Issues) != 4 {
			t.Errorf("search kahvila: %+v", page)
		}
		page, _ = svc.Chooser(ctx, access.AsCustomer("demo-person-tuula"), orgs.Clients[10], 1)
		if page.Total != 1 || page.Items[0].BusinessID != orgs.Clients[10] {
			t.Errorf("search by business ID: %+v", page)
		}
		page, _ = svc.Chooser(ctx, access.AsCustomer("demo-person-raili"), "", 1)
		if page.All != 3 {
			t.Errorf("Raili sees %d organisations, want 3", page.All)
		}
		page, _ = svc.Chooser(ctx, access.AsCustomer("demo-person-veikko"), "", 1)
		if page.All != 0 {
			t.Errorf("Veikko sees %d organisations", page.All)
		}

		// Case 1: Veikko cannot enter; his expired mandate is named.
		dg, err := svc.Diagnose(ctx, access.AsCustomer("demo-person-veikko"), mandate.CannotEnter, "", "")
		if err != nil || dg.Steps[0].Key != "mandate.advice.expired.own" || dg.Steps[0].Ask == nil {
			t.Errorf("case 1: %+v %v", dg, err)
		}
		// Case 2: Vilma does not find Kahvila: the wrong type from the firm.
		dg, err = svc.Diagnose(ctx, access.AsCustomer("demo-person-vilma"), mandate.OrgMissing, orgs.Cafe, "")
		if err != nil || dg.Steps[0].Key != "mandate.advice.wrong_type.firm" || dg.Steps[0].Ask.Principal != orgs.Firm || dg.OrgName != "" {
			t.Errorf("case 2: %+v %v", dg, err)
		}
		// A business ID nobody linked her to: no name, nothing but "no mandate".
		dg, _ = svc.Diagnose(ctx, access.AsCustomer("demo-person-vilma"), mandate.OrgMissing, orgs.Employer, "")
		if dg.OrgName != "" || dg.Steps[0].Key != "mandate.advice.no_mandate.own" {
			t.Errorf("case 2, unrelated organisation: %+v", dg)
		}
		// Case 3: Aino chose Demo Rakennus but cannot apply.
		dg, _ = svc.Diagnose(ctx, access.AsCustomer("demo-person-aino"), mandate.Refused, orgs.Employer, EB)
		if dg.Steps[0].Key != "mandate.advice.issue_not_covered.own" || dg.Steps[0].Ask.Type != mandate.Transaction {
			t.Errorf("case 3: %+v", dg)
		}
		_, err = svc.Diagnose(ctx, access.AsCustomer("demo-person-aino"), mandate.Refused, "0737546-1", EB)
		if fault.KeyOf(err) != "mandate.error.business_id" {
			t.Errorf("malformed business ID: %v", err)
		}

		// Vilma asks the firm for the representation mandate it should
		// have given: Eeva, who holds the firm's right to grant them, is
		// told by e-mail, accepts, and Vilma is told and let in.
		svc.SetNotices("https://etuus.example/employer/requests", nil)
		req, notified, err := svc.RequestMandate(ctx, access.AsCustomer("demo-person-vilma"), mandate.Ask{Principal: orgs.Firm, Type: mandate.Representation, Issue: EB})
		if err != nil || notified != 1 {
			t.Fatalf("request: %d notified, %v", notified, err)
		}
		// The same request again while it waits is refused, and nobody is
		// e-mailed twice.
		if _, _, err := svc.RequestMandate(ctx, access.AsCustomer("demo-person-vilma"), mandate.Ask{Principal: orgs.Firm, Type: mandate.Representation, Issue: EB}); fault.KeyOf(err) != "mandate.error.request_pending" {
			t.Errorf("the same request twice: %v", err)
		}
		var to, payload string
		if err := db.SQL().QueryRowContext(ctx, `SELECT recipient, payload FROM outbox WHERE kind = 'mandate_request'`).Scan(&to, &payload); err != nil || to != "eeva.esimies@example.fi" || payload != "https://etuus.example/employer/requests" {
			t.Errorf("notice to %q: %q %v", to, payload, err)
		}
		if _, err := svc.AnswerRequest(ctx, access.AsCustomer("demo-person-tuula"), req.ID, true); !fault.Is(err, fault.NotFound) {
			t.Errorf("a person without the right answered: %v", err)
		}
		_, toAnswer, err := svc.Requests(ctx, access.AsCustomer("demo-person-eeva"))
		if err != nil || len(toAnswer) != 1 || toAnswer[0].ID != req.ID {
			t.Fatalf("Eeva's requests to answer: %+v %v", toAnswer, err)
		}
		if _, err := svc.AnswerRequest(ctx, access.AsCustomer("demo-person-eeva"), req.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AnswerRequest(ctx, access.AsCustomer("demo-person-eeva"), req.ID, false); !fault.Is(err, fault.Conflict) {
			t.Errorf("answered twice: %v", err)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT recipient FROM outbox WHERE kind = 'mandate_answer'`).Scan(&to); err != nil || to != "vilma.vaaratyyppi@example.fi" {
			t.Errorf("answer notice to %q: %v", to, err)
		}
		check("demo-person-vilma", orgs.Cafe, EB, mandate.Allowed, mandate.FirmChain)
		mine, _, _ := svc.Requests(ctx, access.AsCustomer("demo-person-vilma"))
		if len(mine) != 1 || mine[0].Status != mandate.RequestAccepted {
			t.Errorf("Vilma's requests: %+v", mine)
		}
		// A day's requests are bounded: each e-mails other people.
		n, refused := 1, false
		for _, asks := range [][2]any{{orgs.Employer, mandate.Transaction}, {orgs.Employer, mandate.Representation}, {orgs.Cafe, mandate.Transaction}} {
			for _, issue := range svc.Catalogue().Keys() {
				org, typ := asks[0].(string), asks[1].(mandate.Type)
				_, _, err := svc.RequestMandate(ctx, access.AsCustomer("demo-person-vilma"), mandate.Ask{Principal: org, Type: typ, Issue: issue})
				switch {
				case err == nil:
					n++
				case fault.KeyOf(err) == "mandate.error.too_many_requests":
					if n != mandate.MaxRequestsPerDay {
						t.Errorf("refused after %d requests; want %d", n, mandate.MaxRequestsPerDay)
					}
					refused = true
				default:
					t.Fatalf("request %s %s %s: %v", org, typ, issue, err)
				}
			}
		}
		if !refused {
			t.Errorf("%d requests in a day were all sent", n)
		}
	})
}

func TestMandateImportChangesRevokesAndRefuses(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := mandateSvc(t, db)
		p := &customer.Person{ID: "p-1", HETU: "010403A998U", GivenName: "A", FamilyName: "B", Lang: "fi"}
		if err := db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		today := civil.Today(db.Now())
		line := func(id, end string) string {
			return `{"id":"` + id + `","principal":{"kind":"organisation","id":"2077474-0","name":"Firma Oy"},"agent":{"kind":"person","id":"010403A998U"},"type":"transaction","issues":["employer_benefits"],"start":"` + today.AddDays(-10).String() + `","end":"` + end + `"}`
		}
		cli := access.AsSystem("cli")
		feed := line("M-1", today.AddDays(10).String()) + "\n" + line("M-2", today.AddDays(10).String()) + "\n"
		res, err := svc.Import(ctx, cli, strings.NewReader(feed))
		if err != nil || res.Added != 2 {
			t.Fatalf("first import %+v %v", res, err)
		}
		res, err = svc.Import(ctx, cli, strings.NewReader(feed))
		if err != nil || res.Unchanged != 2 || res.Added+res.Changed+res.Revoked != 0 {
			t.Fatalf("again: %+v %v", res, err)
		}
		allowed := func() bool {
			d, err := svc.Check(ctx, access.AsCustomer("p-1"), mandate.Query{Org: "2077474-0", Issue: "employer_benefits"})
			if err != nil {
				t.Fatal(err)
			}
			return d.Allowed()
		}
		if !allowed() {
			t.Fatal("not allowed after import")
		}
		// A bad line refuses the whole file, naming the line: nothing changes.
		bad := `{"id":"M-1","op":"revoke"}` + "\n" + `{"id":"M-2","op":"revoke"}` + "\n" + line("M-3", today.AddDays(-20).String()) + "\n"
		_, err = svc.Import(ctx, cli, strings.NewReader(bad))
		if fault.KeyOf(err) != "mandate.error.feed_line" || fault.DataOf(err)["Line"] != 3 || fault.DataOf(err)["Reason"] != "mandate.error.end_before_start" {
			t.Fatalf("bad feed: %v %v", err, fault.DataOf(err))
		}
		if !allowed() {
			t.Fatal("a refused feed revoked a mandate")
		}
		// An organisation neither known nor named refuses the file too.
		unknown := `{"id":"M-9","principal":{"kind":"organisation","id":"1572860-0"},"agent":{"kind":"person","id":"010403A998U"},"type":"transaction","issues":["decisions"],"start":"2026-01-01","end":"2026-02-01"}`
		_, err = svc.Import(ctx, cli, strings.NewReader(feed+unknown+"\n"))
		if fault.DataOf(err)["Reason"] != "mandate.error.unknown_organisation" || fault.DataOf(err)["Line"] != 3 {
			t.Fatalf("unknown organisation: %v", err)
		}
		// A change (ended yesterday) and a revocation take effect at once.
		res, err = svc.Import(ctx, cli, strings.NewReader(line("M-1", today.AddDays(-1).String())+"\n"+`{"id":"M-2","op":"revoke"}`+"\n"+`{"id":"M-404","op":"revoke"}`+"\n"))
		if err != nil || res.Changed != 1 || res.Revoked != 1 || res.UnknownRevoked != 1 {
			t.Fatalf("changes: %+v %v", res, err)
		}
		d, _ := svc.Check(ctx, access.AsCustomer("p-1"), mandate.Query{Org: "2077474-0", Issue: "employer_benefits"})
		if d.Allowed() || len(d.Reasons) != 2 || d.Reasons[0].Code != mandate.Expired || d.Reasons[1].Code != mandate.Revoked {
			t.Errorf("after change and revocation: %+v", d)
		}
		// Putting a revoked mandate back in force is a change.
		res, _ = svc.Import(ctx, cli, strings.NewReader(line("M-2", today.AddDays(10).String())+"\n"))
		if res.Changed != 1 || !allowed() {
			t.Errorf("restored: %+v", res)
		}
		// Staff look-up needs the permission and is audited.
		if _, err := svc.Lookup(ctx, access.AsStaff("s-1", "recovery", "operations"), "2077474-0"); !fault.Is(err, fault.Forbidden) {
			t.Errorf("look-up without permission: %v", err)
		}
		ms, err := svc.Lookup(ctx, access.AsStaff("s-1", "recovery", "specialist"), "2077474-0")
		if err != nil || len(ms) != 2 {
			t.Errorf("look-up: %d %v", len(ms), err)
		}
		ms, _ = svc.Lookup(ctx, access.AsStaff("s-1", "recovery", "specialist"), "M-2")
		if len(ms) != 1 || ms[0].Revoked {
			t.Errorf("look-up by ID: %+v", ms)
		}
		// Each look-up is one entry naming what was looked up and one
		// view of the customers it showed, which reaches their access log.
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT count(*) FROM audit_log WHERE action = 'staff.mandate_lookup'`); n != 4 {
			t.Errorf("%d look-up entries, want 2 and 2 views", n)
		}
		if n := count(`SELECT count(*) FROM audit_views v JOIN audit_subject_sets s ON s.set_key = v.set_key
			WHERE s.subject_id = 'p-1' AND v.action = 'staff.mandate_lookup'`); n != 2 {
			t.Errorf("the person is listed in %d look-up views, want 2", n)
		}
		// A partner system's question about a person names the customer.
		if _, err := svc.Check(ctx, access.AsSystem("api-client:c-1"), mandate.Query{Person: "010403A998U", Org: "2077474-0", Issue: "employer_benefits"}); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT count(*) FROM audit_log WHERE action = 'mandate.decide' AND actor_id = 'api-client:c-1' AND subject_id = 'p-1'`); n != 1 {
			t.Errorf("%d partner decisions name the customer, want 1", n)
		}
	})
}
