package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// TestDisruptionNoticeEndToEnd is seed 002: operations staff publish "the
// payment plan form is unavailable"; it shows on every page's banner, on
// the status page and in /api/v1/status; a window that ends before it
// starts is refused with a reason; staff without the permission cannot
// publish; ending it takes it off the banner.
func TestDisruptionNoticeEndToEnd(t *testing.T) {
	e := startApp(t)
	olli := e.browserIn("en")
	e.signIn(olli, "test-staff", "staff-olli")
	now := time.Now().In(civil.Finland)
	form := url.Values{
		"services": {"payment_plans"},
		"starts":   {now.Add(-time.Hour).Format("2006-01-02T15:04")},
		"ends":     {now.Add(48 * time.Hour).Format("2006-01-02T15:04")},
		"text_fi":  {"Maksulomake ei ole käytössä."},
		"text_sv":  {"Betalningsblanketten är inte i bruk."},
		"text_en":  {"The payment plan form is unavailable."},
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("ends", now.Add(-2*time.Hour).Format("2006-01-02T15:04"))
	if resp, body := e.post(olli, "/staff/notices", bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The end must be after the start") {
		t.Errorf("window backwards: %d\n%s", resp.StatusCode, body)
	}
	anna := e.browserIn("en")
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, _ := e.post(anna, "/staff/notices", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a specialist published: %d", resp.StatusCode)
	}
	if resp, body := e.post(olli, "/staff/notices", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, "The payment plan form is unavailable.") {
		t.Fatalf("publish: %d\n%s", resp.StatusCode, body)
	}
	visitor := e.browserIn("en")
	for _, path := range []string{"/", "/status", "/directory", "/login"} {
		if _, body := e.get(visitor, path); !strings.Contains(body, "The payment plan form is unavailable.") {
			t.Errorf("%s lacks the banner", path)
		}
	}
	resp, body := e.get(visitor, "/api/v1/status")
	var st struct {
		Notices []struct {
			ID       string            `json:"id"`
			Services []string          `json:"services"`
			Texts    map[string]string `json:"texts"`
			Active   bool              `json:"active"`
		} `json:"notices"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil || resp.StatusCode != 200 || len(st.Notices) != 1 || !st.Notices[0].Active || st.Notices[0].Texts["sv"] == "" {
		t.Fatalf("/api/v1/status = %d %s (%v)", resp.StatusCode, body, err)
	}
	if resp, _ := e.post(olli, "/staff/notices/"+st.Notices[0].ID+"/withdraw", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("withdraw: %d", resp.StatusCode)
	}
	if _, body := e.get(visitor, "/"); strings.Contains(body, "The payment plan form is unavailable.") {
		t.Errorf("the ended notice is still on the banner")
	}
	if _, body := e.get(visitor, "/status"); !strings.Contains(body, "Ended") {
		t.Errorf("the status page lacks the ended notice:\n%s", body)
	}
	// The directory in JSON names every public unit's lines.
	resp, body = e.get(visitor, "/api/v1/directory")
	if resp.StatusCode != 200 || !strings.Contains(body, "020 634 0300") || !strings.Contains(body, `"open_now"`) {
		t.Errorf("/api/v1/directory = %d %s", resp.StatusCode, body)
	}
}
