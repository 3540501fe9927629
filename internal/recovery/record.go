package recovery

import (
	"context"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
)

// MaxRecordLetters bounds the letters a record lists: the newest.
const MaxRecordLetters = 100

// Record is a customer's applications and letters across all their
// claims, newest first: what the customer's decisions page and the staff
// 360 view show.
type Record struct {
	Proposals  []Proposal
	Exemptions []Exemption
	Letters    []Letter
	// DecisionBy is, for each application still waiting (by ID), the day
	// by which it is expected to be decided: the rule table's pause of
	// collection for a waiting application (PauseWhilePendingDays) from
	// the day it was sent, which is as long as the Centre lets the claim
	// wait.
	DecisionBy map[string]civil.Date
}

// Record is the customer's own applications and letters.
func (s *Service) Record(ctx context.Context, a access.Actor) (Record, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Record{}, err
	}
	return s.record(ctx, pid)
}

// StaffRecord is a customer's applications and letters for staff whose
// role shows claims in the 360 view (access.DeskClaims). It writes no
// audit entry of its own: the desk calls it for a view it has audited.
func (s *Service) StaffRecord(ctx context.Context, a access.Actor, personID string) (Record, error) {
	if err := s.cfg.Access.Check(a, access.DeskClaims); err != nil {
		return Record{}, err
	}
	return s.record(ctx, personID)
}

func (s *Service) record(ctx context.Context, personID string) (Record, error) {
	var r Record
	var err error
	if r.Proposals, err = s.repo.PersonProposals(ctx, personID); err != nil {
		return r, err
	}
	if r.Exemptions, err = s.repo.PersonExemptions(ctx, personID); err != nil {
		return r, err
	}
	if r.Letters, err = s.repo.PersonLetters(ctx, personID, MaxRecordLetters); err != nil {
		return r, err
	}
	r.DecisionBy = map[string]civil.Date{}
	by := func(id string, kind Kind, sent civil.Date) {
		if rule, err := s.cfg.Rules.RemindersAt(kind, sent); err == nil {
			r.DecisionBy[id] = sent.AddDays(rule.PauseWhilePendingDays)
		}
	}
	for _, p := range r.Proposals {
		if p.Status == Pending {
			by(p.ID, p.Kind, civil.Of(p.CreatedAt))
		}
	}
	for _, x := range r.Exemptions {
		if x.Status == Pending {
			by(x.ID, x.ClaimKind, civil.Of(x.CreatedAt))
		}
	}
	return r, nil
}

// NewestLetters is the customer's own newest letters on all their
// claims, at most limit (the inbox lists them with the messages).
func (s *Service) NewestLetters(ctx context.Context, a access.Actor, limit int) ([]Letter, error) {
	pid, err := customerOf(a)
	if err != nil {
		return nil, err
	}
	return s.repo.PersonLetters(ctx, pid, min(limit, MaxRecordLetters))
}

// BenefitTextKey is the translation key of the benefit an overpayment
// claim recovers ("benefit.housing-allowance" for "housing_allowance"),
// the names the payment pages use; "" when the claim names none.
func (c Claim) BenefitTextKey() string {
	if c.BenefitKey == "" {
		return ""
	}
	return "benefit." + strings.ReplaceAll(c.BenefitKey, "_", "-")
}
