package iban_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fi/iban"
)

func ExampleParse() {
	a, err := iban.Parse("fi37 1590 3000 0007 76")
	if err != nil {
		panic(err)
	}
	fmt.Println(a)
	fmt.Println(a.Grouped())
	fmt.Println(a.Country(), a.IsFinnish(), a.BBAN())

	_, err = iban.Parse("FI2112345600000758")
	fmt.Println(err)
	// Output:
	// FI3715903000000776
	// FI37 1590 3000 0007 76
	// FI true 15903000000776
	// iban: the check digits do not match
}
