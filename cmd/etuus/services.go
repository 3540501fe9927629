package main

import (
	"log/slog"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/pharmacy"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

// recoveryService is the Overpayment Recovery Centre's service on the
// database, with the rule table, account and approval setting of the flags:
// the pages, `reconcile`, `collect` and `healthcare-fees` all use it, so
// every entry point applies the same rules.
func recoveryService(c *config, db *store.DB) (*recovery.Service, error) {
	creditor, rules, err := c.recovery()
	if err != nil {
		return nil, err
	}
	// Returns of our own benefit payments in a statement go to the
	// payment capability (they need no payment setting, and recording a
	// return offsets nothing: the service needs no recovery of its own).
	pay, err := paymentService(defaultPay(), db, nil)
	if err != nil {
		return nil, err
	}
	return recovery.NewService(db.Recovery(), recovery.Config{
		Rules: rules, Creditor: creditor, Access: access.Default(), AutoApprovePlans: c.AutoApprove,
		PaymentReturns: pay,
	}), nil
}

// pharmacyService is pharmacy direct reimbursement on the database, with
// the shipped figure table and demo catalogue.
func pharmacyService(db *store.DB, log *slog.Logger) (*pharmacy.Service, error) {
	return pharmacy.NewService(db.Pharmacy(), pharmacy.Config{Access: access.Default(), Log: log})
}

// employerService is the employer e-services on the database, deciding
// each request with the mandate service.
func employerService(db *store.DB, mandates *mandate.Service) (*employer.Service, error) {
	return employer.NewService(db.Employer(), mandates, access.Default())
}
