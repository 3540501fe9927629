package employer

import (
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
)

// TestEmployeeMessage: the decision's message to the employee names the
// employer and its business ID, the benefit and period, the decision with
// the amount paid to the employer or the reason, in each language — and
// never the employer's account.
func TestEmployeeMessage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{}
	s.SetNotices(Notices{Text: func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }})
	app := Application{ID: "a1", Org: "1572860-0", OrgName: "Demo Rakennus Oy", Benefit: Sickness, Employee: "100871-998D",
		Start: civil.New(2026, 11, 2), End: civil.New(2026, 11, 20), SalaryCents: 250000, IBAN: "FI2112345600000785", Status: Pending}
	approved, refused := app, app
	if err := approved.Apply(Decision{Approve: true, AmountCents: 81250}, "staff", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := refused.Apply(Decision{Reason: "Palkkaa ei maksettu."}, "staff", time.Now()); err != nil {
		t.Fatal(err)
	}
	benefit := map[string]string{"fi": "Sairauspäiväraha", "sv": "Sjukdagpenning", "en": "Sickness allowance"}
	for _, lang := range []string{"fi", "sv", "en"} {
		for _, c := range []struct {
			name string
			app  Application
			want string
		}{{"approved", approved, "812,50"}, {"refused", refused, "Palkkaa ei maksettu."}} {
			t.Run(lang+"/"+c.name, func(t *testing.T) {
				title, body := s.employeeMessage(lang, c.app)
				if title == "" || strings.Contains(title, "employer.notice") || strings.Contains(body, "{{") {
					t.Fatalf("untranslated: %q %q", title, body)
				}
				if lang == "en" {
					c.want = strings.ReplaceAll(c.want, ",", ".")
				}
				for _, w := range []string{"Demo Rakennus Oy", "1572860-0", "2.11.2026–20.11.2026", c.want} {
					if !strings.Contains(body, w) {
						t.Errorf("no %q in %q", w, body)
					}
				}
				if !strings.Contains(strings.ToLower(body), strings.ToLower(benefit[lang])) {
					t.Errorf("no benefit %q in %q", benefit[lang], body)
				}
				for _, no := range []string{"FI21", "0785", "100871", "2500,00", "2,500.00"} {
					if strings.Contains(body, no) || strings.Contains(title, no) {
						t.Errorf("%q in the employee's message: %q", no, body)
					}
				}
			})
		}
	}
}
