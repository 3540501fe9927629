package demo

import (
	"bytes"
	"fmt"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
	"github.com/etuus/etuus/internal/mandate"
)

// FirmClients is how many client organisations the demo accounting firm has.
const FirmClients = 5000

// The demo people of the mandates, each signing in through the test
// identity provider like any citizen (seed 004's cases, DOMAIN.md 3).
var mandatePeople = []struct {
	id, given, family, email string
	day, individual          int
}{
	{"demo-person-eeva", "Eeva", "Esimies", "eeva.esimies@example.fi", 0, 950},                 // grants Demo Rakennus's mandates
	{"demo-person-teemu", "Teemu", "Työntekijä", "teemu.tyontekija@example.fi", 40, 952},       // Demo Rakennus's own staff
	{"demo-person-tuula", "Tuula", "Tilinen", "tuula.tilinen@example.fi", 80, 954},             // the firm's employee, 5,000 clients
	{"demo-person-raili", "Raili", "Rajattu", "raili.rajattu@example.fi", 120, 956},            // the firm's employee, restricted to 3 clients
	{"demo-person-veikko", "Veikko", "Vanhentunut", "veikko.vanhentunut@example.fi", 160, 958}, // case 1: his only mandate expired
	{"demo-person-vilma", "Vilma", "Väärätyyppi", "vilma.vaaratyyppi@example.fi", 200, 960},    // case 2: transaction mandate from the firm
	{"demo-person-aino", "Aino", "Asiarajattu", "aino.asiarajattu@example.fi", 240, 962},       // case 3: payment information only
}

// mandatePersons are the people of the mandate demo.
func mandatePersons() ([]customer.Person, error) {
	var out []customer.Person
	for _, p := range mandatePeople {
		code, err := hetu.Make(civil.New(1975, 1, 1).AddDays(p.day*30), p.individual, '-')
		if err != nil {
			return nil, fmt.Errorf("demo person %s: %w", p.id, err)
		}
		out = append(out, customer.Person{ID: p.id, HETU: code.String(), GivenName: p.given, FamilyName: p.family,
			BirthDate: code.BirthDate(), Lang: "fi", Email: p.email, Demo: true})
	}
	return out, nil
}

// MandateOrgs are the business IDs of the demo's mandate organisations.
type MandateOrgs struct {
	Employer, Firm, Cafe string   // Demo Rakennus Oy, Tilitoimisto Demo Oy, Kahvila Demo Ky
	Clients              []string // the firm's generated clients, Cafe not included
}

// MandateFeed is the demo's mandate register as a feed of the national
// register (docs/mandate-feed.md), as of a day: an employer with its own
// staff and a grantor, an accounting firm with Kahvila Demo Ky and 5,000
// generated clients, an unrestricted and a restricted employee, and a
// person for each of seed 004's failure cases.
func MandateFeed(d Data, today civil.Date) ([]byte, MandateOrgs, error) {
	code := map[string]string{}
	for _, p := range d.Persons {
		code[p.ID] = p.HETU
	}
	var o MandateOrgs
	for _, org := range d.Organisations {
		switch org.ID {
		case "demo-org-rakennus":
			o.Employer = org.BusinessID
		case "demo-org-tilitoimisto":
			o.Firm = org.BusinessID
		case "demo-org-kahvila":
			o.Cafe = org.BusinessID
		}
	}
	if o.Employer == "" || o.Firm == "" || o.Cafe == "" || code["demo-person-tuula"] == "" {
		return nil, o, fmt.Errorf("demo mandates: the demo organisations or people are missing")
	}
	var b bytes.Buffer
	start, end := today.AddDays(-365), today.AddDays(2*365)
	all := []string{"benefit_payments", "decisions", "employer_benefits", "employer_messages"}
	put := func(id string, from, to mandate.Party, t mandate.Type, issues []string, s, e civil.Date, name string, restr ...string) {
		b.Write(mandate.EncodeLine(mandate.Mandate{ID: id, Principal: from, Agent: to, Type: t, Issues: issues, Start: s, End: e, Restriction: restr}, name, ""))
		b.WriteByte('\n')
	}
	pers := func(id string) mandate.Party { return mandate.Pers(code[id]) }
	put("DEMO-RAK-EEVA-G", mandate.Org(o.Employer), pers("demo-person-eeva"), mandate.Grant, append(all, "occupational_healthcare"), start, end, "Demo Rakennus Oy")
	put("DEMO-RAK-EEVA-T", mandate.Org(o.Employer), pers("demo-person-eeva"), mandate.Transaction, all, start, end, "")
	put("DEMO-RAK-TEEMU", mandate.Org(o.Employer), pers("demo-person-teemu"), mandate.Transaction, all, start, end, "")
	// Occupational healthcare: Eeva for every workplace, Teemu restricted
	// to workplaces 1001 and 1002 (SeedEmployer applies for 1001 and 1003).
	put("DEMO-RAK-EEVA-HC", mandate.Org(o.Employer), pers("demo-person-eeva"), mandate.Transaction, []string{"occupational_healthcare"}, start, end, "")
	put("DEMO-RAK-TEEMU-HC", mandate.Org(o.Employer), pers("demo-person-teemu"), mandate.Transaction, []string{"occupational_healthcare"}, start, end, "", "1001", "1002")
	put("DEMO-RAK-VEIKKO", mandate.Org(o.Employer), pers("demo-person-veikko"), mandate.Transaction, all, today.AddDays(-400), today.AddDays(-30), "")
	put("DEMO-RAK-AINO", mandate.Org(o.Employer), pers("demo-person-aino"), mandate.Transaction, []string{"benefit_payments"}, start, end, "")
	put("DEMO-TT-EEVA-G", mandate.Org(o.Firm), pers("demo-person-eeva"), mandate.RepresentationGrant, all, start, end, "Tilitoimisto Demo Oy")
	put("DEMO-TT-TUULA", mandate.Org(o.Firm), pers("demo-person-tuula"), mandate.Representation, all, start, end, "")
	put("DEMO-TT-VILMA", mandate.Org(o.Firm), pers("demo-person-vilma"), mandate.Transaction, all, start, end, "")
	put("DEMO-KAH-TT", mandate.Org(o.Cafe), mandate.Org(o.Firm), mandate.Transaction, all, start, end, "Kahvila Demo Ky")
	for i, base := 0, 9700000; len(o.Clients) < FirmClients; base++ {
		id, ok := ytunnus.Make(base)
		if !ok {
			continue
		}
		i++
		o.Clients = append(o.Clients, id.String())
		put(fmt.Sprintf("DEMO-CLIENT-%04d", i), mandate.Org(id.String()), mandate.Org(o.Firm), mandate.Transaction, all, start, end,
			fmt.Sprintf("Asiakas %04d Oy", i))
	}
	put("DEMO-TT-RAILI", mandate.Org(o.Firm), pers("demo-person-raili"), mandate.Representation, all, start, end, "", o.Cafe, o.Clients[0], o.Clients[1])
	return b.Bytes(), o, nil
}
