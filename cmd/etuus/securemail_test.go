package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/message/clamdtest"
)

var (
	linkRe     = regexp.MustCompile(`https?://[^\s]+/secure-email/t/[A-Za-z0-9_-]+`)
	readLinkRe = regexp.MustCompile(`https?://[^\s]+/secure-email/r/[A-Za-z0-9_-]+`)
)

// lastLink waits for the development sink to receive a mail to the address
// and returns the link in it.
func (e *running) lastLink(to string, n int) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ms, err := e.app.sink.WaitFor(ctx, n)
	if err != nil {
		e.t.Fatalf("no mail: %v", err)
	}
	m := ms[len(ms)-1]
	if len(m.To) != 1 || m.To[0] != to {
		e.t.Fatalf("mail went to %v", m.To)
	}
	link := linkRe.FindString(m.Text)
	if link == "" {
		e.t.Fatalf("no link in %q", m.Text)
	}
	return link
}

func TestSecureEmailEndToEnd(t *testing.T) {
	e := startApp(t)
	c := browser()
	english(e, c)
	resp, body := e.post(c, "/secure-email", url.Values{"email": {"Kati@Example.ee"}, "unit": {"recovery"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "active for 10 days") {
		t.Fatalf("request: %d\n%s", resp.StatusCode, body)
	}
	link := e.lastLink("kati@example.ee", 1)
	m := e.app.sink.Messages()[0]
	if strings.Contains(m.Subject, "Kati") || strings.Contains(m.Text, "Kati") {
		t.Error("the mail carries personal data")
	}
	if !strings.Contains(m.Text, "Overpayment Recovery Centre") || !strings.Contains(m.Text, "10 days") {
		t.Errorf("mail text: %q", m.Text)
	}
	resp, body = e.get(c, link)
	if resp.StatusCode != 200 || !strings.Contains(body, "Message to: Overpayment Recovery Centre") || strings.Contains(body, "kati@example.ee") {
		t.Fatalf("write page: %d\n%s", resp.StatusCode, body)
	}
	// The subject refuses an identity code; nothing is stored, the link lives.
	resp, body = e.post(c, link, url.Values{"subject": {"Debt of 131052-308T"}, "body": {"Hello"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "seems to contain an identity code") || !strings.Contains(body, "Hello") {
		t.Errorf("identity code in subject: %d", resp.StatusCode)
	}
	resp, body = e.post(c, link, url.Values{"subject": {"Payment plan"}, "body": {"I would like to pay <b>50</b> a month."}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Message sent") {
		t.Fatalf("send: %d\n%s", resp.StatusCode, body)
	}
	// One message per link.
	for _, do := range []func() (*http.Response, string){
		func() (*http.Response, string) { return e.get(c, link) },
		func() (*http.Response, string) {
			return e.post(c, link, url.Values{"subject": {"Again"}, "body": {"x"}})
		},
	} {
		resp, body := do()
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired or was already used") {
			t.Errorf("reused link: %d", resp.StatusCode)
		}
	}
	// The message is a thread in the Centre's queue (the old secure e-mail
	// page leads there); another unit does not see it.
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body = e.get(anna, "/staff/secure-email")
	th := threadLink.FindStringSubmatch(body)
	if !strings.Contains(body, "Payment plan") || !strings.Contains(body, "kati@example.ee") || th == nil {
		t.Fatalf("the Centre's queue:\n%s", body)
	}
	_, body = e.get(anna, "/staff/messages/"+th[1])
	if !strings.Contains(body, "&lt;b&gt;50&lt;/b&gt;") {
		t.Errorf("the thread, escaped:\n%s", body)
	}
	kaisa := browser()
	e.signIn(kaisa, "test-staff", "staff-kaisa")
	if _, body := e.get(kaisa, "/staff/messages?topic=secure_email"); strings.Contains(body, "Payment plan") {
		t.Error("another unit sees the Centre's message")
	}
	if resp, _ := e.get(c, "/staff/messages"); resp.Request.URL.Path != "/staff/login" {
		t.Error("the queue is open without signing in")
	}
	// The answer goes out as a one-time reading link, never in the e-mail.
	e.postMultipart(anna, "/staff/messages/"+th[1], url.Values{"body": {"Yes, 50 a month is fine."}}, upload{"attachments", "decision.pdf", minimalPDF})
	mail := e.waitMail(2)
	read := readLinkRe.FindString(mail.Text)
	if mail.To[0] != "kati@example.ee" || read == "" || strings.Contains(mail.Text, "50 a month") {
		t.Fatalf("answer notice to %v:\n%s", mail.To, mail.Text)
	}
	_, body = e.get(browser(), read)
	att := regexp.MustCompile(`href="(/secure-email/r/[^"]+/attachments/[0-9a-f-]{36})"`).FindStringSubmatch(body)
	if !strings.Contains(body, "Yes, 50 a month is fine.") || att == nil {
		t.Fatalf("the reading link:\n%s", body)
	}
	if resp, pdf := e.get(browser(), att[1]); resp.StatusCode != 200 || pdf != minimalPDF {
		t.Errorf("the answer's file through the reading link: %d", resp.StatusCode)
	}
	if resp, _ := e.get(browser(), read+"x"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong reading link: %d", resp.StatusCode)
	}
	// The sender replies from the reading page into the same thread.
	reader := browser()
	english(e, reader)
	readPath := read[strings.Index(read, "/secure-email/r/"):]
	if resp, body := e.post(reader, readPath, url.Values{"body": {" "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "<title>Error: ") || !strings.Contains(body, `href="#body"`) {
		t.Errorf("an empty reply from the reading page: %d\n%s", resp.StatusCode, grepLines(body, "error"))
	}
	if resp, body := e.post(reader, readPath, url.Values{"body": {"Thank you. When is the first payment due?"}}); resp.StatusCode != 200 ||
		!strings.Contains(body, "Your reply has been sent") || !strings.Contains(body, "When is the first payment due?") {
		t.Errorf("a reply from the reading page: %d\n%s", resp.StatusCode, grepLines(body, "alert"))
	}
	if _, body := e.get(anna, "/staff/messages/"+th[1]); !strings.Contains(body, "When is the first payment due?") {
		t.Error("the unit does not see the sender's reply in the thread")
	}
	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"secure_email.link_sent", "secure_email.message", "thread.read", "thread.staff_reply"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit lacks %s", a)
		}
	}
}

func TestSecureEmailRefusals(t *testing.T) {
	e := startApp(t)
	c := browser()
	english(e, c)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"email": {"not-an-address"}, "unit": {"recovery"}}, "Check the e-mail address"},
		{url.Values{"email": {"a@example.fi"}, "unit": {"payroll"}}, "Choose who the message is for"},
		{url.Values{"email": {"a@example.fi"}}, "Choose who the message is for"},
	} {
		resp, body := e.post(c, "/secure-email", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d, want 422 %q", tc.form, resp.StatusCode, tc.want)
		}
	}
	if n := e.notices(); n != 0 {
		t.Fatalf("%d mails queued for refused requests", n)
	}
	// Per address: three links an hour; the fourth answer looks the same
	// but sends nothing, so it reveals nothing about the address.
	for i := 0; i < 4; i++ {
		resp, body := e.post(c, "/secure-email", url.Values{"email": {"lucia@example.es"}, "unit": {"international"}})
		if resp.StatusCode != 200 || !strings.Contains(body, "active for 30 days") {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	e.waitMail(3)
	if n := e.notices(); n != 3 {
		t.Errorf("%d mails for four requests; want 3", n)
	}
	// Per client: ten an hour, then 429.
	for i := 0; i < 7; i++ {
		e.post(c, "/secure-email", url.Values{"email": {"x" + string(rune('a'+i)) + "@example.fi"}, "unit": {"recovery"}})
	}
	resp, body := e.post(c, "/secure-email", url.Values{"email": {"last@example.fi"}, "unit": {"recovery"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
		t.Errorf("11th request from one client: %d", resp.StatusCode)
	}
	resp, _ = e.get(c, e.base+"/secure-email/t/not-a-real-token")
	if resp.StatusCode != http.StatusGone {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
}

func TestSecureEmailLinkExpires(t *testing.T) {
	e := startApp(t)
	c := browser()
	english(e, c)
	e.post(c, "/secure-email", url.Values{"email": {"kati@example.ee"}, "unit": {"recovery"}})
	link := e.lastLink("kati@example.ee", 1)
	later := func() time.Time { return time.Now().Add(10*24*time.Hour + time.Minute) }
	e.app.db.SetClock(later)
	e.app.web.SetClock(later)
	resp, body := e.get(c, link)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("a link after 10 days: %d", resp.StatusCode)
	}
}

// notices counts the notices ever queued, sent or not.
func (e *running) notices() int {
	e.t.Helper()
	st, err := e.db().OutboxStats(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, c := range st {
		n += c
	}
	return n
}

// TestSecureEmailReplyWithAttachment: the sender replies from the reading
// link with a file, over HTTP to the whole app (real SMTP sink, real clamd
// through --clamd); the Centre's staff member downloads the same bytes
// from the staff thread. A file with malware, a wrong type and one past
// the thread's quota (--attachment-quota-mb, counted per thread) are each
// refused on the reading page with the error summary, and store nothing;
// no temporary file outlives its request.
func TestSecureEmailReplyWithAttachment(t *testing.T) {
	clamd := clamdtest.Start(t)
	e := startApp(t, func(c *config) { c.AttachQuotaMB, c.Clamd = 1, "unix:"+clamd.Socket })
	c := browser()
	english(e, c)
	e.post(c, "/secure-email", url.Values{"email": {"kati@example.ee"}, "unit": {"recovery"}})
	if resp, _ := e.post(c, e.lastLink("kati@example.ee", 1), url.Values{"subject": {"Payslips"}, "body": {"I will send my payslips."}}); resp.StatusCode != 200 {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body := e.get(anna, "/staff/messages?topic=secure_email")
	th := threadLink.FindStringSubmatch(body)
	if th == nil {
		t.Fatalf("the Centre's queue:\n%s", body)
	}
	e.postMultipart(anna, "/staff/messages/"+th[1], url.Values{"body": {"Send them through this link."}})
	read := readLinkRe.FindString(e.waitMail(2).Text)
	if read == "" {
		t.Fatal("no reading link")
	}
	readPath := read[strings.Index(read, "/secure-email/r/"):]

	_, body = e.get(c, readPath)
	for _, want := range []string{`enctype="multipart/form-data"`, `<label for="attachments">Attachments</label>`, `type="file"`,
		`aria-describedby="att-hint"`, "Allowed file types: PDF, JPEG, PNG. At most 5 files of at most 10 MB each.",
		"The attachments you send in this conversation can take 1 MB together."} {
		if !strings.Contains(body, want) {
			t.Errorf("the reading page lacks %q", want)
		}
	}

	payslip := minimalPDF + strings.Repeat("%% payslip\n", 60000) // 660 kB: three chunks
	resp, body := e.postMultipart(c, readPath, url.Values{"body": {"Here is my payslip."}}, upload{"attachments", "payslip.pdf", payslip})
	if resp.StatusCode != 200 || !strings.Contains(body, "Your reply has been sent") || !strings.Contains(body, "payslip.pdf") {
		t.Fatalf("a reply with a file: %d\n%s", resp.StatusCode, grepLines(body, "alert"))
	}
	_, body = e.get(anna, "/staff/messages/"+th[1])
	att := attLink.FindAllStringSubmatch(body, -1)
	if !strings.Contains(body, "Here is my payslip.") || len(att) != 1 {
		t.Fatalf("the staff thread after the reply:\n%s", grepLines(body, "attachments"))
	}
	if resp, got := e.get(anna, att[0][1]); resp.StatusCode != 200 || got != payslip || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("staff's download: %d, %d bytes (want %d), %s", resp.StatusCode, len(got), len(payslip), resp.Header.Get("Content-Type"))
	}

	var before [2]int
	count := func() [2]int {
		var n [2]int
		if err := e.db().SQL().QueryRow(`SELECT (SELECT count(*) FROM thread_messages), (SELECT count(*) FROM attachment_chunks)`).Scan(&n[0], &n[1]); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before = count()
	for _, tc := range []struct {
		name, file, content string
		status              int
		want                string
	}{
		{"malware", "invoice.pdf", minimalPDF + clamdtest.Malware, http.StatusUnprocessableEntity, "appears to contain malware"},
		{"a wrong type", "notes.txt", "just text", http.StatusUnprocessableEntity, "You can attach PDF, JPEG, PNG files."},
		{"past the quota of the thread", "second.pdf", minimalPDF + strings.Repeat("%% more\n", 60000), http.StatusRequestEntityTooLarge,
			"You can still send 0 MB of attachments in it."},
	} {
		resp, body := e.postMultipart(c, readPath, url.Values{"body": {"One more: " + tc.name}}, upload{"attachments", tc.file, tc.content})
		if resp.StatusCode != tc.status || !strings.Contains(body, "<title>Error: ") || !strings.Contains(body, `<li><a href="#attachments">`) ||
			!strings.Contains(body, tc.want) || !strings.Contains(body, "One more: "+tc.name) {
			t.Errorf("%s: %d, want %d with %q in the error summary\n%s", tc.name, resp.StatusCode, tc.status, tc.want, grepLines(body, "error"))
		}
		if after := count(); after != before {
			t.Errorf("%s: messages and chunks %v → %v", tc.name, before, after)
		}
	}
	if left := e.uploadFiles(); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if !strings.Contains(strings.Join(e.auditActions(), ","), "secure_email.reply") {
		t.Error("audit lacks the reply")
	}
}
