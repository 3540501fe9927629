package iso20022

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// charsetReader converts the legacy 8-bit encodings some Finnish bank
// channels still declare. encoding/xml only reads UTF-8 by itself, and
// golang.org/x/text would be a dependency for two tiny tables.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return &latinReader{r: in}, nil
	case "iso-8859-15", "iso8859-15", "latin9", "latin-9":
		return &latinReader{r: in, latin9: true}, nil
	}
	return nil, fmt.Errorf("character encoding %q is not supported (UTF-8, ISO-8859-1 and ISO-8859-15 are)", charset)
}

// latinReader decodes ISO-8859-1, or ISO-8859-15 where eight code points
// differ (the euro sign among them), into UTF-8.
type latinReader struct {
	r      io.Reader
	latin9 bool
	in     []byte
	buf    []byte // conversion buffer, reused
	out    []byte // converted bytes not yet returned, within buf
}

func (l *latinReader) Read(p []byte) (int, error) {
	if len(l.out) == 0 {
		if cap(l.in) == 0 {
			l.in = make([]byte, 4096)
		}
		n, err := l.r.Read(l.in)
		if n == 0 {
			return 0, err
		}
		l.buf = l.buf[:0]
		for _, b := range l.in[:n] {
			r := rune(b)
			if l.latin9 {
				r = latin9(b)
			}
			l.buf = utf8.AppendRune(l.buf, r)
		}
		l.out = l.buf
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

func latin9(b byte) rune {
	switch b {
	case 0xA4:
		return '€'
	case 0xA6:
		return 'Š'
	case 0xA8:
		return 'š'
	case 0xB4:
		return 'Ž'
	case 0xB8:
		return 'ž'
	case 0xBC:
		return 'Œ'
	case 0xBD:
		return 'œ'
	case 0xBE:
		return 'Ÿ'
	}
	return rune(b)
}
