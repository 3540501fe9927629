package storetest

// The invariants of employers' reimbursements in payment runs
// (payment/employer.go): an approved application has at most one payment
// the bank has not rejected or returned, and every earlier payment of it
// failed and was followed by a corrected account, which the next payment
// was sent to — so an approved application is waiting for its first run,
// paid once, or its last payment failed and it waits for a new account
// (or, given one, for the next run), and the sum paid and not failed never
// exceeds the approved amount. Each payment is of an approved
// application's amount and organisation; one not failed, or failed and
// waiting for an account, goes to the account the application names;
// sent exactly when its run's file is published; and an end-to-end ID
// that no benefit payment also carries (the bank's answers find a payment
// by it).
func init() {
	invariants = append(invariants,
		struct{ name, query string }{"at most one payment not rejected or returned per employer application",
			`SELECT application_id, COUNT(*), 0, 0 FROM employer_payments WHERE status NOT IN ('rejected', 'returned')
			 GROUP BY application_id HAVING COUNT(*) > 1`},
		struct{ name, query string }{"an employer application is paid again only after its payment failed and a new account was given",
			`SELECT e.id, f.id, f.status, 0 FROM employer_payments e
			 JOIN employer_payments f ON f.application_id = e.application_id AND f.created_at < e.created_at
			 WHERE f.status NOT IN ('rejected', 'returned') OR f.new_iban_at IS NULL`},
		struct{ name, query string }{"an employer's payment after a new account goes to that account",
			`SELECT e.id, f.id, 0, 0 FROM employer_payments e
			 JOIN employer_payments f ON f.application_id = e.application_id AND f.created_at < e.created_at
			 WHERE NOT EXISTS (SELECT 1 FROM employer_payments g WHERE g.application_id = e.application_id
			   AND g.created_at > f.created_at AND g.created_at < e.created_at) AND e.iban <> f.new_iban`},
		struct{ name, query string }{"a new account is given only on a failed employer payment, with the account",
			`SELECT id, status, 0, 0 FROM employer_payments
			 WHERE new_iban_at IS NOT NULL AND (status NOT IN ('rejected', 'returned') OR new_iban = '')
			    OR new_iban_at IS NULL AND new_iban <> ''`},
		struct{ name, query string }{"an employer application is paid at most its approved amount",
			`SELECT a.id, a.amount_cents, SUM(e.amount_cents), 0 FROM employer_applications a
			 JOIN employer_payments e ON e.application_id = a.id AND e.status NOT IN ('rejected', 'returned')
			 GROUP BY a.id, a.amount_cents HAVING SUM(e.amount_cents) > a.amount_cents`},
		struct{ name, query string }{"an employer's payment is of an approved application, its approved amount and organisation",
			`SELECT e.id, a.status, a.amount_cents, e.amount_cents FROM employer_payments e
			 JOIN employer_applications a ON a.id = e.application_id
			 WHERE a.status <> 'approved' OR e.amount_cents <> a.amount_cents OR e.amount_cents <= 0 OR e.org_id <> a.org_id`},
		struct{ name, query string }{"an employer's payment not failed, or failed and waiting for an account, goes to the application's account",
			`SELECT e.id, e.status, 0, 0 FROM employer_payments e JOIN employer_applications a ON a.id = e.application_id
			 WHERE (e.status NOT IN ('rejected', 'returned') OR e.new_iban_at IS NULL) AND e.iban <> a.iban`},
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
