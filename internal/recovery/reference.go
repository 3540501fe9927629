package recovery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/barcode"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

// referenceDigits is the leading digit of each kind's references, so that
// staff and the payment matcher can tell the kind from the reference.
var referenceDigits = map[Kind]byte{Overpayment: '1', ChildSupport: '2', StudentLoan: '3', HealthcareFee: '4'}

// numberWidth is the least number of digits the claim number takes in a
// reference; longer numbers take more, so references stay unique.
const numberWidth = 8

// MaxClaimNumber is the largest claim number a reference can carry.
const MaxClaimNumber = 999_999_999_999_999_999 // 18 digits: 1 + 18 + check = 20

// ErrNotClaimReference is returned by ParseClaimReference for a reference
// that is not one ClaimReference makes.
var ErrNotClaimReference = errors.New("recovery: not a claim reference")

// ClaimReference returns the Finnish reference (viitenumero) for a claim:
// the kind's digit (1 overpayment, 2 child support, 3 student loan,
// 4 healthcare fee), the claim number zero-padded to at least eight
// digits, and the check digit. Claim 42 of an overpayment is 1 00000 00423.
// The same kind and number always give the same reference, and different
// ones never do.
func ClaimReference(k Kind, number int64) (viite.Ref, error) {
	digit, ok := referenceDigits[k]
	if !ok || number < 1 || number > MaxClaimNumber {
		return viite.Ref{}, fmt.Errorf("recovery: no reference for kind %q, claim number %d", k, number)
	}
	return viite.New(fmt.Sprintf("%c%0*d", digit, numberWidth, number))
}

// ParseClaimReference is the inverse of ClaimReference, for matching an
// incoming payment to its claim. Read bank references with viite.ParseAny
// first, which also accepts the RF form.
func ParseClaimReference(r viite.Ref) (Kind, int64, error) {
	s := r.String()
	if len(s) < 1+numberWidth+1 {
		return "", 0, ErrNotClaimReference
	}
	num := s[1 : len(s)-1]
	if len(num) > numberWidth && num[0] == '0' {
		return "", 0, ErrNotClaimReference
	}
	for k, d := range referenceDigits {
		if s[0] != d {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimLeft(num, "0"), 10, 64)
		if err != nil || n < 1 {
			return "", 0, ErrNotClaimReference
		}
		return k, n, nil
	}
	return "", 0, ErrNotClaimReference
}

// Details is what a customer needs to pay a claim: the Centre's account,
// the reference in both forms, the due date, the amount and the virtual
// barcode (version 4, with the national reference).
type Details struct {
	IBAN        iban.IBAN
	Reference   viite.Ref
	RF          viite.RF // the same reference in RF form; print with RF.Grouped()
	DueDate     civil.Date
	AmountCents int64
	// Barcode is the 54-digit virtual barcode. It carries no due date when
	// DueDate has passed (a bank would refuse or warn on a past date), and
	// no amount when the amount is over what a barcode holds.
	Barcode string
}

// PaymentDetails returns the payment details of a claim on a day. For a
// claim in a payment plan they are for the next instalment: the amount
// makes the plan whole up to it, arrears included. Otherwise they are for
// the whole balance by the claim's due date.
func PaymentDetails(c Claim, creditor iban.IBAN, today civil.Date) (Details, error) {
	if c.Reference.IsZero() {
		return Details{}, fault.Wrap(fault.Internal, "recovery.details.no_reference", fmt.Errorf("recovery: claim %q has no reference", c.ID))
	}
	d := Details{IBAN: creditor, Reference: c.Reference, RF: viite.RFFromNational(c.Reference),
		DueDate: c.DueDate, AmountCents: c.Balance()}
	if c.Status == InPlan && c.Plan != nil {
		paid := c.Paid.Total() - c.Plan.PaidAtApproval
		for _, in := range c.Plan.Instalments {
			if in.Cumulative > paid {
				d.DueDate, d.AmountCents = in.Due, min(in.Cumulative-paid, d.AmountCents)
				break
			}
		}
	}
	if d.AmountCents <= 0 {
		return Details{}, fault.New(fault.Invalid, "recovery.details.nothing_to_pay")
	}
	due, cents := d.DueDate, d.AmountCents
	if due.Before(today) {
		due = civil.Date{}
	}
	if cents > barcode.MaxCents {
		cents = 0
	}
	code, err := barcode.EncodeNational(creditor, cents, c.Reference, due)
	if err != nil {
		return Details{}, fault.Wrap(fault.Internal, "recovery.details.barcode", err)
	}
	d.Barcode = code
	return d, nil
}
