package viite

// RF is a valid RF creditor reference (ISO 11649) such as RF9811112: "RF",
// two check digits and a reference of 1–21 letters or digits. RFs compare
// with ==; the zero RF is "no reference".
type RF struct {
	check uint8 // 2–98
	n     uint8
	ref   [21]byte // upper-case letters and digits
}

// NewRF returns the RF reference for a reference part of 1–21 letters or
// digits, computing its check digits. Spaces are ignored and letters are
// upper-cased.
func NewRF(reference string) (RF, error) {
	var rf RF
	for i := 0; i < len(reference); i++ {
		c := upper(reference[i])
		switch {
		case c == ' ':
			continue
		case !alnum(c):
			return RF{}, &Error{Reason: ErrFormat, RF: true}
		case rf.n == 21:
			return RF{}, &Error{Reason: ErrLength, RF: true}
		}
		rf.ref[rf.n] = c
		rf.n++
	}
	if rf.n == 0 {
		return RF{}, &Error{Reason: ErrLength, RF: true}
	}
	rf.check = rf.checkDigits()
	return rf, nil
}

// RFFromNational returns the RF form of a Finnish reference, which Finnish
// banks accept interchangeably with it.
func RFFromNational(r Ref) RF {
	var rf RF
	rf.n = uint8(copy(rf.ref[:], r.d[:r.n]))
	rf.check = rf.checkDigits()
	return rf
}

// ParseRF validates an RF reference as printed or typed: spaces are ignored
// and letters may be lower case. Only the canonical check digits 02–98 are
// accepted, so every valid RF has one spelling.
func ParseRF(s string) (RF, error) {
	var (
		rf  RF
		pos int // characters read, spaces excluded
		cc  int
	)
	for i := 0; i < len(s); i++ {
		c := upper(s[i])
		if c == ' ' {
			continue
		}
		switch {
		case pos == 0 && c != 'R', pos == 1 && c != 'F':
			return RF{}, &Error{Reason: ErrFormat, RF: true}
		case pos == 2 || pos == 3:
			if c < '0' || c > '9' {
				return RF{}, &Error{Reason: ErrFormat, RF: true}
			}
			cc = cc*10 + int(c-'0')
		case pos >= 4:
			if !alnum(c) {
				return RF{}, &Error{Reason: ErrFormat, RF: true}
			}
			if rf.n == 21 {
				return RF{}, &Error{Reason: ErrLength, RF: true}
			}
			rf.ref[rf.n] = c
			rf.n++
		}
		pos++
	}
	if rf.n == 0 {
		return RF{}, &Error{Reason: ErrLength, RF: true}
	}
	rf.check = rf.checkDigits()
	if int(rf.check) != cc {
		return RF{}, &Error{Reason: ErrCheck, RF: true}
	}
	return rf, nil
}

// checkDigits computes 98 − (reference + "RF00" as digits, A=10 … Z=35) mod 97,
// which makes the whole reference, rotated, equal 1 mod 97.
func (rf RF) checkDigits() uint8 {
	m := 0
	for _, c := range rf.ref[:rf.n] {
		m = mod97(m, c)
	}
	for _, c := range []byte("RF00") {
		m = mod97(m, c)
	}
	return uint8(98 - m)
}

func mod97(m int, c byte) int {
	if c <= '9' {
		return (m*10 + int(c-'0')) % 97
	}
	return (m*100 + int(c-'A') + 10) % 97
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func alnum(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' }

// IsZero reports whether rf is the zero RF.
func (rf RF) IsZero() bool { return rf.n == 0 }

// Check returns the two check digits as a number, 2–98.
func (rf RF) Check() int { return int(rf.check) }

// Reference returns the part after the check digits.
func (rf RF) Reference() string { return string(rf.ref[:rf.n]) }

// String returns the electronic form, such as RF9811112.
func (rf RF) String() string {
	if rf.IsZero() {
		return ""
	}
	return string(rf.appendTo(make([]byte, 0, 4+rf.n)))
}

func (rf RF) appendTo(b []byte) []byte {
	b = append(b, 'R', 'F', '0'+rf.check/10, '0'+rf.check%10)
	return append(b, rf.ref[:rf.n]...)
}

// Grouped returns the print form in groups of four from the left, such as
// RF98 1111 2.
func (rf RF) Grouped() string {
	if rf.IsZero() {
		return ""
	}
	var buf [25]byte
	s := rf.appendTo(buf[:0])
	b := make([]byte, 0, len(s)+len(s)/4)
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	return string(b)
}

// National returns the Finnish reference inside rf, failing with
// ErrNotNational when the reference part is not one.
func (rf RF) National() (Ref, error) {
	var r Ref
	for _, c := range rf.ref[:rf.n] {
		if c < '0' || c > '9' || r.n == 20 {
			return Ref{}, &Error{Reason: ErrNotNational, RF: true}
		}
		if c == '0' && r.n == 0 {
			continue
		}
		r.d[r.n] = c
		r.n++
	}
	if r.n < 4 || r.d[r.n-1]-'0' != checkDigit(r.d[:r.n-1]) {
		return Ref{}, &Error{Reason: ErrNotNational, RF: true}
	}
	return r, nil
}

// MarshalText implements encoding.TextMarshaler.
func (rf RF) MarshalText() ([]byte, error) { return []byte(rf.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero RF.
func (rf *RF) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*rf = RF{}
		return nil
	}
	v, err := ParseRF(string(b))
	if err != nil {
		return err
	}
	*rf = v
	return nil
}
