package recovery

// Allocate splits a payment over what the claim has outstanding: fees
// first, then interest, then principal. What is left over is excess, an
// overpayment that goes to the manual queue (refund, or another claim of
// the same person). fees + interest + principal + excess == amount for
// any amount ≥ 0; a negative amount is not a payment and allocates
// nothing.
func Allocate(c Claim, amount int64) (fees, interest, principal, excess int64) {
	if amount <= 0 {
		return 0, 0, 0, 0
	}
	out := c.Outstanding()
	left := amount
	take := func(owed int64) int64 {
		n := min(owed, left)
		left -= n
		return n
	}
	fees = take(out.Fees)
	interest = take(out.Interest)
	principal = take(out.Principal)
	return fees, interest, principal, left
}
