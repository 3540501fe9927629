package storetest

// The invariants of employers' reimbursements in payment runs
// (payment/employer.go): one payment per approved application, of the
// approved amount, to the account and organisation the application
// names; sent exactly when its run's file is published; and an end-to-end
// ID that no benefit payment also carries (the bank's answers find a
// payment by it).
func init() {
	invariants = append(invariants,
		struct{ name, query string }{"one payment per employer application",
			`SELECT application_id, COUNT(*), 0, 0 FROM employer_payments GROUP BY application_id HAVING COUNT(*) > 1`},
		struct{ name, query string }{"an employer's payment is of an approved application, its approved amount, account and organisation",
			`SELECT e.id, a.status, a.amount_cents, e.amount_cents FROM employer_payments e
			 JOIN employer_applications a ON a.id = e.application_id
			 WHERE a.status <> 'approved' OR e.amount_cents <> a.amount_cents OR e.amount_cents <= 0
			   OR e.iban <> a.iban OR e.org_id <> a.org_id`},
		struct{ name, query string }{"an employer's payment is sent exactly when its run's file is published",
			`SELECT e.id, e.status, r.status, 0 FROM employer_payments e JOIN payment_runs r ON r.id = e.run_id
			 WHERE (e.status IN ('sent', 'rejected', 'returned')) <> (r.status = 'published')`},
		struct{ name, query string }{"an employer's payment is rejected or returned exactly when it has the bank's reason",
			`SELECT id, status, reason_code, 0 FROM employer_payments
			 WHERE (status IN ('rejected', 'returned')) <> (reason_code <> '' AND failed_at IS NOT NULL)`},
		struct{ name, query string }{"an end-to-end ID is one payment's",
			`SELECT e.end_to_end_id, e.id, p.id, 0 FROM employer_payments e JOIN payments p ON p.end_to_end_id = e.end_to_end_id`},
	)
}
