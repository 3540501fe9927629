package bankday_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

func ExampleAddBankingDays() {
	// Maundy Thursday 2024: Good Friday and Easter Monday are bank holidays.
	thu := civil.MustParseISO("2024-03-28")
	fmt.Println(bankday.IsBankingDay(thu), bankday.Next(thu))
	fmt.Println(bankday.AddBankingDays(thu, -2))
	fmt.Println(bankday.BankingDaysBetween(thu, civil.MustParseISO("2024-04-02")))
	// Output:
	// true 2024-04-02
	// 2024-03-26
	// 1
}

func ExampleHolidays() {
	for _, h := range bankday.Holidays(2025)[2:4] {
		fmt.Println(h.Date, h.Date.Weekday(), h.Key)
	}
	// Output:
	// 2025-04-18 Friday good-friday
	// 2025-04-21 Monday easter-monday
}
