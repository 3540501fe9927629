package ytunnus_test

import (
	"errors"
	"fmt"

	"github.com/etuus/etuus/internal/fi/ytunnus"
)

func ExampleParse() {
	id, err := ytunnus.Parse("0737546-2")
	fmt.Println(id, err)
	_, err = ytunnus.Parse("0737546-1")
	fmt.Println(err, errors.Is(err, ytunnus.ErrCheck))
	// Output:
	// 0737546-2 <nil>
	// ytunnus: the check digit does not match true
}

func ExampleMake() {
	id, ok := ytunnus.Make(2181702)
	fmt.Println(id, ok)
	// Output: 2181702-8 true
}
