package sink

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// parsed is what the sink reads out of a raw message.
type parsed struct {
	subject, text, html string
	header              mail.Header
}

// parse reads a message as a mail client would show it: the decoded
// subject and the first text/plain and text/html parts, decoded. It never
// fails: a message it cannot read is kept with its raw text as Text.
func parse(raw []byte) parsed {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return parsed{text: normalise(string(raw)), header: mail.Header{}}
	}
	p := parsed{header: m.Header, subject: decodeHeader(m.Header.Get("Subject"))}
	p.walk(textproto.MIMEHeader(m.Header), m.Body, 0)
	return p
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func decodeHeader(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// walk looks for text parts through nested multiparts.
func (p *parsed) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct, params = "text/plain", nil // RFC 2045 5.2
	}
	if strings.HasPrefix(ct, "multipart/") {
		if depth >= 8 || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: NextPart would decode quoted-printable itself
			// and hide the header, but not base64.
			part, err := mr.NextRawPart()
			if err != nil {
				return
			}
			p.walk(part.Header, part, depth+1)
		}
	}
	if d, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); d == "attachment" {
		return
	}
	switch {
	case ct == "text/plain" && p.text == "":
		p.text = decodeBody(h, body, params["charset"])
	case ct == "text/html" && p.html == "":
		p.html = decodeBody(h, body, params["charset"])
	}
}

func decodeBody(h textproto.MIMEHeader, body io.Reader, charset string) string {
	r := body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		// The decoder skips the line breaks.
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(r) // keep what decoded before an error
	if cr, err := charsetReader(charset, bytes.NewReader(b)); err == nil {
		if d, err := io.ReadAll(cr); err == nil {
			b = d
		}
	}
	return normalise(string(b))
}

// charsetReader knows the charsets etuus and common mail software send;
// others pass through unchanged.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252":
		// Close enough for a development sink: the three differ in a few
		// rarely used characters.
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return strings.NewReader(sb.String()), nil
	}
	return r, nil
}

func normalise(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}
