package testidp

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// languages are the page languages, the default first.
var languages = []string{"fi", "sv", "en"}

// messages holds every string the pages show, by key and language.
// TestMessagesComplete fails when a key lacks a language.
var messages = map[string]map[string]string{
	"test_word": {
		"fi": "TESTI",
		"sv": "TEST",
		"en": "TEST",
	},
	"banner": {
		"fi": "TESTI – testitunnistuspalvelu, ei todelliseen tunnistamiseen",
		"sv": "TEST – testidentifieringstjänst, inte för verklig identifiering",
		"en": "TEST – test identity provider, not for real identification",
	},
	"idp_name": {
		"fi": "Testitunnistus",
		"sv": "Testidentifiering",
		"en": "Test identification",
	},
	"signin_title": {
		"fi": "Valitse testihenkilö",
		"sv": "Välj testperson",
		"en": "Choose a test person",
	},
	"signin_intro": {
		"fi": "Valitse henkilö, jona kirjaudut sisään. Henkilöt ja heidän tunnuksensa ovat keksittyjä.",
		"sv": "Välj den person du loggar in som. Personerna och deras identifieringsuppgifter är påhittade.",
		"en": "Choose the person to sign in as. The people and their identity codes are made up.",
	},
	"signin_client": {
		"fi": "Palvelu, johon kirjaudut:",
		"sv": "Tjänsten du loggar in i:",
		"en": "Service you are signing in to:",
	},
	"signin_none": {
		"fi": "Testihenkilöitä ei ole määritetty.",
		"sv": "Inga testpersoner har definierats.",
		"en": "No test people have been configured.",
	},
	"kind_citizen": {
		"fi": "Henkilöasiakkaat – suomalainen tunnistus",
		"sv": "Privatkunder – finsk identifiering",
		"en": "Personal customers – Finnish e-identification",
	},
	"kind_eidas": {
		"fi": "Ulkomaiset henkilöt – eIDAS-tunnistus",
		"sv": "Utländska personer – eIDAS-identifiering",
		"en": "Foreign persons – eIDAS identification",
	},
	"kind_staff": {
		"fi": "Henkilöstö",
		"sv": "Personal",
		"en": "Staff",
	},
	"cancel": {
		"fi": "Peruuta ja palaa palveluun",
		"sv": "Avbryt och återgå till tjänsten",
		"en": "Cancel and return to the service",
	},
	"err_title": {
		"fi": "Pyyntöä ei voitu käsitellä",
		"sv": "Begäran kunde inte behandlas",
		"en": "The request could not be processed",
	},
	"err_client": {
		"fi": "Palvelu, josta tulit, ei ole rekisteröity tähän testitunnistuspalveluun.",
		"sv": "Tjänsten du kom från är inte registrerad i den här testidentifieringstjänsten.",
		"en": "The service you came from is not registered with this test identity provider.",
	},
	"err_redirect": {
		"fi": "Palvelun antamaa paluuosoitetta ei ole rekisteröity, joten sinua ei ohjata takaisin.",
		"sv": "Returadressen som tjänsten angav är inte registrerad, så du skickas inte tillbaka.",
		"en": "The return address the service gave is not registered, so you are not sent back.",
	},
	"err_request": {
		"fi": "Pyyntö oli virheellinen.",
		"sv": "Begäran var felaktig.",
		"en": "The request was malformed.",
	},
	"err_logout": {
		"fi": "Uloskirjautumispyyntö oli virheellinen, joten sinua ei ohjata takaisin palveluun.",
		"sv": "Begäran om utloggning var felaktig, så du skickas inte tillbaka till tjänsten.",
		"en": "The sign-out request was invalid, so you are not sent back to the service.",
	},
	"err_detail": {
		"fi": "Tekninen tieto kehittäjille:",
		"sv": "Teknisk information för utvecklare:",
		"en": "Technical detail for developers:",
	},
	"signedout_title": {
		"fi": "Olet kirjautunut ulos",
		"sv": "Du har loggat ut",
		"en": "You have signed out",
	},
	"signedout_body": {
		"fi": "Istuntosi testitunnistuspalvelussa on päättynyt. Voit sulkea tämän sivun.",
		"sv": "Din session i testidentifieringstjänsten har avslutats. Du kan stänga den här sidan.",
		"en": "Your session with the test identity provider has ended. You can close this page.",
	},
}

// translate returns the text for key in lang. A missing key is an error,
// so that a template asking for one fails loudly instead of showing a key.
func translate(lang, key string) (string, error) {
	s, ok := messages[key][lang]
	if !ok {
		return "", fmt.Errorf("testidp: no %q text for %q", lang, key)
	}
	return s, nil
}

// pageLang picks the page language: the first supported tag of the OpenID
// Connect ui_locales parameter (the relying party knows what its user
// chose), else the caller's choice for the request, else Finnish.
func (p *Provider) pageLang(r *http.Request, uiLocales string) string {
	for tag := range strings.FieldsSeq(uiLocales) {
		if l, ok := supported(tag); ok {
			return l
		}
	}
	if l, ok := supported(p.lang(r)); ok {
		return l
	}
	return languages[0]
}

// supported maps a language tag such as "sv-FI" to a page language.
func supported(tag string) (string, bool) {
	primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return primary, slices.Contains(languages, primary)
}
