package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
)

// TestOffsetPages: demo Sanna's overdue healthcare fee is offset from her
// coming child benefit, which her payments page and her claim's page say
// beforehand, in each language; operations staff read the payment runs'
// reports as a page and as JSON, other staff are refused, a run of another
// ID is 404.
func TestOffsetPages(t *testing.T) {
	e := startApp(t)
	sanna := browser()
	e.signIn(sanna, "test-citizen", "demo-person-sanna")
	e.inEachLanguage(sanna, "/my/payments", map[string][]string{
		"fi": {"Kuittaus", "Maksetaan sinulle", "Maksun määrä ennen kuittausta"},
		"sv": {"Kvittning", "Betalas till dig", "Belopp före kvittning"},
		"en": {"Offset", "Paid to you", "Amount before offset", "protected amount always stays with you"},
	})
	claims, err := e.db().Recovery().ClaimsOf(t.Context(), "demo-person-sanna")
	if err != nil || len(claims) != 1 {
		t.Fatalf("Sanna's claims: %v %v", claims, err)
	}
	if resp, body := e.get(sanna, "/my/claims/"+claims[0].ID); resp.StatusCode != 200 || !strings.Contains(body, `id="planned-offsets"`) {
		t.Errorf("claim page = %d, no planned offsets", resp.StatusCode)
	}

	// A run on the next banking day that pays anyone, by the system.
	svc, err := paymentService(defaultPay(), e.db(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var rep payment.RunReport
	for day := civil.Today(time.Now()); rep.Run == nil; day = day.AddDays(1) {
		if !payment.IsPayDay(day) {
			continue
		}
		if rep, err = svc.Run(t.Context(), access.AsSystem("test"), day, payment.RunOptions{Publish: payment.Discard{}}); err != nil {
			t.Fatal(err)
		}
	}
	olli := browser()
	english(e, olli)
	e.signIn(olli, "test-staff", "staff-olli")
	if resp, body := e.get(olli, "/staff"); resp.StatusCode != 200 || !strings.Contains(body, "/staff/payments/runs") {
		t.Errorf("staff page = %d, no link to the runs", resp.StatusCode)
	}
	if resp, body := e.get(olli, "/staff/payments/runs"); resp.StatusCode != 200 || !strings.Contains(body, "/staff/payments/runs/"+rep.Run.ID) {
		t.Errorf("runs = %d\n%s", resp.StatusCode, body)
	}
	if resp, body := e.get(olli, "/staff/payments/runs/"+rep.Run.ID); resp.StatusCode != 200 || !strings.Contains(body, rep.Run.FileName) {
		t.Errorf("run = %d\n%s", resp.StatusCode, body)
	}
	resp, body := e.get(olli, "/staff/payments/runs/"+rep.Run.ID+"/report.json")
	var got payment.RunReportJSON
	if err := json.Unmarshal([]byte(body), &got); resp.StatusCode != 200 || err != nil || got.Payments != rep.Payments || got.TotalCents != rep.TotalCents {
		t.Errorf("report.json = %d %v: %+v, run %+v", resp.StatusCode, err, got, rep)
	}
	if resp, _ := e.get(olli, "/staff/payments/runs/no-such-run"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown run = %d", resp.StatusCode)
	}
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	for _, p := range []string{"/staff/payments/runs", "/staff/payments/runs/" + rep.Run.ID + "/report.json"} {
		if resp, _ := e.get(anna, p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a recovery specialist reads %s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := e.get(sanna, "/staff/payments/runs"); resp.StatusCode == 200 && !strings.Contains(resp.Request.URL.Path, "login") {
		t.Errorf("a customer reads the runs: %d %s", resp.StatusCode, resp.Request.URL)
	}
}

// inEachLanguage reads the page in each language and checks it holds the
// texts.
func (e *running) inEachLanguage(c *http.Client, path string, want map[string][]string) {
	e.t.Helper()
	for lang, texts := range want {
		u, _ := url.Parse(e.base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
		resp, body := e.get(c, path)
		for _, w := range texts {
			if resp.StatusCode != 200 || !strings.Contains(body, w) {
				e.t.Errorf("%s: %s = %d, lacks %q", lang, path, resp.StatusCode, w)
			}
		}
	}
}
