package scale

// Names, titles and texts the synthetic customers are made of. Any
// resemblance to a real person ends at the name: the identity codes are
// artificial and the addresses are in the reserved .example domain.
var (
	femaleFi = []string{"Aino", "Anna", "Eeva", "Elina", "Ella", "Emilia", "Helmi", "Johanna", "Kaisa", "Laura",
		"Liisa", "Maria", "Minna", "Noora", "Päivi", "Riikka", "Sanna", "Sofia", "Tiina", "Venla"}
	maleFi = []string{"Aleksi", "Antti", "Eero", "Heikki", "Janne", "Jari", "Juhani", "Kari", "Lauri", "Leo",
		"Matti", "Mikko", "Oliver", "Onni", "Pekka", "Teemu", "Timo", "Tuomas", "Veikko", "Ville"}
	familyFi = []string{"Ahonen", "Heikkilä", "Heikkinen", "Heinonen", "Hämäläinen", "Jokinen", "Järvinen",
		"Karjalainen", "Kinnunen", "Korhonen", "Koskinen", "Lahtinen", "Laine", "Laitinen", "Lehtinen", "Lehtonen",
		"Mattila", "Mäkelä", "Mäkinen", "Niemi", "Nieminen", "Rantanen", "Saarinen", "Salminen", "Salo", "Salonen",
		"Savolainen", "Tuominen", "Turunen", "Virtanen"}
	femaleSv = []string{"Ebba", "Emma", "Ida", "Linnea", "Sara", "Stina", "Vera", "Wilma"}
	maleSv   = []string{"Anders", "Erik", "Johan", "Karl", "Lars", "Mats", "Nils", "Oskar"}
	familySv = []string{"Andersson", "Eriksson", "Forsström", "Holmström", "Johansson", "Lindberg", "Lindholm",
		"Lindqvist", "Nyström", "Sjöberg"}

	benefits = []string{"housing_allowance", "sickness_allowance", "study_grant", "unemployment_allowance",
		"child_benefit", "parental_allowance"}

	titles = map[string][]string{
		"recovery": {"Kysymys maksusuunnitelmasta", "Takaisinperintä", "Eräpäivän siirto", "Maksoin jo laskun",
			"Viitenumero puuttuu", "Pyydän maksuaikaa", "Perintä ja ulosotto"},
		"international": {"Muutto ulkomaille", "Työskentely Virossa", "Eurooppalainen sairaanhoitokortti",
			"Lomake A1", "Asun Ruotsissa", "Hoito toisessa EU-maassa"},
		"general": {"Asiointipalvelun käyttö", "Liite hakemukseen", "Kysymys päätöksestä", "Osoitteenmuutos",
			"Tilinumeron muutos", "Käsittelyaika", "Kirjautuminen ei onnistu"},
	}
	customerBodies = []string{
		"Hei, sain kirjeen enkä ymmärrä, mistä summa tulee. Voisitteko kertoa, mihin se perustuu?",
		"Hei! Haluaisin tietää, missä vaiheessa asiani käsittely on. Lähetin liitteet jo kuukausi sitten.",
		"Hyvä vastaanottaja, maksoin laskun eilen mutta sivulla näkyy yhä avoin saldo. Onko maksu tullut perille?",
		"Voinko maksaa velan erissä? Tuloni ovat pienentyneet, enkä pysty maksamaan koko summaa kerralla.",
		"Muutan ensi kuussa ulkomaille. Mitä minun pitää ilmoittaa ja milloin?",
		"Kiitos vastauksesta. Lisäkysymys: tarvitsenko tähän vielä jonkin lomakkeen?",
		"Hej, jag har fått ett brev om återkrav och undrar hur jag kan betala i delar.",
		"Hello, I moved to Finland last year and would like to know which benefits I can apply for.",
	}
	staffBodies = []string{
		"Kiitos viestistäsi. Summa perustuu takaisinperintäpäätökseen, jonka liitteessä on laskelma kuukausittain.",
		"Kiitos viestistäsi. Asiasi on käsittelyssä, ja saat päätöksen arviolta kahden viikon kuluessa.",
		"Kiitos. Maksusi on kirjattu, ja saldo päivittyy asiointipalveluun pankkipäivän kuluessa.",
		"Voit tehdä maksusuunnitelmaehdotuksen asiointipalvelussa velan sivulla kohdassa Maksusuunnitelma.",
		"Ilmoita muutosta varten uusi osoitteesi ja muuttopäivä. Lähetämme sinulle tarvittavat lomakkeet.",
		"Tack för ditt meddelande. Du kan föreslå en betalningsplan i e-tjänsten.",
		"Thank you for your message. You can apply in the e-service; the guidance is in English as well.",
	}
	failures = []string{"550 5.1.1 mailbox unavailable", "552 5.2.2 mailbox full", "sms gateway: 400 invalid number"}
)
