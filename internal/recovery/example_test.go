package recovery_test

import (
	"fmt"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/recovery"
)

func eur(cents int64) string { return fmt.Sprintf("%d.%02d €", cents/100, cents%100) }

func ExampleProposePlan() {
	rules := recovery.DefaultRules()
	today := civil.MustParseISO("2025-01-10")
	plan, err := recovery.ProposePlan(100000, recovery.PlanRequest{
		MonthlyCents: 3000,
		FirstDue:     civil.MustParseISO("2025-02-15"), // a Saturday
	}, today, rules)
	if err != nil {
		panic(err)
	}
	fmt.Println(plan.Months(), "instalments")
	fmt.Println("first", plan.Instalments[0].Due, eur(plan.Instalments[0].Cents))
	fmt.Println("last ", plan.Last().Due, eur(plan.Last().Cents))

	_, err = recovery.ProposePlan(120000, recovery.PlanRequest{
		MonthlyCents: 3000, FirstDue: civil.MustParseISO("2025-02-14"),
	}, today, rules)
	fmt.Println(fault.KeyOf(err), fault.DataOf(err)["Months"], "months")
	// Output:
	// 34 instalments
	// first 2025-02-17 30.00 €
	// last  2027-11-15 10.00 €
	// recovery.plan.too_long 40 months
}

func ExampleInterestBetween() {
	debt := recovery.Claim{Kind: recovery.ChildSupport, Principal: 100000}
	total, periods := recovery.InterestBetween(debt,
		civil.MustParseISO("2023-06-20"), civil.MustParseISO("2023-07-10"), recovery.DefaultRules())
	for _, p := range periods {
		fmt.Printf("%s–%s %2d days at %d bp: %s\n", p.From, p.To, p.Days, p.RateBP, eur(p.Cents))
	}
	fmt.Println("total", eur(total))
	// Output:
	// 2023-06-21–2023-06-30 10 days at 950 bp: 2.60 €
	// 2023-07-01–2023-07-10 10 days at 1100 bp: 3.01 €
	// total 5.61 €
}

func ExampleOffsetAmount() {
	rules := recovery.DefaultRules()
	on := civil.MustParseISO("2025-06-02")
	for _, p := range []recovery.BenefitPayment{
		{BenefitKey: "housing_allowance", GrossCents: 60000, PaymentDate: on},
		{BenefitKey: "housing_allowance", GrossCents: 6000, PaymentDate: on},
		{BenefitKey: "basic_social_assistance", GrossCents: 60000, PaymentDate: on},
	} {
		w, reason := recovery.OffsetAmount(p, 100000, rules)
		fmt.Println(eur(p.GrossCents), "→", eur(w), reason)
	}
	// Output:
	// 600.00 € → 200.00 € recovery.offset.share
	// 60.00 € → 30.00 € recovery.offset.minimum
	// 600.00 € → 0.00 € recovery.offset.excluded
}

func ExampleHealthcareFees() {
	students, err := recovery.ParseStudentsCSV(strings.NewReader(
		"person,term,registered\n" +
			"p-1,2025S,2025-01-20\n" +
			"p-2,2025S,5.2.2025\n" +
			"p-3,2025A,2025-08-25\n"))
	if err != nil {
		panic(err)
	}
	claims, err := recovery.HealthcareFees(students, recovery.DefaultRules())
	if err != nil {
		panic(err)
	}
	for _, c := range claims {
		fmt.Println(c.PersonID, c.Term, eur(c.Principal), "due", c.DueDate)
	}
	// Output:
	// p-1 2025S 35.60 € due 2025-03-17
	// p-2 2025S 35.60 € due 2025-07-31
	// p-3 2025A 35.60 € due 2025-11-17
}

func ExampleParseStudentsCSV_errors() {
	_, err := recovery.ParseStudentsCSV(strings.NewReader(
		"person,term,registered\n" +
			"p-1,2025X,2025-01-20\n" +
			"p-2,2025S,31.2.2025\n"))
	fmt.Println(err)
	// Output:
	// recovery: line 2, column term: recovery.csv.bad_term: recovery: not a term such as 2026S or 2026A; recovery: line 3, column registered: recovery.csv.bad_date: civil: not a valid date
}

func ExamplePaymentDetails() {
	ref, _ := recovery.ClaimReference(recovery.HealthcareFee, 1234)
	claim := recovery.Claim{Kind: recovery.HealthcareFee, Reference: ref, Principal: 3560,
		DueDate: civil.MustParseISO("2025-03-17"), Status: recovery.Open}
	d, err := recovery.PaymentDetails(claim, iban.MustParse("FI37 1590 3000 0007 76"), civil.MustParseISO("2025-02-01"))
	if err != nil {
		panic(err)
	}
	fmt.Println(d.IBAN.Grouped())
	fmt.Println(d.Reference.Grouped())
	fmt.Println(d.RF.Grouped())
	fmt.Println(d.DueDate, eur(d.AmountCents))
	fmt.Println(d.Barcode)
	// Output:
	// FI37 1590 3000 0007 76
	// 40000 12340
	// RF33 4000 0123 40
	// 2025-03-17 35.60 €
	// 437159030000007760000356000000000000004000012340250317
}
