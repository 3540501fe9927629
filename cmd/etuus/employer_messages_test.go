package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

var orgThreadLink = regexp.MustCompile(`/employer/org/[0-9-]+/messages/([0-9a-f-]{36})`)

// TestEmployerMessagesEndToEnd: the demo employer's person writes to Kela
// for Demo Rakennus Oy, Benefit Services' staff see the organisation (not
// the person) in their queue and answer, another of the organisation's
// people reads the answer; a person without the messages mandate is sent
// to the diagnosis, another organisation's thread is 404; staff's
// decision of the organisation's application arrives as a message in its
// threads and as an e-mail without data to the person who applied.
func TestEmployerMessagesEndToEnd(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	base := "/employer/org/" + orgs.Employer + "/messages"

	teemu := e.signedIn(t, "demo-person-teemu")
	e.page(t, teemu, "/employer/org/"+orgs.Employer, 200, `href="`+base+`"`)
	// The demo's decision is already there, told to the organisation.
	e.page(t, teemu, base, 200, "Päätös: hakemus hyväksytty", `href="`+base+`/new"`)
	e.page(t, teemu, base+"/new", 200, `id="topic"`, `value="employer.reimbursement"`)
	if body := e.page(t, teemu, base+"/new", 200); strings.Contains(body, `value="recovery.`) {
		t.Error("the organisation is offered a customer's subject")
	}

	form := url.Values{"topic": {""}, "title": {"Palkkatodistus"}, "body": {" "}}
	resp, body := e.post(teemu, base, form)
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#topic"`) || !strings.Contains(body, `href="#body"`) {
		t.Fatalf("an empty message: %d\n%s", resp.StatusCode, body)
	}
	form = url.Values{"topic": {"employer.reimbursement"}, "title": {"Palkkatodistus"}, "body": {"Lähetämme palkkatodistuksen postitse."}}
	resp, body = e.post(teemu, base, form)
	m := orgThreadLink.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, "Viesti on lähetetty") || !strings.Contains(body, "Lähetämme palkkatodistuksen") {
		t.Fatalf("send: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	thread := m[1]

	// No mandate on the messages issue: refused, with the way to the
	// diagnosis of that issue.
	aino := e.signedIn(t, "demo-person-aino")
	e.page(t, aino, base, 403, "/employer/org/"+orgs.Employer+"/diagnosis?issue=employer_messages")
	e.page(t, aino, base+"/"+thread, 403)
	if resp, _ := e.post(aino, base, form); resp.StatusCode != 403 {
		t.Errorf("write without the mandate: %d", resp.StatusCode)
	}
	e.page(t, aino, "/employer/org/"+orgs.Employer+"/diagnosis?issue=employer_messages", 200)
	// Another organisation's people: 404 by ID, and nothing of it in their
	// own organisation's list.
	tuula := e.signedIn(t, "demo-person-tuula")
	client := "/employer/org/" + orgs.Clients[2] + "/messages"
	e.page(t, tuula, client+"/"+thread, 404)
	if resp, _ := e.post(tuula, client+"/"+thread, url.Values{"body": {"Hei"}}); resp.StatusCode != 404 {
		t.Errorf("a reply to another organisation's thread: %d", resp.StatusCode)
	}
	if body := e.page(t, tuula, client, 200); strings.Contains(body, thread) {
		t.Error("the employer's thread is listed for the firm's client")
	}
	e.page(t, teemu, base+"/not-a-thread", 404)
	// Teemu's own messages are his, not the organisation's.
	e.page(t, teemu, "/my/messages/"+thread, 404)

	// Benefit Services' queue: the organisation by name and business ID,
	// no person of it.
	eila := browser()
	e.signIn(eila, "test-staff", "staff-eila")
	body = e.page(t, eila, "/staff/messages", 200, "Organisaatio: Demo Rakennus Oy ("+orgs.Employer+")", "/staff/messages/"+thread)
	if strings.Contains(body, "Teemu") || regexp.MustCompile(`\d{6}[-+A]\d{3}[0-9A-Y]`).MatchString(body) {
		t.Error("the queue names a person of the organisation")
	}
	e.page(t, eila, "/staff/messages/"+thread, 200, "Demo Rakennus Oy ("+orgs.Employer+")", "Lähetämme palkkatodistuksen",
		"organisaation puolesta asioivat näkevät vastauksen")
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.page(t, anna, "/staff/messages/"+thread, 404)
	if resp, _ := e.postMultipart(eila, "/staff/messages/"+thread, url.Values{"body": {"Kiitos, todistus on saapunut."}}); resp.StatusCode != 200 {
		t.Fatalf("staff's answer: %d", resp.StatusCode)
	}

	// Eeva, of the same organisation, reads the answer and replies.
	eeva := e.signedIn(t, "demo-person-eeva")
	e.page(t, eeva, base, 200, "Palkkatodistus", "Vastattu")
	e.page(t, eeva, base+"/"+thread, 200, "Kiitos, todistus on saapunut.", "Lähetämme palkkatodistuksen")
	resp, body = e.post(eeva, base+"/"+thread, url.Values{"body": {" "}})
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#body"`) {
		t.Errorf("an empty reply: %d", resp.StatusCode)
	}
	if resp, _ := e.post(eeva, base+"/"+thread, url.Values{"body": {"Hyvä, kiitos."}}); resp.StatusCode != 200 || !strings.HasSuffix(resp.Request.URL.String(), "?sent=1") {
		t.Errorf("reply: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	e.page(t, eila, "/staff/messages/"+thread, 200, "Hyvä, kiitos.")

	// A decision arrives as a message in the organisation's threads and as
	// an e-mail without data to Teemu, who applied.
	today := civil.Today(time.Now())
	apps := "/employer/org/" + orgs.Employer + "/applications"
	resp, _ = e.post(teemu, apps, url.Values{"benefit": {"sickness"}, "employee": {"241198-998U"}, "start": {today.AddDays(-9).String()},
		"end": {today.AddDays(-2).String()}, "salary": {"1 000"}, "iban": {"FI21 1234 5600 0007 85"}})
	am := appLink.FindStringSubmatch(resp.Request.URL.Path)
	if am == nil {
		t.Fatalf("apply: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if resp, _ := e.post(anna, "/staff/employer/"+am[1], url.Values{"decision": {"refuse"}, "reason": {"Palkkaa ei ole maksettu sairausajalta."}}); resp.StatusCode != 200 {
		t.Fatalf("refuse: %d", resp.StatusCode)
	}
	body = e.page(t, teemu, base, 200, "Päätös: hakemus hylätty")
	dm := regexp.MustCompile(`href="` + regexp.QuoteMeta(base) + `/([0-9a-f-]{36})">Päätös: hakemus hylätty`).FindStringSubmatch(body)
	if dm == nil {
		t.Fatalf("no decision thread in\n%s", body)
	}
	e.page(t, teemu, base+"/"+dm[1], 200, "Palkkaa ei ole maksettu sairausajalta.", "Sairauspäiväraha", "241198-****")
	mail := e.waitMail(1)
	if len(mail.To) != 1 || !strings.Contains(mail.To[0], "teemu") || !strings.Contains(mail.Subject, "organisaation") {
		t.Errorf("the notice: to %v, %q", mail.To, mail.Subject)
	}
	if strings.Contains(mail.Text, "Palkkaa") || strings.Contains(mail.Text, "241198") || strings.Contains(mail.Text, "Teemu") ||
		strings.Contains(mail.Text, "Demo Rakennus") {
		t.Errorf("the notice carries data:\n%s", mail.Text)
	}
	// Staff see the decision's thread in Benefit Services' queue too, from
	// the organisation, answered.
	e.page(t, eila, "/staff/messages/"+dm[1], 200, "Palkkaa ei ole maksettu")

	// Swedish and English.
	e.get(teemu, "/lang/sv")
	e.page(t, teemu, base+"/new", 200, "Nytt meddelande till FPA", "Arbetsgivarärenden")
	e.get(teemu, "/lang/en")
	// The decision's message stays in the language of the person who
	// applied.
	e.page(t, teemu, base, 200, "The organisation&#39;s messages", "Päätös: hakemus hylätty")

	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"thread.started", "thread.customer_reply", "thread.staff_reply", "mandate.decide"} {
		if !strings.Contains(acts, a) {
			t.Errorf("no %s in the audit log", a)
		}
	}
}
