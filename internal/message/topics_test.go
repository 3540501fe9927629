package message

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

func TestDefaultCatalogueRoutesToReferenceUnits(t *testing.T) {
	c := defaultCatalogue(t)
	var keys []string
	for _, s := range c.Subjects() {
		keys = append(keys, s.Key)
	}
	// secure_email is retired: it labels threads opened by a secure e-mail
	// link and is never offered on the form. payments also labels the
	// payment service's notices (payment.NoticeSubject). employer is
	// organisations' only.
	if want := []string{"recovery", "international", "payments", "general", "employer", "secure_email"}; !slices.Equal(keys, want) {
		t.Errorf("subjects = %v; want %v in that order", keys, want)
	}
	for _, s := range c.Subjects() {
		if s.OfferedTo(PartyCustomer) == (s.Key == "employer") || s.OfferedTo(PartyOrganisation) != (s.Key == "employer") {
			t.Errorf("subject %s: offered to customers %v, to organisations %v", s.Key, s.OfferedTo(PartyCustomer), s.OfferedTo(PartyOrganisation))
		}
	}
	if err := CheckNewMessage(c, "employer", "other", "Kysymys", "Teksti", nil, Limits{}); fault.FieldOf(err) != "subject" {
		t.Errorf("a customer on the employer subject: %v", err)
	}
	if err := CheckOrgMessage(c, "recovery", "other", "Kysymys", "Teksti", Limits{}); fault.FieldOf(err) != "subject" {
		t.Errorf("an organisation on the recovery subject: %v", err)
	}
	if err := CheckOrgMessage(c, "employer", "reimbursement", "Kysymys", "Teksti", Limits{}); err != nil {
		t.Errorf("an organisation on the employer subject: %v", err)
	}
	if _, err := c.Route("secure_email", "other"); err == nil {
		t.Error("Route(secure_email, other) accepted a retired topic")
	}
	// The seed 002 walk-through, in Finnish as the e-service shows it.
	s, ok := c.Subject("recovery")
	if !ok || s.Label("fi") != "Liikamaksut ja perintäasiat" || s.Label("sv") != "Återkrav och indrivning" || s.Label("en") != "Overpayment and recovery issues" {
		t.Errorf("recovery subject = %+v, %v", s, ok)
	}
	for key, fi := range map[string]string{
		"payment_plan": "Etuuden takaisinperinnän maksusuunnitelma",
		"student_loan": "Opintolainan takaussaatavan perintä",
	} {
		if sp, ok := c.Specification("recovery", key); !ok || sp.Label("fi") != fi {
			t.Errorf("Specification(recovery, %s) = %+v, %v; want %q", key, sp, ok, fi)
		}
	}
}

func TestRoute(t *testing.T) {
	c := defaultCatalogue(t)
	tests := []struct {
		subject, spec, unit, key string
	}{
		{"recovery", "payment_plan", "recovery", ""},
		{"recovery", "student_loan", "recovery", ""},
		{"recovery", "child_support_abroad", "recovery", ""},
		{"recovery", "eu_883_2004", "recovery", ""},
		{"international", "moving_abroad", "international", ""},
		{"international", "cross_border_healthcare", "cross-border-healthcare", ""}, // the specification's own unit
		{"general", "other", "contact-centre", ""},
		{"", "payment_plan", "", "message.error.subject_missing"},
		{"nosuch", "payment_plan", "", "message.error.subject_unknown"},
		{"Recovery", "payment_plan", "", "message.error.subject_unknown"},
		{"recovery", "", "", "message.error.specification_missing"},
		{"recovery", "moving_abroad", "", "message.error.specification_unknown"}, // another subject's
		{"recovery", "recovery.payment_plan", "", "message.error.specification_unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.subject+"/"+tt.spec, func(t *testing.T) {
			unit, err := c.Route(tt.subject, tt.spec)
			wantKey(t, err, tt.key)
			if unit != tt.unit {
				t.Errorf("unit = %q; want %q", unit, tt.unit)
			}
			if err != nil && fault.KindOf(err) != fault.Invalid {
				t.Errorf("kind = %v; want invalid", fault.KindOf(err))
			}
		})
	}
}

// catalogue is a small valid catalogue with one thing replaced.
func catalogue(replace ...string) string {
	s := `{"subjects": [
	  {"key": "recovery", "unit": "recovery", "labels": {"fi": "Perintä", "sv": "Indrivning", "en": "Recovery"},
	   "specifications": [
	     {"key": "plan", "labels": {"fi": "Maksusuunnitelma", "sv": "Betalningsplan", "en": "Payment plan"}},
	     {"key": "abroad", "unit": "international", "labels": {"fi": "Ulkomailta", "sv": "Från utlandet", "en": "From abroad"}}]},
	  {"key": "old", "unit": "recovery", "retired": true, "labels": {"fi": "Vanha", "sv": "Gammal", "en": "Old"},
	   "specifications": [{"key": "x", "retired": true, "labels": {"fi": "X", "sv": "X", "en": "X"}}]}]}`
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			panic("catalogue: no " + replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	return s
}

func units(ids ...string) func(string) bool {
	return func(id string) bool { return slices.Contains(ids, id) }
}

func TestLoadCatalogueRefuses(t *testing.T) {
	known := units("recovery", "international")
	tests := []struct {
		name, json, want string
	}{
		{"duplicate subject", catalogue(`"key": "old"`, `"key": "recovery"`), "key used twice"},
		{"duplicate specification", catalogue(`"key": "abroad"`, `"key": "plan"`), "key used twice"},
		{"missing sv", catalogue(`"sv": "Indrivning", `, ``), "no sv label"},
		{"blank en", catalogue(`"en": "Payment plan"`, `"en": "  "`), "no en label"},
		{"unknown language", catalogue(`"en": "Recovery"`, `"en": "Recovery", "se": "Indrivning"`), "unknown field"},
		{"unknown subject unit", catalogue(`"unit": "recovery"`, `"unit": "perinta"`), `unknown unit "perinta"`},
		{"missing subject unit", catalogue(`"unit": "recovery", `, ``), `unknown unit ""`},
		{"unknown specification unit", catalogue(`"unit": "international"`, `"unit": "kv"`), `unknown unit "kv"`},
		{"no specifications", catalogue(`"specifications": [{"key": "x", "retired": true, "labels": {"fi": "X", "sv": "X", "en": "X"}}]`, `"specifications": []`), "no specifications"},
		{"all specifications retired", catalogue(`"key": "old", "unit": "recovery", "retired": true`, `"key": "old", "unit": "recovery"`), "every specification is retired"},
		{"key with a dot", catalogue(`"key": "plan"`, `"key": "recovery.plan"`), "slug"},
		{"upper-case key", catalogue(`"key": "plan"`, `"key": "Plan"`), "slug"},
		{"empty key", catalogue(`"key": "plan"`, `"key": ""`), "slug"},
		{"long key", catalogue(`"key": "plan"`, `"key": "`+strings.Repeat("a", 65)+`"`), "slug"},
		{"typo in a field", catalogue(`"retired": true, "labels"`, `"retierd": true, "labels"`), "unknown field"},
		{"no subjects", `{"subjects": []}`, "no subjects"},
		{"not JSON", `subjects:`, "invalid character"},
		{"trailing data", catalogue() + `{}`, "data after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadCatalogue(strings.NewReader(tt.json), known)
			if err == nil {
				t.Fatalf("loaded %+v; want an error", c)
			}
			if !errors.Is(err, ErrCatalogue) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want ErrCatalogue saying %q", err, tt.want)
			}
		})
	}
}

func TestRetiredTopics(t *testing.T) {
	c, err := LoadCatalogue(strings.NewReader(catalogue(
		`"key": "abroad", `, `"key": "abroad", "retired": true, `)), units("recovery", "international"))
	if err != nil {
		t.Fatal(err)
	}
	// Old threads still find their labels...
	if s, ok := c.Subject("old"); !ok || s.Label("sv") != "Gammal" {
		t.Errorf("Subject(old) = %+v, %v", s, ok)
	}
	if sp, ok := c.Specification("recovery", "abroad"); !ok || sp.Unit != "international" {
		t.Errorf("Specification(recovery, abroad) = %+v, %v", sp, ok)
	}
	// ...but no new message goes to a retired topic.
	_, err = c.Route("old", "x")
	wantKey(t, err, "message.error.subject_unknown")
	_, err = c.Route("recovery", "abroad")
	wantKey(t, err, "message.error.specification_unknown")
	if unit, err := c.Route("recovery", "plan"); err != nil || unit != "recovery" {
		t.Errorf("Route(recovery, plan) = %q, %v", unit, err)
	}
}

func TestCatalogueCannotBeChangedThroughItsResults(t *testing.T) {
	c := defaultCatalogue(t)
	subjects := c.Subjects()
	subjects[0].Unit = "cs-helsinki"
	subjects[0].Specifications[0].Unit = "cs-helsinki"
	s, _ := c.Subject("recovery")
	s.Specifications[0].Unit = "cs-helsinki"
	if unit, _ := c.Route("recovery", "payment_plan"); unit != "recovery" {
		t.Errorf("Route after changing the results = %q; want recovery", unit)
	}
}

func TestLabelsFallBackToFinnish(t *testing.T) {
	l := Labels{FI: "Perintä", SV: "Indrivning", EN: "Recovery"}
	for lang, want := range map[string]string{"fi": "Perintä", "sv": "Indrivning", "en": "Recovery", "de": "Perintä", "": "Perintä"} {
		if got := l.Get(lang); got != want {
			t.Errorf("Get(%q) = %q; want %q", lang, got, want)
		}
	}
}
