// Package demo is the demonstration data of the embedded default: artificial
// people, organisations and staff that show every part of etuus.
package demo

import (
	"fmt"

	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// Data is one set of demo data.
type Data struct {
	Persons       []customer.Person
	Organisations []customer.Organisation
	Staff         []org.Staff
	Claims        []recovery.Claim
	// Benefits are what the demo people receive, so the demo shows
	// payments (the payment capability's data, seeded apart).
	Benefits []payment.Benefit
}

// Set returns the demo data. Identity codes use the artificial individual
// numbers 900–999 and business IDs a range no real company has, so no demo
// record ever names a real person or company.
func Set() (Data, error) { return SetOn(civil.Of(time.Now())) }

// SetOn is the demo data as of a day: claims fall due a few weeks after it.
func SetOn(today civil.Date) (Data, error) {
	var d Data
	people := []struct {
		id, hetu, given, family, lang, email string
	}{
		{"demo-person-maija", "010403A998U", "Maija", "Meikäläinen", "fi", "maija.meikalainen@example.fi"},
		{"demo-person-matti", "100871-998D", "Matti", "Virtanen", "fi", "matti.virtanen@example.fi"},
		{"demo-person-sanna", "091099-998L", "Sanna", "Lindqvist", "sv", "sanna.lindqvist@example.fi"},
		{"demo-person-johan", "241198-998U", "Johan", "Korhonen", "en", "johan.korhonen@example.fi"},
	}
	for _, p := range people {
		code, err := hetu.Parse(p.hetu)
		if err != nil {
			return Data{}, fmt.Errorf("demo person %s: %w", p.id, err)
		}
		if !code.Temporary() {
			return Data{}, fmt.Errorf("demo person %s: %s is not an artificial code", p.id, code.Masked())
		}
		d.Persons = append(d.Persons, customer.Person{
			ID: p.id, HETU: code.String(), GivenName: p.given, FamilyName: p.family,
			BirthDate: code.BirthDate(), Lang: p.lang, Email: p.email, Demo: true,
		})
	}
	mp, err := mandatePersons()
	if err != nil {
		return Data{}, err
	}
	d.Persons = append(d.Persons, mp...)
	orgs := []struct {
		id   string
		base int
		name string
	}{
		{"demo-org-rakennus", 9876541, "Demo Rakennus Oy"},
		{"demo-org-tilitoimisto", 9876542, "Tilitoimisto Demo Oy"},
		{"demo-org-kahvila", 9876543, "Kahvila Demo Ky"},
	}
	for _, o := range orgs {
		id, ok := ytunnus.Make(o.base)
		if !ok {
			return Data{}, fmt.Errorf("demo organisation %s: base %d has no check digit", o.id, o.base)
		}
		d.Organisations = append(d.Organisations, customer.Organisation{ID: o.id, BusinessID: id.String(), Name: o.name, Demo: true})
	}
	d.Staff = []org.Staff{
		{ID: "demo-staff-anna", Subject: "test-staff:staff-anna", GivenName: "Anna", FamilyName: "Asiantuntija", UnitID: "recovery", Role: org.RoleSpecialist},
		{ID: "demo-staff-pekka", Subject: "test-staff:staff-pekka", GivenName: "Pekka", FamilyName: "Päällikkö", UnitID: "recovery", Role: org.RoleManager},
		{ID: "demo-staff-kaisa", Subject: "test-staff:staff-kaisa", GivenName: "Kaisa", FamilyName: "Kansainvälinen", UnitID: "international", Role: org.RoleSpecialist},
		// Benefit Services answers employers' messages (the employer topic)
		// and payment notices' replies.
		{ID: "demo-staff-eila", Subject: "test-staff:staff-eila", GivenName: "Eila", FamilyName: "Etuuskäsittelijä", UnitID: "benefit-services", Role: org.RoleSpecialist},
		{ID: "demo-staff-olli", Subject: "test-staff:staff-olli", GivenName: "Olli", FamilyName: "Operaattori", UnitID: "shared-services", Role: org.RoleOperations},
	}
	due := func(days int) civil.Date { return bankday.NextOrSame(today.AddDays(days)) }
	d.Claims = []recovery.Claim{
		{PersonID: "demo-person-maija", Kind: recovery.StudentLoan, Principal: 234000, DueDate: due(21)},
		// Housing allowance paid too much for six months that ended four
		// months ago (200 € a month), then decided.
		{PersonID: "demo-person-matti", Kind: recovery.Overpayment, Principal: 120000, DueDate: due(14),
			BenefitKey: "housing_allowance", DecisionID: "DEMO-2026-001",
			PeriodFrom: monthStart(today, -9), PeriodTo: monthStart(today, -3).AddDays(-1)},
		{PersonID: "demo-person-sanna", Kind: recovery.HealthcareFee, Principal: 3535, DueDate: due(-7),
			Term: recovery.Term{Year: today.Year, Autumn: true}},
		// The maintenance support Kela paid for Johan's child last year,
		// which he owes as child support debt.
		{PersonID: "demo-person-johan", Kind: recovery.ChildSupport, Principal: 85000, DueDate: due(30),
			PeriodFrom: civil.New(today.Year-1, time.January, 1), PeriodTo: civil.New(today.Year-1, time.December, 31)},
	}
	d.Benefits = demoBenefits(today)
	return d, nil
}

// monthStart is the first day of the month n months from d's.
func monthStart(d civil.Date, n int) civil.Date {
	m := d.Year*12 + int(d.Month) - 1 + n
	return civil.New(m/12, time.Month(m%12+1), 1)
}

// demoBenefits are the demo people's benefits: each started at the
// beginning of the month three months before today, so that past and
// coming payments both show. The accounts are valid demo IBANs.
func demoBenefits(today civil.Date) []payment.Benefit {
	y, m := today.Year, today.Month-3
	if m < time.January {
		y, m = y-1, m+12
	}
	start := civil.New(y, m, 1)
	return []payment.Benefit{
		{ID: "demo-benefit-maija-housing", PersonID: "demo-person-maija", Kind: "housing-allowance", AmountCents: 31250, IBAN: "FI4950009420028730", Starts: start},
		{ID: "demo-benefit-matti-child", PersonID: "demo-person-matti", Kind: "child-benefit", AmountCents: 9491, IBAN: "FI1410093000123458", Starts: start},
		{ID: "demo-benefit-matti-unemployment", PersonID: "demo-person-matti", Kind: "unemployment", AmountCents: 3767, IBAN: "FI1410093000123458", Starts: start},
		{ID: "demo-benefit-sanna-child", PersonID: "demo-person-sanna", Kind: "child-benefit", AmountCents: 9491, IBAN: "FI3715903000000776", Starts: start},
		{ID: "demo-benefit-sanna-maintenance", PersonID: "demo-person-sanna", Kind: "child-maintenance-allowance", AmountCents: 19001, IBAN: "FI3715903000000776", Starts: start},
		{ID: "demo-benefit-johan-pension", PersonID: "demo-person-johan", Kind: "guarantee-pension", AmountCents: 104853, IBAN: "FI4950009420028730", Starts: start},
		{ID: "demo-benefit-johan-backdated", PersonID: "demo-person-johan", Kind: "backdated", AmountCents: 45000, IBAN: "FI4950009420028730", Starts: start, Decided: today},
	}
}

// EIDASPersons are demo identities of the test identity provider who sign in
// with a foreign eID; each becomes a customer at first sign-in. Only the
// first three come from accepted countries; Pierre shows the refusal.
func EIDASPersons() []customer.Person {
	return []customer.Person{
		{ID: "demo-eidas-kati", EIDASCountry: "EE", EIDASID: "EE/FI/49001010099", GivenName: "Kati", FamilyName: "Tamm", BirthDate: civil.New(1990, 1, 1), Lang: "en", Demo: true},
		{ID: "demo-eidas-lucia", EIDASCountry: "ES", EIDASID: "ES/FI/99999999R", GivenName: "Lucía", FamilyName: "García", BirthDate: civil.New(1985, 5, 12), Lang: "en", Demo: true},
		{ID: "demo-eidas-giulia", EIDASCountry: "IT", EIDASID: "IT/FI/TINIT-RSSGLI80A41H501X", GivenName: "Giulia", FamilyName: "Rossi", BirthDate: civil.New(1980, 1, 1), Lang: "en", Demo: true},
		{ID: "demo-eidas-pierre", EIDASCountry: "FR", EIDASID: "FR/FI/9999999999", GivenName: "Pierre", FamilyName: "Martin", BirthDate: civil.New(1975, 7, 14), Lang: "en", Demo: true},
	}
}
