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
// which Anna of staff approves.
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
	return nil
}
