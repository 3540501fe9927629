package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
)

// The content types SniffType tells apart.
const (
	TypePDF     = "application/pdf"
	TypeJPEG    = "image/jpeg"
	TypePNG     = "image/png"
	TypeUnknown = "application/octet-stream"
)

// MaxName is the longest attachment name SafeName returns, in characters.
const MaxName = 100

// Upload is an attachment as received, before it is stored.
type Upload struct {
	Name string // the name the uploader gave; see SafeName
	Head []byte // the first bytes of the file, at least 512 (or the whole file when smaller)
	Size int64  // the size of the whole file in bytes
	// SHA256 is the whole file's hash (hex), taken as it was received;
	// empty for a file over the size limit.
	SHA256 string
	// Open reads the whole file from its start, each time it is called:
	// the Service scans it and the store copies it from there, a chunk at
	// a time. Nil for a file over the size limit, which is refused unread.
	Open func() (io.ReadCloser, error)
	// path is the spooled copy ReceiveUpload wrote; Discard removes it.
	path string
}

// NewUpload is a file held in memory (tests, small texts): its head, size,
// hash and bytes.
func NewUpload(name string, data []byte) Upload {
	sum := sha256.Sum256(data)
	return Upload{Name: name, Head: data[:min(len(data), 512)], Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// kinds says, for each type SniffType knows, how to name it to a user and
// which name extensions may carry it.
var kinds = map[string]struct {
	short string
	exts  []string
}{
	TypePDF:  {"PDF", []string{".pdf"}},
	TypeJPEG: {"JPEG", []string{".jpg", ".jpeg", ".jfif"}},
	TypePNG:  {"PNG", []string{".png"}},
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")

// SniffType decides a file's type from its first bytes, never from its name
// or the type the browser claimed. It is strict, so that what it accepts a
// viewer will open as that type and nothing else: a PDF starts with
// "%PDF-" and a version ("%PDF-1.7"), with nothing before it, not even
// white space; a JPEG with FF D8 FF and a marker; a PNG with its 8-byte
// signature and the IHDR chunk every PNG starts with. Anything else is
// TypeUnknown. Only the first 16 bytes are read.
func SniffType(head []byte) string {
	switch {
	case len(head) >= 8 && string(head[:5]) == "%PDF-" &&
		(head[5] == '1' || head[5] == '2') && head[6] == '.' && '0' <= head[7] && head[7] <= '9':
		return TypePDF
	case len(head) >= 4 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF &&
		// A segment marker; not a fill byte, restart marker, or a second
		// start or an end of image.
		head[3] >= 0xC0 && head[3] != 0xFF && (head[3] < 0xD0 || head[3] > 0xD9):
		return TypeJPEG
	case bytes.HasPrefix(head, pngHead):
		return TypePNG
	}
	return TypeUnknown
}

// CheckUpload checks one attachment and returns its content type, as
// SniffType finds it. It refuses, as a *fault.Error on the "attachments"
// field: a name with a path separator, control or formatting characters
// (such as the right-to-left override that makes "gpj.exe" look like
// "exe.jpg") or nothing usable in it; an empty file; a file over
// limits.MaxFileBytes (fault.TooLarge); content that is not one of
// limits.Types; and a name whose extension does not say what the content
// is ("scan.pdf" that is a PNG, or a name with no extension).
//
// Store the attachment under SafeName(u.Name). Passing the checks says
// nothing about malware: scan the whole file with a Scanner as well.
func CheckUpload(u Upload, limits Limits) (contentType string, err error) {
	limits = limits.WithDefaults()
	name := SafeName(u.Name)
	if name == "" || !utf8.ValidString(u.Name) || strings.ContainsFunc(u.Name, refusedNameRune) {
		return "", fault.InvalidField("attachments", "message.error.attachment_name", nil)
	}
	data := map[string]any{"Name": name}
	// The size first: a file over the limit is refused without its bytes
	// ever being read, so its Head may be empty.
	if u.Size > limits.MaxFileBytes || int64(len(u.Head)) > limits.MaxFileBytes {
		data["MaxBytes"] = limits.MaxFileBytes
		data["MaxMB"] = limits.MaxFileBytes >> 20
		return "", &fault.Error{Kind: fault.TooLarge, Key: "message.error.attachment_too_large", Field: "attachments", Data: data}
	}
	if u.Size <= 0 || len(u.Head) == 0 {
		return "", fault.InvalidField("attachments", "message.error.attachment_empty", data)
	}
	ct := SniffType(u.Head)
	if ct == TypeUnknown || !slices.Contains(limits.Types, ct) {
		data["Types"] = TypeNames(limits.Types)
		return "", fault.InvalidField("attachments", "message.error.attachment_type", data)
	}
	k := kinds[ct]
	if !slices.Contains(k.exts, strings.ToLower(extension(name))) {
		data["Type"] = k.short
		data["Ext"] = k.exts[0]
		return "", fault.InvalidField("attachments", "message.error.attachment_mislabelled", data)
	}
	return ct, nil
}

// TypeNames names content types the way people know them ("PDF, JPEG,
// PNG"), leaving out any SniffType does not recognise.
func TypeNames(types []string) string {
	var names []string
	for _, t := range types {
		if k, ok := kinds[t]; ok && !slices.Contains(names, k.short) {
			names = append(names, k.short)
		}
	}
	return strings.Join(names, ", ")
}

// extension is the name's extension with its dot, or "".
func extension(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// refusedNameRune is what CheckUpload refuses outright in a name rather than
// quietly cleaning: a path, or characters that hide what the name says.
func refusedNameRune(r rune) bool {
	return r == '/' || r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// replacedNameRune is what SafeName turns into '_': characters that
// Windows does not allow in a name, and look-alikes of the path separator.
func replacedNameRune(r rune) bool {
	switch r {
	case '<', '>', ':', '"', '|', '?', '*', '\u2215', '\u2044', '\u29f8', '\uff0f', '\uff3c', '\u29f9':
		return true
	}
	return false
}

// maxExt is the longest extension SafeName keeps when it shortens a name.
const maxExt = 16

// SafeName is a name an attachment can be stored and offered for download
// under: the base name only (what follows the last '/' or '\'), without
// control, formatting or other invisible characters or invalid UTF-8,
// with characters Windows forbids replaced by '_', without leading or
// trailing dots and spaces, with "_" before a name Windows reserves for a
// device (CON, NUL, COM1…), and shortened to MaxName characters keeping
// its extension. It returns "" when nothing usable is left. SafeName is
// idempotent.
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			// invalid UTF-8, or U+FFFD, which says as much
		case unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case replacedNameRune(r):
			b.WriteByte('_')
		case unicode.IsGraphic(r):
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), " .")
	if reservedDevice(s) {
		s = "_" + s
	}
	if utf8.RuneCountInString(s) > MaxName {
		ext := extension(s)
		if utf8.RuneCountInString(ext) > maxExt {
			ext = ""
		}
		stem := []rune(s[:len(s)-len(ext)])
		s = strings.TrimRight(string(stem[:MaxName-utf8.RuneCountInString(ext)]), " .") + ext
	}
	return s
}

// reservedDevice reports whether Windows takes name for a device whatever
// its extension.
func reservedDevice(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) && '0' <= stem[3] && stem[3] <= '9' {
		return true
	}
	return false
}
