package storetest

// The invariants of pharmacy direct reimbursement: a year's counters are
// exactly what its recorded (not cancelled) purchases counted, so that a
// purchase posted twice, or posted during a cancellation, counts once.
func init() {
	invariants = append(invariants,
		struct{ name, query string }{"a person's year counts exactly its recorded pharmacy purchases",
			`SELECT y.person_id || ':' || y.year, y.deductible_paid, y.ceiling_counted, COALESCE(p.d, 0) + COALESCE(p.c, 0)
			 FROM pharmacy_years y LEFT JOIN (SELECT person_id, year, SUM(deductible) AS d, SUM(ceiling) AS c
			   FROM pharmacy_purchases WHERE status = 'recorded' GROUP BY person_id, year) p
			   ON p.person_id = y.person_id AND p.year = y.year
			 WHERE y.deductible_paid <> COALESCE(p.d, 0) OR y.ceiling_counted <> COALESCE(p.c, 0)`},
		struct{ name, query string }{"a pharmacy purchase is the sum of its lines, and its shares add up to its price",
			`SELECT p.id, p.price, p.customer_share + p.reimbursement, COALESCE(l.price, 0)
			 FROM pharmacy_purchases p LEFT JOIN (SELECT purchase_id, SUM(price) AS price, SUM(customer_share) AS s,
			   SUM(reimbursement) AS r, SUM(deductible) AS d, SUM(ceiling) AS c FROM pharmacy_purchase_lines GROUP BY purchase_id) l
			   ON l.purchase_id = p.id
			 WHERE p.price <> p.customer_share + p.reimbursement OR p.price <> COALESCE(l.price, 0)
			   OR p.customer_share <> COALESCE(l.s, 0) OR p.deductible <> COALESCE(l.d, 0) OR p.ceiling <> COALESCE(l.c, 0)`},
	)
}
