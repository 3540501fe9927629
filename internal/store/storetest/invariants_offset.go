package storetest

// The invariants of recovery offsetting in payment runs: a payment's
// offset is exactly what its offset rows withheld, each of them is one
// booked transaction of its claim for that amount (so the claims' own
// invariants count it once), and a payment withheld from pays something.
func init() {
	invariants = append(invariants,
		struct{ name, query string }{"a payment's offset is the sum of its offsets",
			`SELECT p.id, p.offset_cents, COALESCE(o.s, 0), 0 FROM payments p
			 LEFT JOIN (SELECT payment_id, SUM(cents) AS s FROM payment_offsets GROUP BY payment_id) o ON o.payment_id = p.id
			 WHERE p.offset_cents <> COALESCE(o.s, 0) OR p.offset_cents < 0`},
		struct{ name, query string }{"each offset is one booked transaction of its claim, person and amount",
			`SELECT o.payment_id || ' ' || o.claim_id, o.cents, COALESCE(e.amount_cents, 0), COALESCE(e.status, '')
			 FROM payment_offsets o LEFT JOIN bank_entries e ON e.id = o.bank_entry_id
			 WHERE e.id IS NULL OR e.status <> 'booked' OR e.claim_id <> o.claim_id OR e.person_id <> o.person_id
			   OR e.amount_cents <> o.cents OR o.cents <= 0`},
		struct{ name, query string }{"an offset is the payment's holder's and in the payment's run",
			`SELECT o.payment_id, o.person_id, p.person_id, 0 FROM payment_offsets o JOIN payments p ON p.id = o.payment_id
			 JOIN claims c ON c.id = o.claim_id
			 WHERE o.person_id <> p.person_id OR c.person_id <> p.person_id OR o.run_id <> p.run_id`},
	)
}
