package message

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
)

func TestSniffType(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"PDF 1.7", head(pdfStart), TypePDF},
		{"PDF 2.0", []byte("%PDF-2.0\n"), TypePDF},
		{"PDF, shortest head", []byte("%PDF-1.4"), TypePDF},
		{"JPEG JFIF", head(jpegStart), TypeJPEG},
		{"JPEG Exif", []byte("\xff\xd8\xff\xe1\x12\x34Exif\x00\x00"), TypeJPEG},
		{"JPEG raw quantisation table", []byte("\xff\xd8\xff\xdb\x00\x43"), TypeJPEG},
		{"PNG", head(pngStart), TypePNG},

		{"PDF after white space", []byte("  \n%PDF-1.7\n"), TypeUnknown},
		{"PDF after a byte-order mark", []byte("\xef\xbb\xbf%PDF-1.7\n"), TypeUnknown},
		{"PDF without a version", []byte("%PDF-<html><script>"), TypeUnknown},
		{"PDF in lower case", []byte("%pdf-1.7\n"), TypeUnknown},
		{"PDF cut short", []byte("%PDF-1."), TypeUnknown},
		{"JPEG without a marker", []byte("\xff\xd8\xff"), TypeUnknown},
		{"JPEG with an end-of-image marker", []byte("\xff\xd8\xff\xd9"), TypeUnknown},
		{"JPEG with a fill byte", []byte("\xff\xd8\xff\xff"), TypeUnknown},
		{"PNG signature alone", []byte("\x89PNG\r\n\x1a\n"), TypeUnknown},
		{"PNG without IHDR first", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT"), TypeUnknown},
		{"PNG with line endings converted", []byte("\x89PNG\n\x1a\n\x00\x00\x00\x0dIHDR"), TypeUnknown},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), TypeUnknown},
		{"HTML", []byte("<!DOCTYPE html><html>"), TypeUnknown},
		{"ZIP (a .docx)", []byte("PK\x03\x04\x14\x00\x06\x00"), TypeUnknown},
		{"Windows program", []byte("MZ\x90\x00\x03\x00\x00\x00"), TypeUnknown},
		{"text", []byte("hello"), TypeUnknown},
		{"nothing", nil, TypeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SniffType(tt.head); got != tt.want {
				t.Errorf("SniffType(%q) = %s; want %s", tt.head, got, tt.want)
			}
		})
	}
}

func TestCheckUpload(t *testing.T) {
	tests := []struct {
		name   string
		u      Upload
		limits Limits
		want   string // content type, or the error key
	}{
		{"PDF", upload("maksusuunnitelma.pdf", pdfStart), Limits{}, TypePDF},
		{"JPEG", upload("IMG_0001.JPG", jpegStart), Limits{}, TypeJPEG},
		{"JPEG named .jpeg", upload("kuva.jpeg", jpegStart), Limits{}, TypeJPEG},
		{"JPEG named .jfif", upload("kuva.jfif", jpegStart), Limits{}, TypeJPEG},
		{"PNG", upload("kuvakaappaus 2025-01-10.png", pngStart), Limits{}, TypePNG},
		{"small file, short head", Upload{Name: "a.pdf", Head: []byte("%PDF-1.4\n"), Size: 9}, Limits{}, TypePDF},
		{"exactly 10 MiB", Upload{Name: "a.pdf", Head: head(pdfStart), Size: 10 << 20}, Limits{}, TypePDF},
		{"Windows-forbidden characters are cleaned, not refused", upload(`lasku: "maaliskuu"?.pdf`, pdfStart), Limits{}, TypePDF},

		{"path", upload("../../etc/passwd.pdf", pdfStart), Limits{}, "message.error.attachment_name"},
		{"Windows path", upload(`C:\Users\anna\lasku.pdf`, pdfStart), Limits{}, "message.error.attachment_name"},
		{"control character", upload("lasku\n.pdf", pdfStart), Limits{}, "message.error.attachment_name"},
		{"NUL", upload("lasku.pdf\x00.exe", pdfStart), Limits{}, "message.error.attachment_name"},
		{"right-to-left override", upload("lasku\u202Efdp.exe", pdfStart), Limits{}, "message.error.attachment_name"},
		{"invalid UTF-8", upload("lasku\xff.pdf", pdfStart), Limits{}, "message.error.attachment_name"},
		{"no name", upload("", pdfStart), Limits{}, "message.error.attachment_name"},
		{"only dots", upload("...", pdfStart), Limits{}, "message.error.attachment_name"},
		{"empty file", Upload{Name: "a.pdf", Size: 0}, Limits{}, "message.error.attachment_empty"},
		{"size but no head", Upload{Name: "a.pdf", Size: 100}, Limits{}, "message.error.attachment_empty"},
		{"over 10 MiB", Upload{Name: "a.pdf", Head: head(pdfStart), Size: 10<<20 + 1}, Limits{}, "message.error.attachment_too_large"},
		{"over a unit's own limit", Upload{Name: "a.pdf", Head: head(pdfStart), Size: 2 << 20}, Limits{MaxFileBytes: 1 << 20}, "message.error.attachment_too_large"},
		{"Word document", upload("hakemus.docx", []byte("PK\x03\x04\x14\x00\x06\x00")), Limits{}, "message.error.attachment_type"},
		{"program", upload("lasku.exe", []byte("MZ\x90\x00")), Limits{}, "message.error.attachment_type"},
		{"PDF after white space", upload("lasku.pdf", []byte("\n%PDF-1.7")), Limits{}, "message.error.attachment_type"},
		{"PNG where a unit takes only PDF", upload("kuva.png", pngStart), Limits{Types: []string{TypePDF}}, "message.error.attachment_type"},
		{"PNG named .pdf", upload("x.pdf", pngStart), Limits{}, "message.error.attachment_mislabelled"},
		{"PDF named .jpg", upload("x.jpg", pdfStart), Limits{}, "message.error.attachment_mislabelled"},
		{"PDF named .exe", upload("x.exe", pdfStart), Limits{}, "message.error.attachment_mislabelled"},
		{"PDF named .pdf.exe", upload("lasku.pdf.exe", pdfStart), Limits{}, "message.error.attachment_mislabelled"},
		{"PDF without an extension", upload("lasku", pdfStart), Limits{}, "message.error.attachment_mislabelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := CheckUpload(tt.u, tt.limits)
			if strings.Contains(tt.want, "/") {
				if err != nil || ct != tt.want {
					t.Errorf("CheckUpload = %q, %v; want %s", ct, err, tt.want)
				}
				return
			}
			wantKey(t, err, tt.want)
			if ct != "" {
				t.Errorf("content type %q with an error", ct)
			}
		})
	}
}

func TestCheckUploadTellsTheUser(t *testing.T) {
	_, err := CheckUpload(Upload{Name: "iso.pdf", Head: head(pdfStart), Size: 11 << 20}, Limits{})
	if fault.KindOf(err) != fault.TooLarge || fault.DataOf(err)["MaxMB"] != int64(10) || fault.DataOf(err)["Name"] != "iso.pdf" {
		t.Errorf("too large: %v %v; want TooLarge, 10 MB, the name", err, fault.DataOf(err))
	}
	_, err = CheckUpload(upload("x.pdf", pngStart), Limits{})
	if d := fault.DataOf(err); d["Name"] != "x.pdf" || d["Type"] != "PNG" || d["Ext"] != ".png" {
		t.Errorf("mislabelled data = %v", d)
	}
	_, err = CheckUpload(upload("a.gif", []byte("GIF89a")), Limits{})
	if d := fault.DataOf(err); d["Types"] != "PDF, JPEG, PNG" {
		t.Errorf("type data = %v", d)
	}
	_, err = CheckUpload(upload("a.gif", []byte("GIF89a")), Limits{Types: []string{TypePDF, "image/gif"}})
	if d := fault.DataOf(err); d["Types"] != "PDF" {
		t.Errorf("type data with a unit's types = %v; want only what can be accepted", d)
	}
}

func TestSafeName(t *testing.T) {
	long := strings.Repeat("ä", 150)
	tests := []struct{ in, want string }{
		{"maksusuunnitelma.pdf", "maksusuunnitelma.pdf"},
		{"Tiliote 2025 (1).PDF", "Tiliote 2025 (1).PDF"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\anna\Desktop\lasku.pdf`, "lasku.pdf"},
		{"dir/", ""},
		{"lasku\u202Efdp.exe", "laskufdp.exe"},
		{"a\x00b\nc\td.pdf", "abcd.pdf"},
		{"a\xffb.pdf", "ab.pdf"},
		{"a\u00a0b.pdf", "a b.pdf"},
		{`a<b>c:d"e|f?g*h.pdf`, "a_b_c_d_e_f_g_h.pdf"},
		{"a\u2215b.pdf", "a_b.pdf"},
		{"  .hidden.pdf. . ", "hidden.pdf"},
		{"CON", "_CON"},
		{"nul.pdf", "_nul.pdf"},
		{"com1.txt", "_com1.txt"},
		{"console.pdf", "console.pdf"},
		{long + ".pdf", strings.Repeat("ä", MaxName-4) + ".pdf"},
		{long, strings.Repeat("ä", MaxName)},
		{"a." + long, "a." + strings.Repeat("ä", MaxName-2)}, // an "extension" too long to keep
		{strings.Repeat("x", 95) + "   .   " + strings.Repeat("y", 20) + ".pdf", strings.Repeat("x", 95) + ".pdf"},
		{"", ""},
		{"\u200b", ""},
	}
	for _, tt := range tests {
		if got := SafeName(tt.in); got != tt.want {
			t.Errorf("SafeName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSniffType(f *testing.F) {
	for _, s := range [][]byte{pdfStart, jpegStart, pngStart, []byte("%PDF-"), []byte("\xff\xd8\xff"), nil} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		got := SniffType(head)
		switch got {
		case TypePDF, TypeJPEG, TypePNG, TypeUnknown:
		default:
			t.Fatalf("SniffType = %q", got)
		}
		if len(head) > 16 && SniffType(head[:16]) != got {
			t.Fatalf("the type depends on more than the first 16 bytes")
		}
		// Stricter than the standard library, never in disagreement with it.
		if got != TypeUnknown && http.DetectContentType(head) != got {
			t.Fatalf("SniffType = %s, http.DetectContentType = %s", got, http.DetectContentType(head))
		}
		if got != TypeUnknown && SniffType(append(bytes.Clone(head), "tail"...)) != got {
			t.Fatalf("more bytes changed the type")
		}
	})
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"lasku.pdf", "../x", `C:\a\b.pdf`, "a\u202Eb", "CON.pdf", strings.Repeat("ä", 120) + ".jpeg", " . ", "a\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SafeName(name)
		if strings.ContainsAny(got, `/\`) || strings.ContainsFunc(got, func(r rune) bool {
			return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		}) {
			t.Fatalf("SafeName(%q) = %q holds a separator or a control character", name, got)
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxName {
			t.Fatalf("SafeName(%q) = %q: invalid UTF-8 or too long", name, got)
		}
		if got != strings.Trim(got, " .") || reservedDevice(got) {
			t.Fatalf("SafeName(%q) = %q: not a safe name", name, got)
		}
		if again := SafeName(got); again != got {
			t.Fatalf("SafeName(%q) = %q, then %q", name, got, again)
		}
		// What CheckUpload accepts, it stores under a name the user recognises.
		if _, err := CheckUpload(Upload{Name: name, Head: pdfStart, Size: 1}, Limits{}); err == nil && !strings.HasSuffix(strings.ToLower(got), ".pdf") {
			t.Fatalf("accepted %q as a PDF named %q", name, got)
		}
	})
}
