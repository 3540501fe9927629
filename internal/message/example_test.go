package message_test

import (
	"fmt"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
)

func ExampleCatalogue_Route() {
	units, _, err := org.Reference()
	if err != nil {
		panic(err)
	}
	cat, err := message.DefaultCatalogue(message.KnownUnits(units))
	if err != nil {
		panic(err)
	}
	for _, topic := range [][2]string{
		{"recovery", "payment_plan"},
		{"international", "moving_abroad"},
		{"international", "cross_border_healthcare"},
		{"general", "other"},
		{"recovery", "moving_abroad"},
	} {
		unit, err := cat.Route(topic[0], topic[1])
		if err != nil {
			fmt.Printf("%s.%s: %s\n", topic[0], topic[1], fault.KeyOf(err))
			continue
		}
		sp, _ := cat.Specification(topic[0], topic[1])
		fmt.Printf("%s.%s (%s) → %s\n", topic[0], topic[1], sp.Label("fi"), unit)
	}
	// Output:
	// recovery.payment_plan (Etuuden takaisinperinnän maksusuunnitelma) → recovery
	// international.moving_abroad (Muutto ulkomaille) → international
	// international.cross_border_healthcare (Rajat ylittävä terveydenhuolto) → cross-border-healthcare
	// general.other (Muu kysymys) → contact-centre
	// recovery.moving_abroad: message.error.specification_unknown
}

func ExampleSniffType() {
	for _, head := range []string{
		"%PDF-1.7\n%âãÏÓ",
		"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
		"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
		" %PDF-1.7",  // not at the very start
		"PK\x03\x04", // a .docx is a ZIP
	} {
		fmt.Println(message.SniffType([]byte(head)))
	}
	// Output:
	// application/pdf
	// image/jpeg
	// image/png
	// application/octet-stream
	// application/octet-stream
}
