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
