package recovery

import "testing"

func TestAllocate(t *testing.T) {
	claim := Claim{Principal: euro(1000), Interest: euro(40), Fees: euro(5)}
	tests := []struct {
		name                              string
		claim                             Claim
		amount                            int64
		fees, interest, principal, excess int64
	}{
		{"fees first", claim, 300, 300, 0, 0, 0},
		{"then interest", claim, euro(20), euro(5), euro(15), 0, 0},
		{"then principal", claim, euro(100), euro(5), euro(40), euro(55), 0},
		{"exactly the balance", claim, euro(1045), euro(5), euro(40), euro(1000), 0},
		{"more than the balance is excess", claim, euro(1100), euro(5), euro(40), euro(1000), euro(55)},
		{"earlier payments counted", Claim{Principal: euro(1000), Interest: euro(40), Fees: euro(5), Paid: Parts{Fees: euro(5), Interest: euro(10)}},
			euro(50), 0, euro(30), euro(20), 0},
		{"a paid claim takes nothing", Claim{Principal: 100, Paid: Parts{Principal: 100}}, 250, 0, 0, 0, 250},
		{"zero", claim, 0, 0, 0, 0, 0},
		{"a negative amount allocates nothing", claim, -100, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, i, p, x := Allocate(tt.claim, tt.amount)
			if f != tt.fees || i != tt.interest || p != tt.principal || x != tt.excess {
				t.Errorf("Allocate = %d, %d, %d, excess %d; want %d, %d, %d, excess %d", f, i, p, x, tt.fees, tt.interest, tt.principal, tt.excess)
			}
		})
	}
}

func TestApplyPayment(t *testing.T) {
	c := Claim{Kind: HealthcareFee, Principal: 3560, Fees: 500, Status: Reminded}
	ev, excess := c.ApplyPayment(d("2025-04-10"), 5000)
	if excess != 5000-4060 || ev.Cents != 4060 || ev.Parts != (Parts{Fees: 500, Principal: 3560}) {
		t.Errorf("event %+v, excess %d", ev, excess)
	}
	if c.Balance() != 0 || c.Status != Paid {
		t.Errorf("after paying in full: balance %d, status %s", c.Balance(), c.Status)
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(100000), int64(4000), int64(500), int64(0), int64(0), int64(0), int64(3000))
	f.Add(int64(100), int64(0), int64(0), int64(100), int64(0), int64(0), int64(1))
	f.Add(int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, principal, interest, fees, paidP, paidI, paidF, amount int64) {
		// Keep amounts in a range where sums cannot overflow.
		const limit = 1 << 50
		for _, v := range []int64{principal, interest, fees, paidP, paidI, paidF, amount} {
			if v < -limit || v > limit {
				t.Skip()
			}
		}
		c := Claim{Principal: principal, Interest: interest, Fees: fees, Paid: Parts{Principal: paidP, Interest: paidI, Fees: paidF}}
		out := c.Outstanding()
		f, i, p, x := Allocate(c, amount)
		if f < 0 || i < 0 || p < 0 || x < 0 {
			t.Fatalf("negative part: %d %d %d %d", f, i, p, x)
		}
		if amount >= 0 && f+i+p+x != amount {
			t.Fatalf("%d+%d+%d+%d != %d", f, i, p, x, amount)
		}
		if amount < 0 && f+i+p+x != 0 {
			t.Fatalf("negative amount allocated: %d %d %d %d", f, i, p, x)
		}
		if f > out.Fees || i > out.Interest || p > out.Principal {
			t.Fatalf("more than outstanding: %d %d %d of %+v", f, i, p, out)
		}
		// Order: a later part only gets money once the earlier are covered.
		if i > 0 && f < out.Fees || p > 0 && i < out.Interest || x > 0 && p < out.Principal {
			t.Fatalf("out of order: %d %d %d %d of %+v", f, i, p, x, out)
		}
	})
}
