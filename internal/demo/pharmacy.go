package demo

import (
	"context"
	"fmt"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/pharmacy"
)

// PharmacyPurchase is a demo purchase recorded at start-up, so that the
// demo people's years show each situation.
type PharmacyPurchase struct {
	IdentityCode string
	PurchaseID   string
	Lines        []pharmacy.LineIn
}

// PharmacyData is the demo of direct reimbursement: two more people (a
// child under 19 and a person without the health insurance's basic
// right), every demo person's rights, and the purchases that put them
// where they stand in the year.
type PharmacyData struct {
	PharmacyID string
	Persons    []customer.Person
	Rights     map[string][]pharmacy.Right
	Purchases  []PharmacyPurchase
}

// The demo pharmacy, whose system the demo purchases come from.
const DemoPharmacyID = "demo-pharmacy-keskusapteekki"

// Pharmacy is the demo of direct reimbursement as of a day:
//   - Maija: basic right only, nothing bought this year — the whole
//     initial deductible ahead;
//   - Matti: diabetes (higher special), the deductible paid;
//   - Sanna: chronic asthma (lower special) until the end of the year,
//     a few euros short of the annual ceiling;
//   - Johan: chronic heart failure (lower special), over the ceiling;
//   - Ella: born 2012, under 19 — no deductible;
//   - Ulla: no basic right (not covered by the health insurance), so
//     nothing is reimbursed directly.
func Pharmacy(today civil.Date) (PharmacyData, error) {
	d := PharmacyData{PharmacyID: DemoPharmacyID, Rights: map[string][]pharmacy.Right{}}
	extra := []struct {
		id, given, family, lang string
		born                    civil.Date
	}{
		{"demo-person-ella", "Ella", "Esimerkki", "fi", civil.New(2012, 4, 15)},
		{"demo-person-ulla", "Ulla", "Ulkomaa", "en", civil.New(1988, 9, 30)},
	}
	codes := map[string]string{}
	for _, p := range extra {
		code, err := hetu.Make(p.born, 998, 0)
		if err != nil {
			return d, fmt.Errorf("demo person %s: %w", p.id, err)
		}
		d.Persons = append(d.Persons, customer.Person{ID: p.id, HETU: code.String(), GivenName: p.given, FamilyName: p.family,
			BirthDate: p.born, Lang: p.lang, Demo: true})
		codes[p.id] = code.String()
	}
	base, err := Set()
	if err != nil {
		return d, err
	}
	for _, p := range base.Persons {
		codes[p.ID] = p.HETU
	}
	yearStart := civil.New(today.Year, 1, 1)
	basic := pharmacy.Right{Kind: pharmacy.RightBasic, From: civil.New(2000, 1, 1)}
	special := func(kind string, to civil.Date) pharmacy.Right {
		return pharmacy.Right{Kind: kind, From: yearStart.AddDays(-400), To: to}
	}
	d.Rights["demo-person-maija"] = []pharmacy.Right{basic}
	d.Rights["demo-person-matti"] = []pharmacy.Right{basic, special("diabetes", civil.Date{})}
	d.Rights["demo-person-sanna"] = []pharmacy.Right{basic, special("asthma", civil.New(today.Year, 12, 31))}
	d.Rights["demo-person-johan"] = []pharmacy.Right{basic, special("heart_failure", civil.Date{})}
	d.Rights["demo-person-ella"] = []pharmacy.Right{{Kind: pharmacy.RightBasic, From: civil.New(2012, 4, 15)}}
	buy := func(person, id string, lines ...pharmacy.LineIn) {
		d.Purchases = append(d.Purchases, PharmacyPurchase{IdentityCode: codes[person], PurchaseID: id, Lines: lines})
	}
	const insulin, statin = "990011", "990079"
	buy("demo-person-matti", "demo-1001", pharmacy.LineIn{VNR: statin, PackagePriceCents: 9000, Packages: 1},
		pharmacy.LineIn{VNR: insulin, PackagePriceCents: 6000, Packages: 3})
	buy("demo-person-sanna", "demo-1002", pharmacy.LineIn{VNR: statin, PackagePriceCents: 48500, Packages: 2})
	buy("demo-person-johan", "demo-1003", pharmacy.LineIn{VNR: statin, PackagePriceCents: 55000, Packages: 2})
	return d, nil
}

// PharmacySeeder stores the demo people and rights once (store.DB).
type PharmacySeeder interface {
	SeedPharmacy(ctx context.Context, persons []customer.Person, rights map[string][]pharmacy.Right) (bool, error)
}

// SeedPharmacy stores the demo of direct reimbursement as of a day, once:
// the people and rights, then the purchases, recorded through the service
// from the demo pharmacy's system.
func SeedPharmacy(ctx context.Context, db PharmacySeeder, svc *pharmacy.Service, today civil.Date) error {
	d, err := Pharmacy(today)
	if err != nil {
		return err
	}
	seeded, err := db.SeedPharmacy(ctx, d.Persons, d.Rights)
	if err != nil || !seeded {
		return err
	}
	caller := pharmacy.Caller{PharmacyID: d.PharmacyID, ClientID: "demo-seed"}
	for _, p := range d.Purchases {
		_, err := svc.RecordPurchase(ctx, caller, pharmacy.PurchaseRequest{PurchaseID: p.PurchaseID, IdentityCode: p.IdentityCode,
			PurchasedOn: today, Lines: p.Lines})
		if err != nil {
			return fmt.Errorf("demo purchase %s: %w", p.PurchaseID, err)
		}
	}
	return nil
}
