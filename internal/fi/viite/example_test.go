package viite_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fi/viite"
)

func ExampleNew() {
	r, err := viite.New("123456712345678")
	if err != nil {
		panic(err)
	}
	fmt.Println(r)
	fmt.Println(r.Grouped())
	// Output:
	// 1234567123456784
	// 1 23456 71234 56784
}

func ExampleRFFromNational() {
	rf := viite.RFFromNational(viite.MustParse("11112"))
	fmt.Println(rf, rf.Grouped(), rf.Check(), rf.Reference())
	// Output: RF9811112 RF98 1111 2 98 11112
}

func ExampleParseAny() {
	// A bank statement may carry either form; matching wants the national one.
	for _, s := range []string{"11112", "RF98 1111 2", "RF74ABCDEFGH"} {
		r, err := viite.ParseAny(s)
		fmt.Println(r, err)
	}
	// Output:
	// 11112 <nil>
	// 11112 <nil>
	//  viite: the RF reference does not contain a Finnish reference number
}
