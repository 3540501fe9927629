package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store/storetest"
)

func inLanguage(e *running, c *http.Client, lang string) {
	u, _ := url.Parse(e.base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
}

// The demo people's years on My page, in each language, and the demo
// pharmacy's calls for staff who may read them.
func TestPharmacyPages(t *testing.T) {
	e := startApp(t)
	for _, c := range []struct{ person, lang, want, also string }{
		{"demo-person-johan", "en", "You have reached the annual ceiling", "Special reimbursement: Chronic heart failure (65 %)"},
		{"demo-person-sanna", "sv", "Årssjälvrisk", "Specialersättning: Kronisk astma (65 %)"},
		{"demo-person-maija", "fi", "0,00\u00a0€ maksettu", "Peruskorvaus (40 %)"},
		{"demo-person-ella", "en", "Does not apply to you this year", "Basic reimbursement (40 %)"},
		{"demo-person-ulla", "en", "You have no valid right", "No reimbursed medicine purchases"},
	} {
		b := browser()
		inLanguage(e, b, c.lang)
		e.signIn(b, "test-citizen", c.person)
		if _, body := e.get(b, "/my"); !strings.Contains(body, `href="/my/pharmacy"`) {
			t.Errorf("%s: My page has no link to the pharmacy page", c.person)
		}
		resp, body := e.get(b, "/my/pharmacy")
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) || !strings.Contains(body, c.also) {
			t.Errorf("%s /my/pharmacy = %d; want %q and %q:\n%s", c.person, resp.StatusCode, c.want, c.also, body)
		}
	}

	olli := browser()
	english(e, olli)
	e.signIn(olli, "test-staff", "staff-olli")
	resp, body := e.get(olli, "/staff/pharmacy?pharmacy="+demo.DemoPharmacyID)
	if resp.StatusCode != 200 || strings.Count(body, "Purchase recorded") != 3 || !strings.Contains(body, "demo-1003") {
		t.Errorf("call history = %d:\n%s", resp.StatusCode, body)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, _ := e.get(anna, "/staff/pharmacy?pharmacy="+demo.DemoPharmacyID); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recovery specialist's call history = %d; want 403", resp.StatusCode)
	}
}

// counterClient is a pharmacy's system: JSON over real HTTP with its
// client secret.
type counterClient struct {
	t      *testing.T
	base   string
	secret string
}

func (c counterClient) call(path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s: %d, not JSON: %s", path, resp.StatusCode, raw)
	}
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		c.t.Errorf("%s: %d with %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, out
}

func issuePharmacyClient(t testing.TB, e *running, pharmacyID string) (apiclient.Client, string) {
	t.Helper()
	c, secret, err := apiclient.NewService(e.db().APIClients(), access.Default()).Issue(context.Background(),
		access.AsSystem("test"), "Apteekki "+pharmacyID, pharmacyID, []string{apiclient.ScopePharmacy})
	if err != nil {
		t.Fatal(err)
	}
	return c, secret
}

func line(vnr string, cents any, packages any) map[string]any {
	return map[string]any{"vnr": vnr, "package_price_cents": cents, "packages": packages}
}

// A pharmacy's system checks a customer, records the purchase, the
// customer's ceiling moves, a retry counts once, a cancellation reverses
// it; each bad input is its own problem and changes nothing.
func TestPharmacyCounterOverHTTP(t *testing.T) {
	e := startApp(t)
	_, secret := issuePharmacyClient(t, e, "apteekki-keskusta")
	pc := counterClient{t: t, base: e.base, secret: secret}
	const maija = "010403A998U"
	status, chk := pc.call("/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija,
		"lines": []any{line("990061", 10000, 1)}})
	if status != 200 || chk["purchase_id"] == "" || chk["direct_reimbursement"] != true {
		t.Fatalf("check = %d %v", status, chk)
	}
	l := chk["lines"].([]any)[0].(map[string]any)
	if l["class"] != "basic" || l["customer_share_cents"] != 8813.0 || l["reimbursement_cents"] != 1187.0 || l["deductible_cents"] != 7033.0 {
		t.Errorf("check line = %v", l)
	}
	purchase := map[string]any{"purchase_id": chk["purchase_id"], "identity_code": maija, "lines": []any{line("990061", 10000, 1)}}
	if status, p := pc.call("/api/v1/pharmacy/purchases", purchase); status != 201 || p["status"] != "recorded" {
		t.Fatalf("purchase = %d %v", status, p)
	}
	// The retry after a lost answer: 409, counted once.
	if status, p := pc.call("/api/v1/pharmacy/purchases", purchase); status != 409 || p["type"] != "urn:etuus:problem:pharmacy.error.duplicate" {
		t.Errorf("retry = %d %v", status, p)
	}
	_, chk = pc.call("/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", 1000, 1)}})
	if before := chk["before"].(map[string]any); before["ceiling_counted_cents"] != 8813.0 || before["deductible_left_cents"] != 0.0 {
		t.Errorf("the ceiling after one purchase and a retry: %v", before)
	}

	tooBig := `{"identity_code": "` + maija + `", "lines": [` + strings.Repeat(`{"vnr": "990061", "package_price_cents": 100, "packages": 1},`, 2000) + `{}]}`
	for _, c := range []struct {
		path   string
		body   any
		status int
		typ    string
	}{
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": "010403A998X", "lines": []any{line("990061", 100, 1)}}, 422, "pharmacy.error.identity_code"},
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("999999", 100, 1)}}, 422, "pharmacy.error.vnr"},
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", -100, 1)}}, 422, "pharmacy.error.amount"},
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", 1e30, 1)}}, 422, "pharmacy.error.amount"},
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", 12.5, 1)}}, 422, "pharmacy.error.amount"},
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", 100, 1000)}}, 422, "pharmacy.error.packages"},
		{"/api/v1/pharmacy/reimbursement-check", tooBig, 413, "api.error.too_large"},
		{"/api/v1/pharmacy/reimbursement-check", `{"identity_code": 1}`, 400, "api.error.json"},
		{"/api/v1/pharmacy/purchases", map[string]any{"purchase_id": "a b", "identity_code": maija, "lines": []any{line("990061", 100, 1)}}, 422, "pharmacy.error.purchase_id"},
		{"/api/v1/pharmacy/purchases/no-such-purchase/cancel", nil, 404, "pharmacy.error.unknown_purchase"},
	} {
		status, p := pc.call(c.path, c.body)
		if status != c.status || p["type"] != "urn:etuus:problem:"+c.typ || p["detail"] == "" {
			t.Errorf("%s %.80v = %d %v; want %d %s", c.path, c.body, status, p, c.status, c.typ)
		}
	}

	// Another pharmacy cannot cancel it; this one can, once.
	_, other := issuePharmacyClient(t, e, "apteekki-toinen")
	cancel := "/api/v1/pharmacy/purchases/" + purchase["purchase_id"].(string) + "/cancel"
	if status, _ := (counterClient{t: t, base: e.base, secret: other}).call(cancel, nil); status != 404 {
		t.Errorf("another pharmacy's cancel = %d", status)
	}
	if status, p := pc.call(cancel, nil); status != 200 || p["status"] != "cancelled" {
		t.Errorf("cancel = %d %v", status, p)
	}
	if status, p := pc.call(cancel, nil); status != 409 || p["type"] != "urn:etuus:problem:pharmacy.error.cancelled" {
		t.Errorf("second cancel = %d %v", status, p)
	}
	_, chk = pc.call("/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": []any{line("990061", 1000, 1)}})
	if before := chk["before"].(map[string]any); before["ceiling_counted_cents"] != 0.0 {
		t.Errorf("after the cancellation: %v", before)
	}

	// A revoked credential (the API's clients do not expire otherwise).
	c, revoked := issuePharmacyClient(t, e, "apteekki-suljettu")
	if _, err := apiclient.NewService(e.db().APIClients(), access.Default()).Revoke(context.Background(), access.AsSystem("test"), c.ID); err != nil {
		t.Fatal(err)
	}
	if status, p := (counterClient{t: t, base: e.base, secret: revoked}).call("/api/v1/pharmacy/reimbursement-check", map[string]any{}); status != 401 || p["type"] != "urn:etuus:problem:api.error.credentials" {
		t.Errorf("revoked credential = %d %v", status, p)
	}
	if err := e.app.pharmacy.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var audited int
	e.db().Scan(context.Background(), func(en audit.Entry) error {
		if strings.HasPrefix(en.Action, "pharmacy.") {
			audited++
		}
		if strings.Contains(en.Detail+en.Object+en.SubjectID, "010403") {
			t.Errorf("audit entry with an identity code: %+v", en)
		}
		return nil
	})
	if audited < 15 {
		t.Errorf("%d pharmacy audit entries; want every call", audited)
	}
}

// With PostgreSQL stopped, every counter call is answered "unavailable —
// use the card fallback" (503, a problem document), never a hang or a
// 500, and /readyz says why; the purchase made on the card meanwhile is
// posted when the database is back and counts once. The latencies are
// logged; docs/benchmarks.md has them measured under load.
func TestPharmacyOutage(t *testing.T) {
	cluster := storetest.NewCluster(t)
	e := startApp(t, func(c *config) {
		c.DB, c.Demo, c.TestIDP, c.DevSMTP = cluster.URL, "true", "true", "true"
	})
	_, secret := issuePharmacyClient(t, e, "apteekki-asema")
	pc := counterClient{t: t, base: e.base, secret: secret}
	const maija = "010403A998U"
	lines := []any{line("990061", 2500, 2)}
	if status, p := pc.call("/api/v1/pharmacy/purchases", map[string]any{"purchase_id": "before-1", "identity_code": maija, "lines": lines}); status != 201 {
		t.Fatalf("purchase before the outage = %d %v", status, p)
	}

	// A client that would notice a hang.
	http.DefaultClient.Timeout = 10 * time.Second
	t.Cleanup(func() { http.DefaultClient.Timeout = 0 })
	calls := []struct {
		path string
		body any
	}{
		{"/api/v1/pharmacy/reimbursement-check", map[string]any{"identity_code": maija, "lines": lines}},
		{"/api/v1/pharmacy/purchases", map[string]any{"purchase_id": "during-1", "identity_code": maija, "lines": lines}},
		{"/api/v1/pharmacy/purchases/before-1/cancel", nil},
	}
	unavailable := func(how string, n int) {
		var slowest time.Duration
		for i := 0; i < n; i++ {
			c := calls[i%len(calls)]
			start := time.Now()
			status, p := pc.call(c.path, c.body)
			slowest = max(slowest, time.Since(start))
			if status != http.StatusServiceUnavailable || (p["type"] != "urn:etuus:problem:pharmacy.error.unavailable" && p["type"] != "urn:etuus:problem:error.unavailable") {
				t.Fatalf("%s with PostgreSQL %s = %d %v", c.path, how, status, p)
			}
		}
		t.Logf("%d calls with PostgreSQL %s: the slowest answered in %v", n, how, slowest)
	}
	// Hanging: the connections stay open and nothing answers.
	cluster.Freeze(t)
	unavailable("frozen", 12)
	cluster.Thaw(t)
	// Down: connections refused.
	cluster.Stop(t)
	unavailable("stopped", 30)
	resp, body := e.get(http.DefaultClient, "/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "database unavailable") || !strings.Contains(body, "card fallback") {
		t.Errorf("readyz during the outage = %d %q", resp.StatusCode, body)
	}

	cluster.Start(t)
	for i := 0; ; i++ {
		if resp, _ := e.get(http.DefaultClient, "/readyz"); resp.StatusCode == 200 {
			break
		} else if i == 100 {
			t.Fatal("not ready after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	during := map[string]any{"purchase_id": "during-1", "identity_code": maija, "fallback": true,
		"purchased_on": time.Now().In(civil.Finland).Format(time.DateOnly), "lines": lines}
	// The pharmacy's system posts it until the service answers: the first
	// tries may still meet a connection from before the restart.
	status, p := pc.call("/api/v1/pharmacy/purchases", during)
	for i := 0; status == http.StatusServiceUnavailable && i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		status, p = pc.call("/api/v1/pharmacy/purchases", during)
	}
	if status != 201 || p["fallback"] != true {
		t.Fatalf("the fallback purchase posted later = %d %v", status, p)
	}
	if status, _ := pc.call("/api/v1/pharmacy/purchases", during); status != 409 {
		t.Errorf("posted again = %d", status)
	}
	storetest.CheckInvariants(t, e.db())
}
