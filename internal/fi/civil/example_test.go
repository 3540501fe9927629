package civil_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fi/civil"
)

func ExampleParseISO() {
	due, err := civil.ParseISO("2024-03-26")
	if err != nil {
		panic(err)
	}
	fmt.Println(due, due.Weekday())
	fmt.Println(due.AddDays(7))
	fmt.Println(civil.MustParseISO("2024-04-01").DaysSince(due))
	// Output:
	// 2024-03-26 Tuesday
	// 2024-04-02
	// 6
}

func ExampleNew() {
	// Out-of-range days roll over, as with time.Date.
	fmt.Println(civil.New(2024, 2, 30))
	// Output: 2024-03-01
}

func ExampleParse() {
	// A date input sends ISO; people type the Finnish form.
	for _, s := range []string{"2025-02-05", "5.2.2025", "05.02.2025", "29.2.2025", "5.2.25"} {
		d, err := civil.Parse(s)
		fmt.Println(d, err)
	}
	// Output:
	// 2025-02-05 <nil>
	// 2025-02-05 <nil>
	// 2025-02-05 <nil>
	// 0000-00-00 civil: not a valid date: "29.2.2025"
	// 0000-00-00 civil: not a valid date: "5.2.25"
}
