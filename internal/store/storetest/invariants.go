package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/etuus/etuus/internal/store"
)

// The money invariants of the recovery capability, each a query that
// returns the rows breaking it. They hold after any sequence of use cases,
// concurrent or not, on either database.
var invariants = []struct{ name, query string }{
	{"a claim's paid amount equals the sum of its distinct booked bank transactions",
		`SELECT c.id, c.paid_fees + c.paid_interest + c.paid_principal AS paid, COALESCE(b.booked, 0), 0
		 FROM claims c LEFT JOIN (SELECT claim_id, SUM(amount_cents) AS booked FROM bank_entries
		   WHERE status = 'booked' GROUP BY claim_id) b ON b.claim_id = c.id
		 WHERE c.paid_fees + c.paid_interest + c.paid_principal <> COALESCE(b.booked, 0)`},
	{"a claim's paid amount equals the payments in its history, less those the bank took back",
		`SELECT c.id, c.paid_fees + c.paid_interest + c.paid_principal, COALESCE(e.paid, 0), 0
		 FROM claims c LEFT JOIN (SELECT claim_id,
		     SUM(CASE WHEN kind = 'payment' THEN cents ELSE -cents END) AS paid FROM claim_events
		   WHERE kind IN ('payment', 'payment_reversed') GROUP BY claim_id) e ON e.claim_id = c.id
		 WHERE c.paid_fees + c.paid_interest + c.paid_principal <> COALESCE(e.paid, 0)`},
	{"a claim's paid parts equal the allocations of its booked bank transactions (booked since allocations are kept)",
		`SELECT c.id, c.paid_fees, c.paid_interest, c.paid_principal
		 FROM claims c LEFT JOIN (SELECT claim_id, SUM(alloc_fees) AS f, SUM(alloc_interest) AS i, SUM(alloc_principal) AS p,
		     SUM(CASE WHEN account = '' THEN 1 ELSE 0 END) AS legacy
		   FROM bank_entries WHERE status = 'booked' GROUP BY claim_id) b ON b.claim_id = c.id
		 WHERE (c.paid_fees <> COALESCE(b.f, 0) OR c.paid_interest <> COALESCE(b.i, 0) OR c.paid_principal <> COALESCE(b.p, 0))
		   AND COALESCE(b.legacy, 0) = 0`},
	{"a payment the bank took back is taken back by exactly one reversal",
		`SELECT o.id, COUNT(r.id), 0, 0 FROM bank_entries o LEFT JOIN bank_entries r ON r.original_id = o.id AND r.status = 'reversal'
		 WHERE o.status = 'reversed' GROUP BY o.id HAVING COUNT(r.id) <> 1`},
	{"a reversal takes back one payment, which is marked taken back",
		`SELECT r.id, COUNT(o.id), 0, 0 FROM bank_entries r LEFT JOIN bank_entries o ON o.id = r.original_id AND o.status = 'reversed'
		 WHERE r.status = 'reversal' GROUP BY r.id HAVING COUNT(o.id) <> 1`},
	{"a transaction the bank booked is booked once: one row holds each identity, every repeat points at one",
		`SELECT e.id, e.status, 0, 0 FROM bank_entries e
		 WHERE e.status = 'reported_again' AND NOT EXISTS (SELECT 1 FROM bank_entries o WHERE o.id = e.original_id)`},
	{"no part of a claim is paid more than charged",
		`SELECT id, paid_fees, paid_interest, paid_principal FROM claims
		 WHERE paid_fees > fees OR paid_interest > interest OR paid_principal > principal
		   OR paid_fees < 0 OR paid_interest < 0 OR paid_principal < 0`},
	{"a paid claim owes nothing",
		`SELECT id, status, 0, 0 FROM claims WHERE status = 'paid'
		 AND fees + interest + principal - paid_fees - paid_interest - paid_principal <> 0`},
	{"a claim has at most one plan proposal waiting",
		`SELECT claim_id, COUNT(*), 0, 0 FROM plan_proposals WHERE status = 'proposed' GROUP BY claim_id HAVING COUNT(*) > 1`},
	{"a claim has at most one exemption application waiting",
		`SELECT claim_id, COUNT(*), 0, 0 FROM exemption_applications WHERE status = 'proposed' GROUP BY claim_id HAVING COUNT(*) > 1`},
	{"each approved plan is one plan_approved event",
		`SELECT c.id, COALESCE(p.n, 0), COALESCE(e.n, 0), 0 FROM claims c
		 LEFT JOIN (SELECT claim_id, COUNT(*) AS n FROM plan_proposals WHERE status = 'approved' GROUP BY claim_id) p ON p.claim_id = c.id
		 LEFT JOIN (SELECT claim_id, COUNT(*) AS n FROM claim_events WHERE kind = 'plan_approved' GROUP BY claim_id) e ON e.claim_id = c.id
		 WHERE COALESCE(p.n, 0) <> COALESCE(e.n, 0)`},
	{"each decided proposal and application is one letter of its decision",
		`SELECT x.claim_id, x.n, COALESCE(l.n, 0), 0 FROM
		   (SELECT claim_id, COUNT(*) AS n FROM (
		      SELECT claim_id FROM plan_proposals WHERE status <> 'proposed'
		      UNION ALL SELECT claim_id FROM exemption_applications WHERE status <> 'proposed') d GROUP BY claim_id) x
		 LEFT JOIN (SELECT claim_id, COUNT(*) AS n FROM recovery_letters
		   WHERE kind IN ('plan_approved', 'plan_rejected', 'exemption_approved', 'exemption_rejected') GROUP BY claim_id) l
		   ON l.claim_id = x.claim_id
		 WHERE x.n <> COALESCE(l.n, 0)`},
	{"a written-off entry's amount is the sum of its parts",
		`SELECT claim_id, cents, fees + interest + principal, 0 FROM claim_events
		 WHERE kind = 'written_off' AND cents <> fees + interest + principal`},
	{"each decided proposal and application is one audit entry",
		`SELECT x.object, x.n, COALESCE(a.n, 0), 0 FROM
		   (SELECT 'claim:' || claim_id AS object, COUNT(*) AS n FROM (
		      SELECT claim_id FROM plan_proposals WHERE status <> 'proposed'
		      UNION ALL SELECT claim_id FROM exemption_applications WHERE status <> 'proposed') d GROUP BY claim_id) x
		 LEFT JOIN (SELECT object, COUNT(*) AS n FROM audit_log
		   WHERE action IN ('recovery.plan_approved', 'recovery.plan_rejected', 'recovery.exemption_approved', 'recovery.exemption_rejected')
		   GROUP BY object) a ON a.object = x.object
		 WHERE x.n <> COALESCE(a.n, 0)`},
	// Benefit payments (internal/payment): exactly once, and each run's
	// record agrees with its payments.
	{"one payment per benefit, person and period",
		`SELECT benefit_id || ' ' || period, COUNT(*), COUNT(DISTINCT person_id), 0 FROM payments
		 GROUP BY benefit_id, period HAVING COUNT(*) > 1`},
	{"a payment is its benefit's holder's",
		`SELECT p.id, p.person_id, b.person_id, 0 FROM payments p JOIN benefits b ON b.id = p.benefit_id
		 WHERE p.person_id <> b.person_id`},
	{"a payment is positive and under the SEPA ceiling",
		`SELECT id, amount_cents, 0, 0 FROM payments WHERE amount_cents <= 0 OR amount_cents > 99999999999`},
	{"a recorded run's count and sum are its payments' (employers' reimbursements included; with the attempts it sent that failed and were paid again in a later run)",
		`SELECT r.id, r.payments, COALESCE(p.n, 0), r.total_cents - COALESCE(p.s, 0) FROM payment_runs r
		 LEFT JOIN (SELECT run_id, COUNT(*) AS n, SUM(amount_cents) AS s FROM (
		     SELECT run_id, amount_cents FROM payments
		     UNION ALL SELECT run_id, amount_cents FROM employer_payments
		     UNION ALL SELECT run_id, amount_cents FROM payment_returns WHERE state = 'repaid') x GROUP BY run_id) p ON p.run_id = r.id
		 WHERE r.payments <> COALESCE(p.n, 0) OR r.total_cents <> COALESCE(p.s, 0) OR r.payments = 0`},
	{"a payment is prepared in its run, sent only when its run's file is published (stored 'sent' by older releases; read as sent once its run is published, store.paymentStatus), and failed only after that",
		`SELECT p.id, p.status, r.status, 0 FROM payments p JOIN payment_runs r ON r.id = p.run_id
		 WHERE p.status NOT IN ('prepared', 'sent', 'rejected', 'returned')
		    OR (p.status IN ('sent', 'rejected', 'returned') AND r.status <> 'published')`},
	// Rejected and returned payments (payment/returns.go): one row per key
	// above, so at most one attempt of a key is in flight; these keep the
	// attempts' record exact.
	{"a payment's attempt is the number of its failed attempts paid again, each numbered in turn",
		`SELECT p.id, p.attempt, COUNT(r.id), COALESCE(MAX(r.attempt) + 1, 0) FROM payments p
		 LEFT JOIN payment_returns r ON r.payment_id = p.id AND r.state = 'repaid'
		 GROUP BY p.id, p.attempt HAVING p.attempt <> COUNT(r.id) OR p.attempt <> COALESCE(MAX(r.attempt) + 1, 0)`},
	{"a payment is rejected or returned exactly while its current attempt's return waits, with that outcome",
		`SELECT p.id, p.status, COUNT(r.id), 0 FROM payments p
		 LEFT JOIN payment_returns r ON r.payment_id = p.id AND r.attempt = p.attempt AND r.state IN ('open', 'repay')
		   AND r.outcome = p.status AND r.end_to_end_id = p.end_to_end_id
		 GROUP BY p.id, p.status HAVING (p.status IN ('rejected', 'returned')) <> (COUNT(r.id) = 1)`},
	{"a failed attempt paid again names the later run that paid it",
		`SELECT r.id, r.state, COALESCE(r.repaid_run_id, ''), 0 FROM payment_returns r
		 LEFT JOIN payment_runs n ON n.id = r.repaid_run_id LEFT JOIN payment_runs o ON o.id = r.run_id
		 WHERE (r.state = 'repaid') <> (n.id IS NOT NULL) OR n.number <= o.number`},
}

// CheckInvariants fails the test for every row of the database that breaks
// one of the money invariants.
func CheckInvariants(t testing.TB, db *store.DB) {
	t.Helper()
	for _, v := range Violations(t, db) {
		t.Error(v)
	}
}

// Violations lists the rows breaking the invariants, one line each.
func Violations(t testing.TB, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, inv := range invariants {
		rows, err := db.SQL().QueryContext(context.Background(), inv.query)
		if err != nil {
			t.Fatalf("invariant %q: %v", inv.name, err)
		}
		for rows.Next() {
			var id string
			var a, b, c any
			if err := rows.Scan(&id, &a, &b, &c); err != nil {
				rows.Close()
				t.Fatalf("invariant %q: %v", inv.name, err)
			}
			out = append(out, fmt.Sprintf("broken: %s: %s (%v, %v, %v)", inv.name, id, a, b, c))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("invariant %q: %v", inv.name, err)
		}
		rows.Close()
	}
	return out
}
