package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/message"
)

// minimalPDF is a small but real PDF file.
const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

type upload struct{ field, name, content string }

// postMultipart sends a form with files, as a browser does.
func (e *running) postMultipart(c *http.Client, path string, form url.Values, files ...upload) (*http.Response, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			e.t.Fatal(err)
		}
		io.WriteString(w, f.content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.read(c.Do(req))
}

var (
	// sentCell is a notice's status cell saying it was sent.
	sentCell   = regexp.MustCompile(`<td[^>]*>Sent`)
	threadLink = regexp.MustCompile(`href="/(?:my|staff)/messages/([0-9a-f-]{36})"`)
	attLink    = regexp.MustCompile(`href="(/(?:my|staff)/messages/[0-9a-f-]{36}/attachments/[0-9a-f-]{36})"`)
)

// waitMail waits for the sink's nth message.
func (e *running) waitMail(n int) sink.Received {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ms, err := e.app.sink.WaitFor(ctx, n)
	if err != nil {
		e.t.Fatalf("mail %d did not arrive: %v", n, err)
	}
	return ms[n-1]
}

// TestMessagesEndToEnd is the walk-through over HTTP: a citizen
// sends a payment-plan message with a PDF, it lands in the Overpayment
// Recovery Centre's queue, staff answer, the citizen gets an e-mail notice
// without personal data and reads the answer.
func TestMessagesEndToEnd(t *testing.T) {
	e := startApp(t)
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")

	resp, body := e.get(maija, "/my/messages/new")
	if resp.StatusCode != 200 || !strings.Contains(body, "Recovery payment plan") || !strings.Contains(body, "Overpayment and recovery issues") {
		t.Fatalf("new message form: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"topic": {"recovery.payment_plan"}, "title": {"Plan for my debt"},
		"body": {"Could I pay <script>alert(1)</script> 50 euros a month?"}, "allow": {"yes"}, "channel": {"email"},
		"email": {"maija.meikalainen@example.fi"}}
	resp, body = e.postMultipart(maija, "/my/messages", form, upload{"attachments", "payslip.pdf", minimalPDF})
	if resp.StatusCode != 200 || !strings.Contains(body, "Your message has been sent") {
		t.Fatalf("send: %d\n%s", resp.StatusCode, body)
	}
	// The send shows the new thread itself, not a folder.
	thread, ok := strings.CutPrefix(resp.Request.URL.Path, "/my/messages/")
	if !ok || !strings.Contains(body, "<h1>Plan for my debt</h1>") {
		t.Fatalf("after sending: %s\n%s", resp.Request.URL, body)
	}
	if _, body := e.get(maija, "/my/messages?box=sent"); !strings.Contains(body, `href="/my/messages/`+thread+`"`) {
		t.Fatalf("no thread in the sent folder:\n%s", body)
	}

	// The Centre's queue has it; another unit's does not.
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body = e.get(anna, "/staff/messages?topic=recovery.payment_plan")
	if !strings.Contains(body, "Plan for my debt") || !strings.Contains(body, "Maija Meikäläinen") {
		t.Fatalf("the Centre's queue:\n%s", body)
	}
	kaisa := browser()
	e.signIn(kaisa, "test-staff", "staff-kaisa")
	if _, body := e.get(kaisa, "/staff/messages"); strings.Contains(body, "Plan for my debt") {
		t.Error("another unit's queue shows the thread")
	}
	if resp, _ := e.get(kaisa, "/staff/messages/"+thread); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another unit opens the thread: %d", resp.StatusCode)
	}

	// Staff read it (escaped), fetch the PDF, note and answer.
	_, body = e.get(anna, "/staff/messages/"+thread)
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(body, "<script>alert(1)") {
		t.Fatalf("the body is not escaped:\n%s", body)
	}
	a := attLink.FindStringSubmatch(body)
	if a == nil {
		t.Fatalf("no attachment link:\n%s", body)
	}
	resp, pdf := e.get(anna, a[1])
	if resp.StatusCode != 200 || pdf != minimalPDF || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("attachment for staff: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	e.postMultipart(anna, "/staff/messages/"+thread, url.Values{"body": {"Checked her income: fine."}, "internal": {"yes"}})
	resp, body = e.postMultipart(anna, "/staff/messages/"+thread, url.Values{"body": {"Yes, 50 euros a month is fine."}})
	if resp.StatusCode != 200 || !strings.Contains(body, "The answer is sent") {
		t.Fatalf("reply: %d\n%s", resp.StatusCode, body)
	}

	// The notice: to her verified demo address, with nothing personal.
	mail := e.waitMail(1)
	if len(mail.To) != 1 || mail.To[0] != "maija.meikalainen@example.fi" {
		t.Fatalf("notice went to %v", mail.To)
	}
	for _, secret := range []string{"50 euros", "Maija", "Meikäläinen", "010403A998U", "Plan for my debt", "payment plan"} {
		if strings.Contains(mail.Subject+mail.Text, secret) {
			t.Errorf("the notice carries %q:\n%s\n%s", secret, mail.Subject, mail.Text)
		}
	}
	// Staff see that it went.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body = e.get(anna, "/staff/messages/"+thread)
		if sentCell.MatchString(body) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !sentCell.MatchString(body) {
		t.Errorf("staff do not see the notice as sent:\n%s", body)
	}

	// Maija reads the answer, without the internal note.
	_, body = e.get(maija, "/my/messages")
	if !strings.Contains(body, "1 unread") {
		t.Errorf("inbox does not count the unread answer:\n%s", body)
	}
	_, body = e.get(maija, "/my/messages/"+thread)
	if !strings.Contains(body, "Yes, 50 euros a month is fine.") || strings.Contains(body, "Checked her income") {
		t.Fatalf("Maija's thread:\n%s", body)
	}
	if _, body = e.get(maija, "/my/messages"); strings.Contains(body, "unread") {
		t.Error("the thread is still unread after reading")
	}
	// She replies; the thread is open again in the queue.
	resp, _ = e.postMultipart(maija, "/my/messages/"+thread, url.Values{"body": {"Thank you!"}})
	if resp.StatusCode != 200 {
		t.Errorf("customer reply: %d", resp.StatusCode)
	}
	if _, body = e.get(anna, "/staff/messages?view=waiting"); !strings.Contains(body, "Plan for my debt") {
		t.Error("the reopened thread is not in the service-level view")
	}

	// Another customer gets 404 for her thread and her attachment, and
	// cannot reply in it.
	matti := browser()
	e.signIn(matti, "test-citizen", "demo-person-matti")
	myAtt := strings.Replace(a[1], "/staff/", "/my/", 1)
	for _, p := range []string{"/my/messages/" + thread, myAtt} {
		if resp, _ := e.get(matti, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another customer GET %s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := e.postMultipart(matti, "/my/messages/"+thread, url.Values{"body": {"hijack"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer replies: %d", resp.StatusCode)
	}
	if _, body := e.get(maija, "/my/messages/"+thread); !strings.Contains(body, `href="`+myAtt+`"`) {
		t.Errorf("her thread does not link her attachment %s", myAtt)
	}
	if resp, pdf := e.get(maija, myAtt); resp.StatusCode != 200 || pdf != minimalPDF {
		t.Errorf("her own attachment: %d", resp.StatusCode)
	}
	// Staff pages are not for customers, nor customer pages for staff.
	if resp, _ := e.get(maija, "/staff/messages/"+thread); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer on a staff page: %d", resp.StatusCode)
	}
	if resp, _ := e.get(anna, "/my/messages"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff on a customer page: %d", resp.StatusCode)
	}

	acts := strings.Join(e.auditActions(), ",")
	for _, want := range []string{"thread.started", "thread.queue_read", "thread.read", "thread.internal_note", "thread.staff_reply", "thread.customer_reply"} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
}

// TestMessageRefusals sends each kind of bad input and checks that it is
// refused in the user's language and stores nothing.
func TestMessageRefusals(t *testing.T) {
	e := startApp(t, func(c *config) { c.DevSMS = "false" })
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-johan")
	good := func() url.Values {
		return url.Values{"topic": {"recovery.payment_plan"}, "title": {"Title"}, "body": {"Text"}, "allow": {"no"}, "channel": {"none"}}
	}
	with := func(k, v string) url.Values { f := good(); f.Set(k, v); return f }
	pdf := upload{"attachments", "a.pdf", minimalPDF}
	tests := []struct {
		name   string
		form   url.Values
		files  []upload
		status int
		text   string
	}{
		{"unknown topic", with("topic", "recovery.nonsense"), nil, 422, "specification"},
		{"no topic", with("topic", ""), nil, 422, "subject"},
		{"retired topic", with("topic", "secure_email.other"), nil, 422, ""},
		{"empty body", with("body", "  "), nil, 422, "message"},
		{"long body", with("body", strings.Repeat("x", 10001)), nil, 422, "10"},
		{"identity code in title", with("title", "Debt of 241198-998U"), nil, 422, "identity code"},
		{"empty file", good(), []upload{{"attachments", "a.pdf", ""}}, 422, "empty"},
		{"unknown type", good(), []upload{{"attachments", "a.exe", "MZ\x90\x00binary"}}, 422, ""},
		{"mislabelled file", good(), []upload{{"attachments", "photo.png", minimalPDF}}, 422, ""},
		{"SMS without a gateway", consentForm(good(), "sms", "phone", "0401234567"), nil, 422, ""},
		{"too many files", good(), []upload{pdf, pdf, pdf, pdf, pdf, pdf}, 422, "5"},
		{"bad e-mail", func() url.Values {
			f := with("allow", "yes")
			f.Set("channel", "email")
			f.Set("email", "nope")
			return f
		}(), nil, 422, ""},
	}
	for _, tt := range tests {
		resp, body := e.postMultipart(c, "/my/messages", tt.form, tt.files...)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.text) || !strings.Contains(body, `class="alert error"`) {
			t.Errorf("%s: %d, want %d with %q", tt.name, resp.StatusCode, tt.status, tt.text)
		}
	}
	// Too large a file: refused by size.
	big := upload{"attachments", "big.pdf", minimalPDF + strings.Repeat("x", 10<<20)}
	if resp, body := e.postMultipart(c, "/my/messages", good(), big); resp.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, "too large") || !strings.Contains(body, `id="topic"`) {
		t.Errorf("oversized file: %d\n%s", resp.StatusCode, body)
	}
	// A new address with the hour's codes spent: neither the message nor
	// the choice is stored.
	for i := range 5 {
		resp, _ := e.post(c, "/my/notifications", consentForm(url.Values{}, "email", "email", fmt.Sprintf("j%d@example.fi", i)))
		if resp.StatusCode != 200 {
			t.Fatalf("address %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := e.postMultipart(c, "/my/messages", consentForm(good(), "email", "email", "j9@example.fi"))
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `id="topic"`) {
		t.Errorf("message with a sixth code in an hour: %d", resp.StatusCode)
	}
	if cons, _ := e.app.messages.Consent(context.Background(), access.AsCustomer("demo-person-johan")); cons.Address != "j4@example.fi" {
		t.Errorf("the refused choice was stored: %+v", cons)
	}
	f, err := e.app.messages.Folder(context.Background(), access.AsCustomer("demo-person-johan"), message.Inbox, 1)
	if err != nil || f.Total != 0 {
		t.Errorf("refused messages stored threads: %d %v", f.Total, err)
	}
	// Finnish for a Finnish user.
	fi := browser()
	e.signIn(fi, "test-citizen", "demo-person-maija")
	// A bad address on the settings page is refused without asking for a
	// code: her verified address stays.
	resp, body = e.post(fi, "/my/notifications", consentForm(url.Values{}, "email", "email", "nope"))
	if resp.StatusCode != 422 || strings.Contains(body, "/my/notifications/verify") {
		t.Errorf("settings with a bad address: %d\n%s", resp.StatusCode, body)
	}
	if _, body := e.postMultipart(fi, "/my/messages", with("body", "")); !strings.Contains(body, "Kirjoita") && !strings.Contains(body, "viesti") {
		t.Errorf("the refusal is not in Finnish:\n%s", body)
	}
}

// BenchmarkInboxPage is a signed-in citizen's inbox holding 200 threads
// (the first page of 20 shown, with the unread count) over loopback from 8
// parallel keep-alive clients.
func BenchmarkInboxPage(b *testing.B) {
	e := startApp(b)
	ctx := context.Background()
	for i := range 200 {
		_, _, err := e.app.messages.Send(ctx, access.AsCustomer("demo-person-maija"), message.Draft{Lang: "fi",
			Subject: "recovery", Specification: "payment_plan", Title: fmt.Sprintf("Message %d", i), Body: "Text"})
		if err != nil {
			b.Fatal(err)
		}
	}
	c := browser()
	e.signIn(c, "test-citizen", "demo-person-maija")
	if _, body := e.get(c, "/my/messages"); strings.Count(body, `href="/my/messages/0`) != 20 {
		b.Fatalf("the inbox does not show 20 threads:\n%s", body)
	}
	loopbackRate(b, c, e.base+"/my/messages")
}

func TestMessageSettingsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--attachment-types", "pdf,exe"}, `"exe" is not one of pdf, jpeg, png`},
		{[]string{"serve", "--attachment-max-mb", "0"}, "-attachment-max-mb: must be 1–25"},
		{[]string{"serve", "--attachment-max-files", "99"}, "-attachment-max-files: must be 1–10"},
		{[]string{"serve", "--clamd", "/run/clamd.ctl"}, "--clamd must be unix:"},
		{[]string{"worker"}, "give --smtp, --sms-url, --pay or several"},
		{[]string{"worker", "--smtp", "ftp://x"}, "--smtp"},
	} {
		args := append(tt.args, "--data", dir, "--addr", "127.0.0.1:0")
		if tt.args[0] == "worker" {
			args = append(tt.args, "--data", dir)
		}
		code, _, errOut := runCmd(t, args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v = %d %q; want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestWorkerCommand runs 'etuus worker' against a database where serve
// queued a notice, and stops it with the context.
func TestWorkerCommand(t *testing.T) {
	e := startApp(t, func(c *config) { c.OutboxWorker = false })
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-sanna"), message.Draft{Lang: "sv", Subject: "recovery", Specification: "other",
		Title: "Fråga", Body: "Hej"})
	if err != nil {
		t.Fatal(err)
	}
	e.postMultipart(anna, "/staff/messages/"+th.ID, url.Values{"body": {"Svar"}})
	time.Sleep(300 * time.Millisecond)
	if n := len(e.app.sink.Messages()); n != 0 {
		t.Fatalf("serve --outbox-worker=false sent %d notices", n)
	}
	if _, metrics := e.get(browser(), "/metrics"); !strings.Contains(metrics, "etuus_outbox_pending 1\n") ||
		!strings.Contains(metrics, "etuus_outbox_failed 0\n") || !strings.Contains(metrics, "etuus_outbox_oldest_pending_seconds") {
		t.Errorf("the backlog is not on /metrics")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- run(ctx, []string{"worker", "--db", e.dbURL(),
			"--smtp", "smtp://" + e.app.sink.Addr() + "?tls=none&from=etuus%40localhost"}, &out, &errb)
	}()
	m := e.waitMail(1)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("worker exit %d: %s", code, errb.String())
	}
	if m.To[0] != "sanna.lindqvist@example.fi" || m.Subject != "Nytt meddelande i e-tjänsten" {
		t.Errorf("notice to %v in Swedish? %q", m.To, m.Subject)
	}
}

// consentForm is f with the notification choice set to channel at addr.
func consentForm(f url.Values, channel, field, addr string) url.Values {
	f.Set("allow", "yes")
	f.Set("channel", channel)
	f.Set(field, addr)
	return f
}

var codeRe = regexp.MustCompile(`\b[0-9]{6}\b`)

// TestSMSNotifications: a citizen chooses text messages, proves the number
// with the code sent to it (a wrong code first), and is told of an answer
// by SMS without personal data; the development gateway's texts show on
// /test-mail.
func TestSMSNotifications(t *testing.T) {
	e := startApp(t)
	johan := browser()
	english(e, johan)
	e.signIn(johan, "test-citizen", "demo-person-johan")
	if _, body := e.get(johan, "/my/notifications"); !strings.Contains(body, `value="sms"`) {
		t.Fatalf("SMS is not offered:\n%s", body)
	}
	resp, body := e.post(johan, "/my/notifications", consentForm(url.Values{}, "sms", "phone", "040 123 4567"))
	if resp.StatusCode != 200 || !strings.Contains(body, "We sent a confirmation code by text message") {
		t.Fatalf("choosing SMS: %d\n%s", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	texts, err := e.app.smsSink.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	code := codeRe.FindString(texts[0].Text)
	if texts[0].To != "+358401234567" || code == "" {
		t.Fatalf("code text: %+v", texts[0])
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if resp, body := e.post(johan, "/my/notifications/verify", url.Values{"code": {wrong}}); resp.StatusCode != 422 || !strings.Contains(body, "The code is wrong") {
		t.Errorf("wrong code: %d", resp.StatusCode)
	}
	if resp, body := e.post(johan, "/my/notifications/verify", url.Values{"code": {code[:3] + " " + code[3:]}}); resp.StatusCode != 200 || !strings.Contains(body, "The address is confirmed") {
		t.Fatalf("right code: %d\n%s", resp.StatusCode, body)
	}
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-johan"), message.Draft{Lang: "en", Subject: "recovery", Specification: "student_loan",
		Title: "Loan", Body: "Question"})
	if err != nil {
		t.Fatal(err)
	}
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.postMultipart(anna, "/staff/messages/"+th.ID, url.Values{"body": {"Answer about the student loan"}})
	texts, err = e.app.smsSink.WaitFor(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	notice := texts[1]
	for _, secret := range []string{"Johan", "Korhonen", "241198", "loan", "Answer"} {
		if strings.Contains(notice.Text, secret) {
			t.Errorf("the SMS notice carries %q: %q", secret, notice.Text)
		}
	}
	if notice.To != "+358401234567" {
		t.Errorf("notice to %s", notice.To)
	}
	if _, body := e.get(johan, "/test-mail"); !strings.Contains(body, "358401234567") {
		t.Errorf("/test-mail does not show the texts:\n%s", body)
	}
}

// TestTopicCatalogueFromFile: a centre changes topics and routing by
// editing a JSON file, and a broken file stops start-up with one line.
func TestTopicCatalogueFromFile(t *testing.T) {
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.json")
	cat := `{"subjects": [{"key": "benefits", "unit": "international",
		"labels": {"fi": "Etuudet", "sv": "Förmåner", "en": "Benefits"},
		"specifications": [{"key": "pension_abroad", "labels": {"fi": "Eläke ulkomaille", "sv": "Pension utomlands", "en": "Pension abroad"}}]}]}`
	if err := os.WriteFile(topics, []byte(cat), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startApp(t, func(c *config) { c.Topics = topics })
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-maija")
	if _, body := e.get(c, "/my/messages/new"); !strings.Contains(body, "Pension abroad") || strings.Contains(body, "Recovery payment plan") {
		t.Fatalf("the form does not offer the file's topics:\n%s", body)
	}
	resp, _ := e.postMultipart(c, "/my/messages", url.Values{"topic": {"benefits.pension_abroad"}, "title": {"Pension"}, "body": {"Hello"}, "allow": {"no"}, "channel": {"none"}})
	if resp.StatusCode != 200 {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	kaisa := access.AsStaff("demo-staff-kaisa", "international", "specialist")
	if q, _ := e.app.messages.Queue(context.Background(), kaisa, message.QueueFilter{}); len(q.Threads) != 1 || q.Threads[0].Title != "Pension" {
		t.Errorf("international's queue = %+v", q)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"subjects": [{"key": "x", "unit": "no-such-unit", "labels": {"fi": "x", "sv": "x", "en": "x"}, "specifications": []}]}`), 0o600)
	code, _, errOut := runCmd(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--message-topics", bad)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if last := lines[len(lines)-1]; code == 0 || !strings.HasPrefix(last, "etuus serve: --message-topics") || !strings.Contains(last, "unknown unit") {
		t.Errorf("a broken catalogue: %d %q", code, errOut)
	}
}

// TestStaffQueueActions works a thread through the queue's filters, takes
// it, moves it to the unit it belongs to, and closes it there; each action
// is allowed only to the unit holding the thread.
func TestStaffQueueActions(t *testing.T) {
	e := startApp(t)
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-maija"), message.Draft{Lang: "fi", Subject: "recovery", Specification: "other",
		Title: "Muutto Saksaan", Body: "Muutan ulkomaille."})
	if err != nil {
		t.Fatal(err)
	}
	anna, pekka, kaisa := browser(), browser(), browser()
	for c, who := range map[*http.Client]string{anna: "staff-anna", pekka: "staff-pekka", kaisa: "staff-kaisa"} {
		english(e, c)
		e.signIn(c, "test-staff", who)
	}
	lists := func(c *http.Client, query string) bool {
		t.Helper()
		_, body := e.get(c, "/staff/messages"+query)
		return strings.Contains(body, "Muutto Saksaan")
	}
	for query, want := range map[string]bool{"?unread=1": true, "?assigned=none": true, "?assigned=me": false, "?age=1d": false,
		"?view=waiting": true, "?topic=recovery.other": true, "?topic=recovery.payment_plan": false, "?view=closed": false} {
		if got := lists(anna, query); got != want {
			t.Errorf("queue%s lists the thread: %v, want %v", query, got, want)
		}
	}
	// Another unit can neither act on it nor see it.
	for _, action := range []string{"assign", "close", "move"} {
		if resp, _ := e.post(kaisa, "/staff/messages/"+th.ID+"/"+action, url.Values{"unit": {"international"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another unit's %s: %d", action, resp.StatusCode)
		}
	}
	if resp, _ := e.post(anna, "/staff/messages/"+th.ID+"/assign", nil); resp.StatusCode != 200 {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	if !lists(anna, "?assigned=me") || lists(pekka, "?assigned=me") || lists(anna, "?assigned=none") {
		t.Error("the assignment does not show in the filters")
	}
	if _, body := e.get(pekka, "/staff/messages?assigned="); !strings.Contains(body, "Anna Asiantuntija") {
		t.Error("the queue does not name the handler")
	}
	// Misrouted: moved to International Affairs, with a note and an audit entry.
	if resp, body := e.post(anna, "/staff/messages/"+th.ID+"/move", url.Values{"unit": {"recovery"}}); resp.StatusCode != 422 || !strings.Contains(body, "already in this unit") {
		t.Errorf("move to the same unit: %d", resp.StatusCode)
	}
	if resp, body := e.post(anna, "/staff/messages/"+th.ID+"/move", url.Values{"unit": {"international"}}); resp.StatusCode != 200 || !strings.Contains(body, "moved to another unit") {
		t.Fatalf("move: %d\n%s", resp.StatusCode, body)
	}
	if lists(anna, "") || !lists(kaisa, "?assigned=none") {
		t.Error("the moved thread is not in the new unit's queue only")
	}
	_, body := e.get(kaisa, "/staff/messages/"+th.ID)
	if !strings.Contains(body, "The conversation was moved to another unit.") {
		t.Errorf("no note of the move:\n%s", body)
	}
	if resp, _ := e.post(kaisa, "/staff/messages/"+th.ID+"/close", nil); resp.StatusCode != 200 || !lists(kaisa, "?view=closed") || lists(kaisa, "") {
		t.Errorf("close: %d", resp.StatusCode)
	}
	// The customer never sees the move note, and her reply reopens it.
	maija := browser()
	e.signIn(maija, "test-citizen", "demo-person-maija")
	if _, body := e.get(maija, "/my/messages/"+th.ID); strings.Contains(body, "moved:") || strings.Contains(body, "siirrettiin") {
		t.Errorf("the customer sees the internal move note")
	}
	e.postMultipart(maija, "/my/messages/"+th.ID, url.Values{"body": {"Vielä yksi kysymys."}})
	if !lists(kaisa, "?view=waiting") {
		t.Error("the customer's reply did not reopen the thread")
	}
	acts := strings.Join(e.auditActions(), ",")
	for _, want := range []string{"thread.assigned", "thread.moved", "thread.closed"} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
}

// TestMessageFolderRows: the folder's rows are escaped by the template, and
// a page shown again reflects every change at once: a close, an answer
// and the customer reading it.
func TestMessageFolderRows(t *testing.T) {
	e := startApp(t)
	ctx := context.Background()
	maija := access.AsCustomer("demo-person-maija")
	th, _, err := e.app.messages.Send(ctx, maija, message.Draft{Lang: "en", Subject: "recovery", Specification: "other",
		Title: `Plan <script>alert(1)</script> & "more"`, Body: "Text"})
	if err != nil {
		t.Fatal(err)
	}
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-maija")
	row := func() string {
		t.Helper()
		_, body := e.get(c, "/my/messages")
		i := strings.Index(body, `href="/my/messages/`+th.ID+`"`)
		if i < 0 {
			t.Fatalf("the thread is not listed:\n%s", body)
		}
		start := strings.LastIndex(body[:i], "<tr")
		return body[start : i+strings.Index(body[i:], "</tr>")]
	}
	if r := row(); !strings.Contains(r, "Plan &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;more&#34;") || strings.Contains(r, "<script>") ||
		!strings.Contains(r, "Waiting for an answer") || strings.Contains(r, "unread") {
		t.Fatalf("row = %s", r)
	}
	anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
	if err := e.app.messages.Close(ctx, anna, th.ID); err != nil {
		t.Fatal(err)
	}
	if r := row(); !strings.Contains(r, "Closed") {
		t.Errorf("after the close: %s", r)
	}
	if _, err := e.app.messages.Reply(ctx, anna, th.ID, "Answer", nil); err != nil {
		t.Fatal(err)
	}
	if r := row(); !strings.Contains(r, `<tr class="unread">`) || !strings.Contains(r, "<strong>New</strong>") || !strings.Contains(r, "Answered") {
		t.Errorf("after the answer: %s", r)
	}
	e.get(c, "/my/messages/"+th.ID)
	if r := row(); strings.Contains(r, "unread") || strings.Contains(r, "New") {
		t.Errorf("after reading: %s", r)
	}
}
