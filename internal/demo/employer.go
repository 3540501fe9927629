package demo

import (
	"context"
	"fmt"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fi/civil"
)

// SeedEmployer stores the employer e-service's demo as of a day, once,
// through the service like anyone: Teemu applies for Demo Rakennus Oy for
// Matti's sickness allowance (waiting) and for Sanna's parental allowance,
// which Anna of staff approves; and for occupational healthcare (the
// accounting period that ended at the end of the month before last), Eeva
// for workplace 1003, approved at less than claimed with Anna's reason,
// and Teemu, whose mandate is restricted to workplaces 1001 and 1002, for
// 1001 (waiting): Teemu sees his workplace's application only.
func SeedEmployer(ctx context.Context, svc *employer.Service, d Data, today civil.Date) error {
	_, orgs, err := MandateFeed(d, today)
	if err != nil {
		return err
	}
	teemu := access.AsCustomer("demo-person-teemu")
	have, err := svc.List(ctx, teemu, orgs.Employer, 1)
	if err != nil || have.Total > 0 {
		return err
	}
	apps := []employer.Input{
		{Benefit: string(employer.Parental), Employee: "091099-998L", Start: today.AddDays(-60).String(), End: today.AddDays(-32).String(),
			SalaryCents: 385000, IBAN: "FI4250001510000023"},
		{Benefit: string(employer.Sickness), Employee: "100871-998D", Start: today.AddDays(-14).String(), End: today.AddDays(-3).String(),
			SalaryCents: 142500, IBAN: "FI4250001510000023"},
	}
	for i, in := range apps {
		a, err := svc.Apply(ctx, teemu, orgs.Employer, in)
		if err != nil {
			return fmt.Errorf("demo employer application %d: %w", i, err)
		}
		if i == 0 {
			_, err := svc.Decide(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), a.ID,
				employer.Decision{Approve: true, AmountCents: 302400})
			if err != nil {
				return fmt.Errorf("demo employer decision: %w", err)
			}
		}
	}
	end := civil.New(today.Year, today.Month-1, 1).AddDays(-1)
	start := civil.New(end.Year-1, end.Month+1, 1)
	eeva := access.AsCustomer("demo-person-eeva")
	hc := employer.OccupationalInput{Workplace: "1003", Start: start.String(), End: end.String(), Employees: "12",
		Class1Cents: 1_080_000, Class2Cents: 2_150_000, RevenueCents: 25_000, IBAN: "FI4250001510000023"}
	a, err := svc.ApplyOccupational(ctx, eeva, orgs.Employer, hc)
	if err != nil {
		return fmt.Errorf("demo occupational-healthcare application: %w", err)
	}
	_, err = svc.Decide(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), a.ID,
		employer.Decision{Approve: true, AmountCents: a.Claimed() - 40_000,
			Reason: "Lääkärikäyntien kustannuksista 800,00 € ylittää tarpeelliset ja kohtuulliset kustannukset."})
	if err != nil {
		return fmt.Errorf("demo occupational-healthcare decision: %w", err)
	}
	hc.Workplace, hc.Employees, hc.Class1Cents, hc.Class2Cents, hc.RevenueCents = "1001", "4", 320_000, 510_000, 0
	if _, err := svc.ApplyOccupational(ctx, teemu, orgs.Employer, hc); err != nil {
		return fmt.Errorf("demo occupational-healthcare application: %w", err)
	}
	return nil
}
