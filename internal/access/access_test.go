package access

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

func TestDefaultTable(t *testing.T) {
	tab := Default()
	for _, p := range Known {
		if len(tab.Grants(p)) == 0 {
			t.Errorf("%s is granted to nobody", p)
		}
	}
	cases := []struct {
		a    Actor
		p    Permission
		want bool
	}{
		{AsStaff("s1", "recovery", "specialist"), RecoveryDecidePlan, true},
		{AsStaff("s1", "recovery", "operations"), RecoveryDecidePlan, false},
		{AsStaff("s1", "international", "manager"), RecoveryDecidePlan, false},
		{AsStaff("s1", "shared-services", "operations"), RecoveryImportBank, true},
		{AsStaff("s1", "international", "specialist"), RecoveryImportBank, false},
		{AsStaff("s1", "shared-services", "operations"), IdentityLinkEIDAS, false},
		{AsStaff("s1", "international", "specialist"), IdentityLinkEIDAS, true},
		{AsCustomer("p1"), RecoveryQueue, false},
		{AsSystem("collect"), RecoveryDecidePlan, false},
		{Actor{Kind: Staff, ID: "s1"}, MessagesQueue, false},
	}
	for _, c := range cases {
		if got := tab.Allows(c.a, c.p); got != c.want {
			t.Errorf("%+v %s = %v, want %v", c.a, c.p, got, c.want)
		}
		if err := tab.Check(c.a, c.p); (err == nil) != c.want || (err != nil && !fault.Is(err, fault.Forbidden)) {
			t.Errorf("Check %+v %s = %v", c.a, c.p, err)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	for _, in := range []string{
		`{"recovery.fly": [{"unit": "*", "role": "*"}]}`,
		`{"recovery.queue": [{"unit": "", "role": "*"}]}`,
		`{"recovery.queue": [{"unit": "recovery", "rol": "*"}]}`,
		`[`,
	} {
		if _, err := Load(strings.NewReader(in)); err == nil {
			t.Errorf("Load(%s) accepted", in)
		}
	}
}
