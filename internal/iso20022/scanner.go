package iso20022

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner is a streaming XML tokenizer for fastReader. It accepts and
// refuses exactly what encoding/xml's Decoder.Token does with the settings
// xmlReader uses (Strict, no Entity map, no AutoClose, a CharsetReader for
// the legacy charsets), and it fails at the same byte offset and line with
// an error of the same kind: a *xml.SyntaxError where encoding/xml gives
// one (the message is the same too), the reader's own error, or the error
// of an unsupported version or charset. Each method below names the part of
// encoding/xml/xml.go it follows; where the code looks odd (when a byte is
// read, which quirk is kept), it is because encoding/xml does it so.
//
// Unlike encoding/xml it does not translate namespaces (fastReader looks at
// the namespace of the root element only, see rootSpace), reads from a
// large buffer instead of byte by byte, and reuses its buffers: a token's
// name, attributes and text are valid until the next call of next.
type scanner struct {
	r   io.Reader
	err error // sticky error from r, io.EOF included; reported once the buffered bytes are used

	buf      []byte
	pos, end int   // buf[pos:end] is read but not consumed
	base     int64 // input offset of buf[0]
	line     int   // line number at buf[lineOff]
	lineOff  int

	// The current token. name and text may be slices of buf.
	name    []byte // qualified name of a start or end tag, as written
	attrs   []attrSpan
	abuf    []byte // attribute names and decoded values
	text    []byte // decoded character data
	nameBuf []byte // name when it is not in buf
	textBuf []byte // text when it is not in buf as it is

	// Where the last token read (a skipped one included) began: scan's
	// line "before the token" is encoding/xml's InputPos before Token.
	tokStart   int
	tokLine    int
	tokLineSet bool // tokLine holds the line of tokStart, which fill dropped

	needClose bool // the last start tag was self-closing: its end comes next
	// skipText makes next read past character data without returning it,
	// for callers that would ignore it.
	skipText bool
	noColon  bool   // the name of the current start tag has no colon
	stack    []byte // qualified names of the open elements, concatenated
	stackEnd []int  // where each ends in stack

	tmp       []byte // processing instruction content
	converted bool   // the input is decoded from a legacy charset
	errOff    int64  // input offset of the last syntax error
}

// attrSpan locates an attribute's name (as written) and decoded value in abuf.
type attrSpan struct{ nameA, nameB, valA, valB int }

type tokKind uint8

const (
	tokStart tokKind = iota + 1 // a start tag: name, attrs
	tokEnd                      // an end tag, or the end of a self-closing tag
	tokText                     // character data or a CDATA section: text
)

// Comments, processing instructions and directives are skipped, as the
// readers skip encoding/xml's Comment, ProcInst and Directive tokens.

const maxEmptyReads = 100 // as bufio

func (s *scanner) init(r io.Reader) {
	s.r = r
	s.buf = make([]byte, 64<<10)
	s.line = 1
}

// fill reads more input after buf[pos:end]. It reports false when there
// is none: s.err then holds io.EOF or the reader's error. Like bufio, it
// lets a reader return (0, nil) up to 100 times in a row.
func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos > 0 {
		if !s.tokLineSet {
			s.tokLine, s.tokLineSet = s.lineAt(s.tokStart), true
		}
		if s.lineOff < s.pos {
			s.line += bytes.Count(s.buf[s.lineOff:s.pos], newline)
			s.lineOff = s.pos
		}
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.lineOff -= s.pos
		s.end = n
		s.pos = 0
	}
	if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for range maxEmptyReads {
		n, err := s.r.Read(s.buf[s.end:])
		if n < 0 || n > len(s.buf)-s.end {
			panic("iso20022: reader returned an impossible count")
		}
		s.end += n
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

var newline = []byte{'\n'}

// lineAt returns the line of buf[p] (1 + the newlines before it), as
// encoding/xml counts it after reading the bytes before p.
func (s *scanner) lineAt(p int) int {
	switch {
	case p > s.lineOff:
		s.line += bytes.Count(s.buf[s.lineOff:p], newline)
		s.lineOff = p
	case p < s.lineOff:
		return s.line - bytes.Count(s.buf[p:s.lineOff], newline)
	}
	return s.line
}

// lineNow is the line at the current position: encoding/xml's
// Decoder.InputPos between tokens.
func (s *scanner) lineNow() int { return s.lineAt(s.pos) }

// tokenLine is the line where the last token read by next began: for an
// error, the token that failed.
func (s *scanner) tokenLine() int {
	if s.tokLineSet {
		return s.tokLine
	}
	return s.lineAt(s.tokStart)
}

func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// syntaxError is Decoder.syntaxError at the current position.
func (s *scanner) syntaxError(msg string) error {
	s.errOff = s.offset()
	return &xml.SyntaxError{Msg: msg, Line: s.lineNow()}
}

// eofError is the error of Decoder.mustgetc when no byte can be read.
func (s *scanner) eofError() error {
	if s.err == io.EOF {
		return s.syntaxError("unexpected EOF")
	}
	return s.err
}

// mustgetc reads one byte; ungetc is s.pos--.
func (s *scanner) mustgetc() (byte, error) {
	if s.pos == s.end && !s.fill() {
		return 0, s.eofError()
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// space skips white space (Decoder.space). At the end of the input it
// stops; the next mustgetc reports it.
func (s *scanner) space() {
	for {
		for s.pos < s.end {
			switch s.buf[s.pos] {
			case ' ', '\r', '\n', '\t':
				s.pos++
			default:
				return
			}
		}
		if !s.fill() {
			return
		}
	}
}

// next reads the next token (Decoder.Token without name space
// translation). At the end of the input it returns io.EOF if no element is
// open, else a syntax error.
func (s *scanner) next() (tokKind, error) {
	for {
		kind, err := s.rawToken()
		if err != nil || kind == tokStart || kind == tokEnd || kind == tokText && !s.skipText {
			return kind, err
		}
	}
}

// rawToken is Decoder.rawToken followed by Token's element stack checks.
// It returns kind 0 without an error for a comment, processing instruction
// or directive.
func (s *scanner) rawToken() (tokKind, error) {
	s.tokStart, s.tokLineSet = s.pos, false
	if s.needClose {
		s.needClose = false
		s.pop()
		return tokEnd, nil
	}
	if s.pos == s.end && !s.fill() {
		if s.err == io.EOF && len(s.stackEnd) > 0 {
			return 0, s.syntaxError("unexpected EOF")
		}
		return 0, s.err
	}
	if s.buf[s.pos] != '<' {
		// Most text (white space between tags, most values) is plain and
		// ends before a '<' already in the buffer: it is its own decoding.
		buf := s.buf[s.pos:s.end]
		i := 0
		high := byte(0)
		for i < len(buf) {
			c := buf[i]
			if plainSpecial[c] {
				break
			}
			high |= c
			i++
			if c == '\n' { // skip the indentation after it eight bytes at a time
				for i+8 <= len(buf) {
					if x := binary.LittleEndian.Uint64(buf[i:]) ^ 0x2020202020202020; x != 0 {
						i += bits.TrailingZeros64(x) >> 3
						break
					}
					i += 8
				}
			}
		}
		if i < len(buf) && buf[i] == '<' && (high < utf8.RuneSelf || checkChars(buf[:i]) == "") {
			s.text = buf[:i]
			s.pos += i
			return tokText, nil
		}
		var err error
		if s.textBuf, err = s.readText(s.textBuf[:0], -1, false); err != nil {
			return 0, err
		}
		s.text = s.textBuf
		return tokText, nil
	}
	s.pos++
	var b byte
	if s.pos < s.end {
		b = s.buf[s.pos]
		s.pos++
	} else {
		var err error
		if b, err = s.mustgetc(); err != nil {
			return 0, err
		}
	}
	switch b {
	case '/':
		return s.endTag()
	case '?':
		return 0, s.procInst()
	case '!':
		return s.bang()
	}
	s.pos-- // ungetc
	return s.startTag()
}

func (s *scanner) endTag() (tokKind, error) {
	// Most end tags are the name of the open element and '>', already in
	// the buffer: that name was checked when it was opened.
	if n := len(s.stackEnd); n > 0 {
		top := s.top()
		if k := len(top); s.end-s.pos > k && s.buf[s.pos+k] == '>' && bytes.Equal(s.buf[s.pos:s.pos+k], top) {
			s.name = s.buf[s.pos : s.pos+k]
			s.pos += k + 1
			s.pop()
			return tokEnd, nil
		}
	}
	s.nameBuf = s.nameBuf[:0]
	ok, err := s.readNSName(&s.nameBuf)
	s.name = s.nameBuf
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.syntaxError("expected element name after </")
	}
	s.space()
	b, err := s.mustgetc()
	if err != nil {
		return 0, err
	}
	if b != '>' {
		return 0, s.syntaxError("invalid characters between </" + string(localName(s.name)) + " and >")
	}
	// Decoder.popElement: the names must match as written, prefix and all.
	if len(s.stackEnd) == 0 {
		return 0, s.syntaxError("unexpected end element </" + string(localName(s.name)) + ">")
	}
	if top := s.top(); !bytes.Equal(top, s.name) {
		tp, tl := splitName(top)
		np, nl := splitName(s.name)
		if !bytes.Equal(tl, nl) {
			return 0, s.syntaxError("element <" + string(tl) + "> closed by </" + string(nl) + ">")
		}
		ns := string(np)
		if ns == "" {
			ns = `""`
		}
		return 0, s.syntaxError("element <" + string(tl) + "> in space " + string(tp) + " closed by </" + string(nl) + "> in space " + ns)
	}
	s.pop()
	return tokEnd, nil
}

func (s *scanner) startTag() (tokKind, error) {
	s.attrs = s.attrs[:0]
	s.abuf = s.abuf[:0]
	// Most start tags are an ASCII name with at most one colon, then '>'
	// or "/>", all in the buffer.
	if buf := s.buf[s.pos:s.end]; len(buf) > 0 && nameStart[buf[0]] {
		colons := 0
		for i := 1; i < len(buf); i++ {
			switch c := buf[i]; {
			case asciiNameByte[c]:
				continue
			case c == ':':
				colons++
				continue
			case colons > 1:
			case c == '>':
				return s.pushStart(buf[:i], i+1, false, colons == 0)
			case c == '/' && i+1 < len(buf) && buf[i+1] == '>':
				return s.pushStart(buf[:i], i+2, true, colons == 0)
			}
			break
		}
	}
	s.nameBuf = s.nameBuf[:0]
	ok, err := s.readNSName(&s.nameBuf)
	s.name = s.nameBuf
	s.noColon = false
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.syntaxError("expected element name after <")
	}
	for {
		s.space()
		b, err := s.mustgetc()
		if err != nil {
			return 0, err
		}
		if b == '/' {
			if b, err = s.mustgetc(); err != nil {
				return 0, err
			}
			if b != '>' {
				return 0, s.syntaxError("expected /> in element")
			}
			s.needClose = true
			break
		}
		if b == '>' {
			break
		}
		s.pos-- // ungetc
		a := attrSpan{nameA: len(s.abuf)}
		ok, err := s.readNSName(&s.abuf)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, s.syntaxError("expected attribute name in element")
		}
		a.nameB = len(s.abuf)
		s.space()
		if b, err = s.mustgetc(); err != nil {
			return 0, err
		}
		if b != '=' {
			return 0, s.syntaxError("attribute name without = in element")
		}
		s.space()
		// Decoder.attrval
		if b, err = s.mustgetc(); err != nil {
			return 0, err
		}
		if b != '"' && b != '\'' {
			return 0, s.syntaxError("unquoted or missing attribute value in element")
		}
		a.valA = len(s.abuf)
		if s.abuf, err = s.readText(s.abuf, int(b), false); err != nil {
			return 0, err
		}
		a.valB = len(s.abuf)
		s.attrs = append(s.attrs, a)
	}
	s.stack = append(s.stack, s.name...)
	s.stackEnd = append(s.stackEnd, len(s.stack))
	return tokStart, nil
}

// pushStart ends the fast path of startTag: name is in the buffer, the tag
// takes n bytes from pos.
func (s *scanner) pushStart(name []byte, n int, empty, noColon bool) (tokKind, error) {
	s.name = name
	s.noColon = noColon
	s.pos += n
	s.needClose = empty
	s.stack = append(s.stack, name...)
	s.stackEnd = append(s.stackEnd, len(s.stack))
	return tokStart, nil
}

func (s *scanner) top() []byte {
	n := len(s.stackEnd)
	start := 0
	if n > 1 {
		start = s.stackEnd[n-2]
	}
	return s.stack[start:s.stackEnd[n-1]]
}

func (s *scanner) pop() {
	n := len(s.stackEnd)
	s.stackEnd = s.stackEnd[:n-1]
	if n > 1 {
		s.stack = s.stack[:s.stackEnd[n-2]]
	} else {
		s.stack = s.stack[:0]
	}
}

// procInst skips a processing instruction after "<?". The XML declaration
// (target "xml", wherever it is) is checked as encoding/xml does: a version
// other than 1.0 is refused, and an encoding other than UTF-8 switches the
// rest of the input to a charsetReader.
func (s *scanner) procInst() error {
	s.tmp = s.tmp[:0]
	ok, err := s.readName(&s.tmp)
	if err != nil {
		return err
	}
	if !ok {
		return s.syntaxError("expected target name after <?")
	}
	if !isXMLName(s.tmp) {
		return s.syntaxError("invalid XML name: " + string(s.tmp))
	}
	isDecl := string(s.tmp) == "xml"
	s.space()
	s.tmp = s.tmp[:0]
	var b0 byte
	for {
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		s.tmp = append(s.tmp, b)
		if b0 == '?' && b == '>' {
			break
		}
		b0 = b
	}
	if !isDecl {
		return nil
	}
	content := string(s.tmp[:len(s.tmp)-2])
	ver := procInstParam("version", content)
	if ver != "" && ver != "1.0" {
		return fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", ver)
	}
	enc := procInstParam("encoding", content)
	if enc != "" && enc != "utf-8" && enc != "UTF-8" && !strings.EqualFold(enc, "utf-8") {
		s.converted = true
		// The bytes read so far but not consumed are still in the old
		// encoding: the charset reader takes them before the rest.
		rest := &unreadReader{rest: append([]byte(nil), s.buf[s.pos:s.end]...), r: s.r, err: s.err}
		newr, err := charsetReader(enc, rest)
		if err != nil {
			return fmt.Errorf("xml: opening charset %q: %w", enc, err)
		}
		s.r, s.err = newr, nil
		s.end = s.pos
	}
	return nil
}

// unreadReader returns rest, then reads from r. Like the bufio.Reader the
// charset reader wraps in encoding/xml, it holds back an error that comes
// with data until the next call.
type unreadReader struct {
	rest []byte
	r    io.Reader
	err  error
}

func (u *unreadReader) Read(p []byte) (int, error) {
	if len(u.rest) > 0 {
		n := copy(p, u.rest)
		u.rest = u.rest[n:]
		return n, nil
	}
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	if n > 0 && err != nil {
		u.err, err = err, nil
	}
	return n, err
}

// procInstParam is encoding/xml's procInst: the value of param in the
// content of a processing instruction, found as loosely as encoding/xml
// finds it.
func procInstParam(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang reads what follows "<!": a comment, a CDATA section or a directive.
func (s *scanner) bang() (tokKind, error) {
	b, err := s.mustgetc()
	if err != nil {
		return 0, err
	}
	switch b {
	case '-':
		if b, err = s.mustgetc(); err != nil {
			return 0, err
		}
		if b != '-' {
			return 0, s.syntaxError("invalid sequence <!- not part of <!--")
		}
		return 0, s.comment()
	case '[':
		for i := range 6 {
			if b, err = s.mustgetc(); err != nil {
				return 0, err
			}
			if b != "CDATA["[i] {
				return 0, s.syntaxError("invalid <![ sequence")
			}
		}
		if s.textBuf, err = s.readText(s.textBuf[:0], -1, true); err != nil {
			return 0, err
		}
		s.text = s.textBuf
		return tokText, nil
	}
	return 0, s.directive()
}

// comment skips a comment after "<!--".
func (s *scanner) comment() error {
	var b0, b1 byte
	for {
		// Most of a comment is neither '-' nor '>'.
		if b0 != '-' && b1 != '-' {
			if i := bytes.IndexByte(s.buf[s.pos:s.end], '-'); i > 0 {
				s.pos += i - 1
			} else if i < 0 && s.end > s.pos {
				s.pos = s.end - 1
			}
		}
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if b0 == '-' && b1 == '-' {
			if b != '>' {
				return s.syntaxError(`invalid sequence "--" not allowed in comments`)
			}
			return nil
		}
		b0, b1 = b1, b
	}
}

// directive skips a directive such as <!DOCTYPE …> after "<!" and its
// first byte, with encoding/xml's rules for quotes, nesting and comments.
func (s *scanner) directive() error {
	inquote := uint8(0)
	depth := 0
	for {
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if inquote == 0 && b == '>' && depth == 0 {
			return nil
		}
	HandleB:
		switch {
		case b == inquote:
			inquote = 0
		case inquote != 0:
			// in quotes, no special action
		case b == '\'' || b == '"':
			inquote = b
		case b == '>' && inquote == 0:
			depth--
		case b == '<' && inquote == 0:
			// Look for <!-- to begin comment.
			const open = "!--"
			for i := range len(open) {
				if b, err = s.mustgetc(); err != nil {
					return err
				}
				if b != open[i] {
					depth++
					goto HandleB
				}
			}
			var b0, b1 byte
			for {
				if b, err = s.mustgetc(); err != nil {
					return err
				}
				if b0 == '-' && b1 == '-' && b == '>' {
					break
				}
				b0, b1 = b1, b
			}
		}
	}
}

// readName appends a name to *dst (Decoder.readName): the bytes up to the
// first ASCII byte that cannot be in a name. It reports false, without an
// error and without consuming it, when the first byte cannot start one.
func (s *scanner) readName(dst *[]byte) (bool, error) {
	if s.pos == s.end && !s.fill() {
		return false, s.eofError()
	}
	if !nameByte[s.buf[s.pos]] {
		return false, nil
	}
	for {
		i := s.pos
		for i < s.end && nameByte[s.buf[i]] {
			i++
		}
		*dst = append(*dst, s.buf[s.pos:i]...)
		s.pos = i
		if i < s.end {
			return true, nil
		}
		if !s.fill() {
			return false, s.eofError()
		}
	}
}

// readNSName appends a name that may have a prefix (Decoder.nsname). It
// reports false without an error where the caller gives the error: no
// name, or more than one colon.
func (s *scanner) readNSName(dst *[]byte) (bool, error) {
	start := len(*dst)
	ok, err := s.readName(dst)
	if !ok || err != nil {
		return ok, err
	}
	name := (*dst)[start:]
	if !isXMLName(name) {
		return false, s.syntaxError("invalid XML name: " + string(name))
	}
	if bytes.Count(name, colon) > 1 {
		return false, nil
	}
	return true, nil
}

var colon = []byte{':'}

// splitName splits a qualified name as Decoder.nsname does: a prefix only
// when there is one colon with something on both sides.
func splitName(name []byte) (prefix, local []byte) {
	i := bytes.IndexByte(name, ':')
	if i <= 0 || i == len(name)-1 {
		return nil, name
	}
	return name[:i], name[i+1:]
}

func localName(name []byte) []byte {
	_, local := splitName(name)
	return local
}

// nameByte is encoding/xml's isNameByte, with every byte from 0x80 up:
// readName takes all of them and isName checks them.
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-' || c >= utf8.RuneSelf
	}
	return t
}()

// nameStart is the ASCII bytes a name can start with, but ':'; asciiNameByte
// those it can go on with, but ':'.
var nameStart, asciiNameByte = func() (start, more [256]bool) {
	for c := range 256 {
		start[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_'
		more[c] = start[c] || '0' <= c && c <= '9' || c == '.' || c == '-'
	}
	return start, more
}()

// isXMLName is encoding/xml's isName for what readName read.
func isXMLName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return isXMLNameSlow(name)
		}
	}
	c := name[0]
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
}

// isXMLNameSlow asks encoding/xml itself whether a name with non-ASCII
// letters is a name: its tables of letters are not exported. The colons,
// allowed anywhere, become underscores so that nsname does not object.
func isXMLNameSlow(name []byte) bool {
	doc := make([]byte, 0, len(name)+3)
	doc = append(doc, '<')
	for _, c := range name {
		if c == ':' {
			c = '_'
		}
		doc = append(doc, c)
	}
	doc = append(doc, '/', '>')
	_, err := xml.NewDecoder(bytes.NewReader(doc)).RawToken()
	return err == nil
}

// Byte classes for readText: 0 is a byte copied as it is; anything else
// stops the fast loop.
var textSpecial, cdataSpecial, quotSpecial, aposSpecial [256]bool

// plainSpecial is textSpecial but for the bytes of multi-byte characters,
// which the fast path of rawToken checks afterwards.
var plainSpecial [256]bool

func init() {
	for c := range 256 {
		ctl := c < 0x20 && c != '\t' && c != '\n'
		high := c >= utf8.RuneSelf
		plainSpecial[c] = ctl || c == '<' || c == '&' || c == ']' || c == '>'
		textSpecial[c] = ctl || high || c == '<' || c == '&' || c == ']' || c == '>'
		cdataSpecial[c] = ctl || high || c == ']' || c == '>'
		quotSpecial[c] = ctl || high || c == '<' || c == '&' || c == '"'
		aposSpecial[c] = ctl || high || c == '<' || c == '&' || c == '\''
	}
}

// readText is Decoder.text: it appends decoded character data to out,
// stopping before '<' (plain text, quote < 0), after the closing quote of
// an attribute value (quote >= 0) or after the "]]>" of a CDATA section.
// Line ends become '\n'; entities and character references are replaced.
// The whole text is checked for invalid UTF-8 and characters XML does not
// allow only at the end, as encoding/xml does, so an entity error earlier
// in the text wins.
func (s *scanner) readText(out []byte, quote int, cdata bool) ([]byte, error) {
	special := &textSpecial
	switch {
	case cdata:
		special = &cdataSpecial
	case quote == '"':
		special = &quotSpecial
	case quote == '\'':
		special = &aposSpecial
	}
	start := len(out)
	brackets := 0  // raw ']' just read, in a row
	cr := false    // the last raw byte was '\r'
	check := false // out holds control or non-ASCII characters
Input:
	for {
		if s.pos == s.end && !s.fill() {
			if cdata {
				if s.err == io.EOF {
					return out, s.syntaxError("unexpected EOF in CDATA section")
				}
				return out, s.err
			}
			// The end of the input, or a read error, ends the text; the
			// next read reports it.
			break
		}
		if cr {
			cr = false
			if s.buf[s.pos] == '\n' { // "\r\n" is one '\n', already written
				s.pos++
				continue
			}
		}
		i := s.pos
		for i < s.end && !special[s.buf[i]] {
			i++
		}
		if i > s.pos {
			out = append(out, s.buf[s.pos:i]...)
			s.pos = i
			brackets = 0
			if i == s.end {
				continue
			}
		}
		b := s.buf[s.pos]
		s.pos++
		switch {
		case b == '<' && !cdata:
			if quote >= 0 {
				return out, s.syntaxError("unescaped < inside quoted string")
			}
			s.pos-- // ungetc
			break Input
		case quote >= 0 && b == byte(quote):
			break Input
		case b == '&' && !cdata:
			var err error
			if out, err = s.entity(out, &check); err != nil {
				return out, err
			}
			brackets = 0
		case b == ']' && quote < 0:
			out = append(out, b)
			brackets++
		case b == '>' && quote < 0:
			if brackets >= 2 {
				if cdata {
					out = out[:len(out)-2]
					break Input
				}
				return out, s.syntaxError("unescaped ]]> not in CDATA section")
			}
			out = append(out, b)
			brackets = 0
		case b == '\r':
			out = append(out, '\n')
			cr = true
			brackets = 0
		default: // a control character or part of a multi-byte one
			out = append(out, b)
			check = true
			brackets = 0
		}
	}
	if check {
		if msg := checkChars(out[start:]); msg != "" {
			return out, s.syntaxError(msg)
		}
	}
	return out, nil
}

// entity replaces an entity or character reference after '&' (the part of
// Decoder.text that handles '&').
func (s *scanner) entity(out []byte, check *bool) ([]byte, error) {
	before := len(out)
	out = append(out, '&')
	b, err := s.mustgetc()
	if err != nil {
		return out, err
	}
	r := rune(-1)
	if b == '#' {
		out = append(out, '#')
		if b, err = s.mustgetc(); err != nil {
			return out, err
		}
		base := 10
		if b == 'x' {
			base = 16
			out = append(out, 'x')
			if b, err = s.mustgetc(); err != nil {
				return out, err
			}
		}
		start := len(out)
		for '0' <= b && b <= '9' ||
			base == 16 && 'a' <= b && b <= 'f' ||
			base == 16 && 'A' <= b && b <= 'F' {
			out = append(out, b)
			if b, err = s.mustgetc(); err != nil {
				return out, err
			}
		}
		if b != ';' {
			s.pos-- // ungetc
		} else {
			n, err := strconv.ParseUint(string(out[start:]), base, 64)
			out = append(out, ';')
			if err == nil && n <= unicode.MaxRune {
				r = rune(n)
			}
		}
	} else {
		s.pos-- // ungetc
		if _, err := s.readName(&out); err != nil {
			return out, err
		}
		if b, err = s.mustgetc(); err != nil {
			return out, err
		}
		if b != ';' {
			s.pos-- // ungetc
		} else {
			switch string(out[before+1:]) {
			case "lt":
				r = '<'
			case "gt":
				r = '>'
			case "amp":
				r = '&'
			case "apos":
				r = '\''
			case "quot":
				r = '"'
			}
			out = append(out, ';')
		}
	}
	if r < 0 {
		ent := string(out[before:])
		if ent[len(ent)-1] != ';' {
			ent += " (no semicolon)"
		}
		return out, s.syntaxError("invalid character entity " + ent)
	}
	out = utf8.AppendRune(out[:before], r) // a surrogate becomes U+FFFD, as string(rune(n))
	if r >= utf8.RuneSelf || r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
		*check = true
	}
	return out, nil
}

// checkChars is the final check of Decoder.text.
func checkChars(data []byte) string {
	for len(data) > 0 {
		if c := data[0]; c < utf8.RuneSelf && (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
			data = data[1:]
			continue
		}
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return "invalid UTF-8"
		}
		data = data[size:]
		if !isInCharacterRange(r) {
			return fmt.Sprintf("illegal character code %U", r)
		}
	}
	return ""
}

// isInCharacterRange is the Char production of XML 1.0, as encoding/xml has it.
func isInCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// local is the local name of the current start tag.
func (s *scanner) local() []byte {
	if s.noColon {
		return s.name
	}
	return localName(s.name)
}

// attrLocal is the local name of attribute a, as encoding/xml splits it.
func (s *scanner) attrLocal(a attrSpan) []byte { return localName(s.abuf[a.nameA:a.nameB]) }

func (s *scanner) attrValue(a attrSpan) []byte { return s.abuf[a.valA:a.valB] }

// rootSpace is the name space encoding/xml's Token gives the current start
// tag if it is the document's first element: the translation of its prefix
// by the xmlns attributes on it (Decoder.translate).
func (s *scanner) rootSpace() string {
	prefix, local := splitName(s.name)
	switch {
	case string(prefix) == "xmlns":
		return "xmlns"
	case string(prefix) == "xml":
		return "http://www.w3.org/XML/1998/namespace"
	case len(prefix) == 0 && string(local) == "xmlns":
		return ""
	}
	space, bound := string(prefix), false
	for _, a := range s.attrs {
		ap, al := splitName(s.abuf[a.nameA:a.nameB])
		switch {
		case len(prefix) == 0 && len(ap) == 0 && string(al) == "xmlns",
			len(prefix) > 0 && string(ap) == "xmlns" && bytes.Equal(al, prefix):
			space, bound = string(s.attrValue(a)), true
		}
	}
	if !bound && len(prefix) == 0 {
		return "" // Decoder.DefaultSpace
	}
	return space
}
