package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestDirectoryAroundEaster2024 is seed 000 as the public directory shows
// it, in each language: on Maundy Thursday at 10 the phone lines are open
// until 13, and Good Friday and Easter Monday are listed closed; the status
// page answers with no notices.
func TestDirectoryAroundEaster2024(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.web.SetClock(func() time.Time { return time.Date(2024, 3, 28, 10, 0, 0, 0, civil.Finland) })
	want := map[string][]string{
		"fi": {"Avoinna nyt, suljetaan klo 13.00", "pitkäperjantai", "toinen pääsiäispäivä", "kiirastorstai", "020 634 0300"},
		"sv": {"Öppet nu, stänger kl. 13.00", "långfredagen", "annandag påsk"},
		"en": {"Open now, closes at 13.00", "Good Friday", "Easter Monday", "Queueing is charged"},
	}
	for lang, texts := range want {
		resp, body := get(t, nil, e.srv.URL+"/directory", "Accept-Language", lang)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", lang, resp.StatusCode)
		}
		for _, s := range texts {
			if !strings.Contains(body, s) {
				t.Errorf("%s directory lacks %q", lang, s)
			}
		}
		if resp, body := get(t, nil, e.srv.URL+"/status", "Accept-Language", lang); resp.StatusCode != 200 || !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Errorf("%s status page: %d", lang, resp.StatusCode)
		}
	}
	// On Good Friday the line says when it opens: Tuesday 2.4 at 10.
	e.web.SetClock(func() time.Time { return time.Date(2024, 3, 29, 11, 0, 0, 0, civil.Finland) })
	if _, body := get(t, nil, e.srv.URL+"/directory", "Accept-Language", "en"); !strings.Contains(body, "Closed, opens 2.4.2024 10.00") {
		t.Errorf("Good Friday:\n%s", body)
	}
}
