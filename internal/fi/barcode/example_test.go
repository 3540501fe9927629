package barcode_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fi/barcode"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

func ExampleEncodeNational() {
	account := iban.MustParse("FI37 1590 3000 0007 76")
	code, err := barcode.EncodeNational(account, 1225, viite.MustParse("11112"), civil.MustParseISO("2016-12-21"))
	if err != nil {
		panic(err)
	}
	fmt.Println(code)
	// Output: 437159030000007760000122500000000000000000011112161221
}

func ExampleEncodeRF() {
	account := iban.MustParse("FI37 1590 3000 0007 76")
	rf := viite.RFFromNational(viite.MustParse("11112"))
	code, err := barcode.EncodeRF(account, 110, rf, civil.MustParseISO("2017-01-01"))
	if err != nil {
		panic(err)
	}
	fmt.Println(code)
	// Output: 537159030000007760000011098000000000000000011112170101
}

func ExampleDecode() {
	b, err := barcode.Decode("437159030000007760000000000000000000000000011112000000")
	if err != nil {
		panic(err)
	}
	fmt.Println(b.Version(), b.IBAN.Grouped(), b.Cents, b.Ref, b.Due.IsZero())
	// Output: 4 FI37 1590 3000 0007 76 0 11112 true
}
