package hetu_test

import (
	"errors"
	"fmt"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
)

func ExampleParse() {
	c, err := hetu.Parse("131052-308T")
	if err != nil {
		panic(err)
	}
	fmt.Println(c, c.BirthDate(), c.Individual(), c.Female())
	fmt.Println(c.Masked())

	_, err = hetu.Parse("131052-308U")
	fmt.Println(err, errors.Is(err, hetu.ErrCheck))
	// Output:
	// 131052-308T 1952-10-13 308 true
	// 131052-****
	// hetu: the check character does not match true
}

func ExampleMake() {
	// Demo data uses individual numbers 900–999.
	c, err := hetu.Make(civil.MustParseISO("2003-04-01"), 998, 'A')
	if err != nil {
		panic(err)
	}
	fmt.Println(c, c.Temporary())
	// Output: 010403A998U true
}
