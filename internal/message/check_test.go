package message

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
)

func TestCheckNewMessage(t *testing.T) {
	c := defaultCatalogue(t)
	pdf := upload("maksusuunnitelma.pdf", pdfStart)
	tests := []struct {
		name, subject, spec, title, body string
		files                            []Upload
		field, key                       string
	}{
		{"the seed 002 walk-through", "recovery", "payment_plan", "Maksusuunnitelma", "Ehdotan 50 € kuussa.", []Upload{pdf}, "", ""},
		{"no attachments", "international", "moving_abroad", "Muutto Viroon", "Muutan Tallinnaan.", nil, "", ""},
		{"identity code in the body is fine", "recovery", "student_loan", "Opintolaina", "Henkilötunnukseni on 131052-308T.", nil, "", ""},
		{"HTML is text", "general", "other", "<b>Kysymys</b>", "<script>alert(1)</script>", nil, "", ""},
		{"title of 120 characters", "general", "other", strings.Repeat("ä", MaxTitle), "x", nil, "", ""},
		{"body of 10,000 characters", "general", "other", "x", strings.Repeat("ö", DefaultMaxBody), nil, "", ""},
		{"body with line breaks and tabs", "general", "other", "x", "a\r\n\tb\n", nil, "", ""},
		{"five files", "general", "other", "x", "y", []Upload{pdf, pdf, pdf, pdf, pdf}, "", ""},

		{"no subject", "", "payment_plan", "x", "y", nil, "subject", "message.error.subject_missing"},
		{"unknown subject", "benefits", "payment_plan", "x", "y", nil, "subject", "message.error.subject_unknown"},
		{"no specification", "recovery", "", "x", "y", nil, "specification", "message.error.specification_missing"},
		{"unknown specification", "recovery", "moving_abroad", "x", "y", nil, "specification", "message.error.specification_unknown"},
		{"empty title", "recovery", "other", "", "y", nil, "title", "message.error.title_empty"},
		{"blank title", "recovery", "other", " \t ", "y", nil, "title", "message.error.title_empty"},
		{"title of 121 characters", "recovery", "other", strings.Repeat("ä", MaxTitle+1), "y", nil, "title", "message.error.title_long"},
		{"title with a line break", "recovery", "other", "Maksu\nsuunnitelma", "y", nil, "title", "message.error.title_invalid"},
		{"title of invalid UTF-8", "recovery", "other", "Maksu\xff", "y", nil, "title", "message.error.title_invalid"},
		{"identity code in the title", "recovery", "other", "Perintä 131052-308T", "y", nil, "title", "message.error.title_hetu"},
		{"identity code with a wrong check character", "recovery", "other", "131052-308U", "y", nil, "title", "message.error.title_hetu"},
		{"identity code of the 2000s in lower case", "recovery", "other", "koskee 010403a998u", "y", nil, "title", "message.error.title_hetu"},
		{"identity code with a new century sign", "recovery", "other", "asia 010594Y9032", "y", nil, "title", "message.error.title_hetu"},
		{"empty body", "recovery", "other", "x", "", nil, "body", "message.error.body_empty"},
		{"blank body", "recovery", "other", "x", "\n \n", nil, "body", "message.error.body_empty"},
		{"body of 10,001 characters", "recovery", "other", "x", strings.Repeat("ö", DefaultMaxBody+1), nil, "body", "message.error.body_long"},
		{"body with NUL", "recovery", "other", "x", "a\x00b", nil, "body", "message.error.body_invalid"},
		{"body with an escape character", "recovery", "other", "x", "a\x1b[31mb", nil, "body", "message.error.body_invalid"},
		{"body of invalid UTF-8", "recovery", "other", "x", "a\xc3", nil, "body", "message.error.body_invalid"},
		{"six files", "recovery", "other", "x", "y", []Upload{pdf, pdf, pdf, pdf, pdf, pdf}, "attachments", "message.error.attachment_too_many"},
		{"a bad file", "recovery", "other", "x", "y", []Upload{pdf, upload("kuva.pdf", pngStart)}, "attachments", "message.error.attachment_mislabelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNewMessage(c, tt.subject, tt.spec, tt.title, tt.body, tt.files, Limits{})
			wantKey(t, err, tt.key)
			if err == nil {
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("err = %#v; want field %q", err, tt.field)
			}
		})
	}
}

func TestCheckNewMessageSaysTheLimits(t *testing.T) {
	c := defaultCatalogue(t)
	err := CheckNewMessage(c, "recovery", "other", "x", strings.Repeat("a", 101), nil, Limits{MaxBody: 100})
	if fault.KeyOf(err) != "message.error.body_long" || fault.DataOf(err)["Max"] != 100 {
		t.Errorf("err = %v, data %v; want body_long with Max 100", err, fault.DataOf(err))
	}
	err = CheckNewMessage(c, "recovery", "other", strings.Repeat("a", 121), "y", nil, Limits{})
	if fault.DataOf(err)["Max"] != MaxTitle {
		t.Errorf("title_long data = %v; want Max %d", fault.DataOf(err), MaxTitle)
	}
	pdf := upload("a.pdf", pdfStart)
	err = CheckReply("y", []Upload{pdf, pdf, pdf}, Limits{MaxFiles: 2})
	if fault.KeyOf(err) != "message.error.attachment_too_many" || fault.DataOf(err)["Max"] != 2 {
		t.Errorf("err = %v, data %v; want attachment_too_many with Max 2", err, fault.DataOf(err))
	}
}

func TestCheckReply(t *testing.T) {
	tests := []struct {
		name, body string
		files      []Upload
		key        string
	}{
		{"plain", "Kiitos vastauksesta.", nil, ""},
		{"with a scan", "Liitteenä tiliote.", []Upload{upload("tiliote.jpg", jpegStart)}, ""},
		{"empty", "", nil, "message.error.body_empty"},
		{"too long", strings.Repeat("x", DefaultMaxBody+1), nil, "message.error.body_long"},
		{"control character", "a\x07", nil, "message.error.body_invalid"},
		{"empty file", "x", []Upload{{Name: "a.pdf"}}, "message.error.attachment_empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantKey(t, CheckReply(tt.body, tt.files, Limits{}), tt.key)
		})
	}
}

func TestContainsIdentityCode(t *testing.T) {
	for text, want := range map[string]bool{
		"131052-308T":          true,
		"x131052+308Tx":        true,
		"131052B308t":          true,
		"131052-308":           false,
		"13105-2308T":          false,
		"131052G308T":          false, // G is no century sign
		"Lasku 1234567890":     false,
		"viite RF18 5390 0754": false,
	} {
		if got := ContainsIdentityCode(text); got != want {
			t.Errorf("ContainsIdentityCode(%q) = %v; want %v", text, got, want)
		}
	}
}

func FuzzCheckNewMessage(f *testing.F) {
	f.Add("recovery", "payment_plan", "Maksusuunnitelma", "Ehdotan 50 €.", "a.pdf", pdfStart, int64(2048))
	f.Add("international", "cross_border_healthcare", "131052-308T", "", "../x.png", pngStart, int64(0))
	f.Add("general", "other", "x\x00", "<b>\xff", "kuva.JPG", jpegStart, int64(1<<40))
	c := defaultCatalogue(f)
	f.Fuzz(func(t *testing.T, subject, spec, title, body, name string, head []byte, size int64) {
		files := []Upload{{Name: name, Head: head, Size: size}}
		err := CheckNewMessage(c, subject, spec, title, body, files, Limits{})
		if err != nil {
			if k := fault.KindOf(err); k != fault.Invalid && k != fault.TooLarge {
				t.Fatalf("kind %v: %v", k, err)
			}
			return
		}
		switch {
		case ContainsIdentityCode(title):
			t.Fatalf("accepted a title with an identity code: %q", title)
		case !utf8.ValidString(title) || !utf8.ValidString(body):
			t.Fatalf("accepted invalid UTF-8")
		case utf8.RuneCountInString(title) > MaxTitle || utf8.RuneCountInString(body) > DefaultMaxBody:
			t.Fatalf("accepted a text over its limit")
		case strings.TrimSpace(title) == "" || strings.TrimSpace(body) == "":
			t.Fatalf("accepted an empty text")
		case SniffType(head) == TypeUnknown || size > DefaultMaxFileBytes:
			t.Fatalf("accepted a file of type %s and %d bytes", SniffType(head), size)
		}
		if _, err := c.Route(subject, spec); err != nil {
			t.Fatalf("accepted a topic Route refuses: %v", err)
		}
	})
}

func BenchmarkCheckNewMessage(b *testing.B) {
	c := defaultCatalogue(b)
	title := "Maksusuunnitelma opintolainan takaussaatavasta"
	body := strings.Repeat("Ehdotan, että maksan takaisinperittävän summan 50 euron erissä. ", 30)
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckNewMessage(c, "recovery", "student_loan", title, body, nil, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("five attachments", func(b *testing.B) {
		files := []Upload{
			upload("a.pdf", pdfStart), upload("b.jpg", jpegStart), upload("c.png", pngStart),
			upload("d.pdf", pdfStart), upload("e.jpeg", jpegStart),
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckNewMessage(c, "recovery", "student_loan", title, body, files, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("longest body", func(b *testing.B) {
		long := strings.Repeat("ä", DefaultMaxBody)
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckNewMessage(c, "recovery", "student_loan", title, long, nil, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
