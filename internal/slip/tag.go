package slip

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
)

// A tagged PDF (ISO 32000-1, 14.7–14.8) marks what the page draws, in the
// page's content stream, with the structure element it belongs to (an
// MCID in a BDC … EMC sequence), and holds the elements in a tree from
// the catalog in reading order. fpdf writes the content stream, and
// RawWriteStr puts the marks into it; the tree, the parent tree that
// leads from an MCID back to its element, and the catalog's /MarkInfo,
// /StructTreeRoot, /ViewerPreferences and /Metadata are appended after
// fpdf's file as an incremental update (7.5.6) that redefines the page
// and the catalog under their own numbers.

// elem is a structure element: a leaf holds one MCID of the page, a group
// holds elements.
type elem struct {
	role  string // the standard structure type: Document, H1, P, Table…
	attrs string // further entries of its dictionary, in PDF syntax
	mcid  int    // -1 for a group
	kids  []*elem
	num   int // its object number
}

type tagger struct {
	pdf   *fpdf.Fpdf
	doc   *elem
	mcids []*elem // the element of each MCID
}

func newTagger(pdf *fpdf.Fpdf) *tagger {
	return &tagger{pdf: pdf, doc: &elem{role: "Document", mcid: -1}}
}

// leaf adds an element of role to parent and marks what draw draws as its
// content.
func (t *tagger) leaf(parent *elem, role, attrs string, draw func()) {
	e := &elem{role: role, attrs: attrs, mcid: len(t.mcids)}
	parent.kids = append(parent.kids, e)
	t.mcids = append(t.mcids, e)
	t.pdf.RawWriteStr(fmt.Sprintf("/%s <</MCID %d>> BDC", role, e.mcid))
	draw()
	t.pdf.RawWriteStr("EMC")
}

// group adds an element of role to parent to hold further elements.
func (t *tagger) group(parent *elem, role, attrs string) *elem {
	e := &elem{role: role, attrs: attrs, mcid: -1}
	parent.kids = append(parent.kids, e)
	return e
}

// artifact marks what draw draws as no part of the text: decoration.
func (t *tagger) artifact(draw func()) {
	t.pdf.RawWriteStr("/Artifact <</Type /Layout>> BDC")
	draw()
	t.pdf.RawWriteStr("EMC")
}

// finish writes fpdf's file and the structure appended to it.
func (t *tagger) finish(w io.Writer, s Slip) error {
	if t.pdf.Err() {
		return fmt.Errorf("slip: %w", t.pdf.Error())
	}
	var buf bytes.Buffer
	if err := t.pdf.Output(&buf); err != nil {
		return fmt.Errorf("slip: %w", err)
	}
	update, err := t.update(buf.Bytes(), s)
	if err != nil {
		return err
	}
	buf.Write(update)
	_, err = buf.WriteTo(w)
	return err
}

var (
	sizeRe      = regexp.MustCompile(`/Size (\d+)`)
	rootRe      = regexp.MustCompile(`/Root (\d+) 0 R`)
	infoRe      = regexp.MustCompile(`/Info (\d+) 0 R`)
	startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	kidsRe      = regexp.MustCompile(`/Kids \[(\d+) 0 R \]`)
)

// update is the incremental update that tags orig, fpdf's file of one page.
func (t *tagger) update(orig []byte, s Slip) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("slip: fpdf's file: %s", what) }
	i := bytes.LastIndex(orig, []byte("\ntrailer"))
	if i < 0 {
		return nil, bad("no trailer")
	}
	trailer := orig[i:]
	num := func(re *regexp.Regexp, b []byte) (int, bool) {
		m := re.FindSubmatch(b)
		if m == nil {
			return 0, false
		}
		n, err := strconv.Atoi(string(m[1]))
		return n, err == nil
	}
	size, ok1 := num(sizeRe, trailer)
	root, ok2 := num(rootRe, trailer)
	info, ok3 := num(infoRe, trailer)
	prev, ok4 := num(startxrefRe, trailer)
	if !ok1 || !ok2 || !ok3 || !ok4 || prev >= len(orig) {
		return nil, bad("trailer")
	}
	offsets, err := xrefTable(orig[prev:], size)
	if err != nil {
		return nil, bad(err.Error())
	}
	// dict is the inside of the dictionary that object n is.
	dict := func(n int) ([]byte, error) {
		if n <= 0 || n >= size || offsets[n] >= len(orig) {
			return nil, bad("no object " + strconv.Itoa(n))
		}
		b := orig[offsets[n]:]
		head := fmt.Sprintf("%d 0 obj\n<<", n)
		end := bytes.Index(b, []byte(">>\nendobj"))
		if !bytes.HasPrefix(b, []byte(head)) || end < len(head) {
			return nil, bad("object " + strconv.Itoa(n))
		}
		return b[len(head):end], nil
	}
	pages, err := dict(1)
	if err != nil {
		return nil, err
	}
	page, ok := num(kidsRe, pages)
	if !ok {
		return nil, bad("not one page")
	}
	pageDict, err := dict(page)
	if err != nil {
		return nil, err
	}
	catalog, err := dict(root)
	if err != nil {
		return nil, err
	}

	next := size
	alloc := func() int { next++; return next - 1 }
	treeRoot, parentTree, meta := alloc(), alloc(), alloc()
	var number func(e *elem)
	number = func(e *elem) {
		e.num = alloc()
		for _, k := range e.kids {
			number(k)
		}
	}
	number(t.doc)

	var b bytes.Buffer
	at := map[int]int{}
	obj := func(n int, format string, a ...any) {
		at[n] = len(orig) + b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", n)
		fmt.Fprintf(&b, format, a...)
		b.WriteString("\nendobj\n")
	}
	obj(page, "<<%s\n/StructParents 0\n/Tabs /S>>", pageDict)
	obj(root, "<<%s\n/Version /1.7\n/MarkInfo <</Marked true>>\n/StructTreeRoot %d 0 R\n/ViewerPreferences <</DisplayDocTitle true>>\n/Metadata %d 0 R\n>>",
		catalog, treeRoot, meta)
	obj(treeRoot, "<</Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey 1>>", t.doc.num, parentTree)
	refs := make([]string, len(t.mcids))
	for i, e := range t.mcids {
		refs[i] = fmt.Sprintf("%d 0 R", e.num)
	}
	obj(parentTree, "<</Nums [0 [%s]]>>", strings.Join(refs, " "))
	x := xmp(s)
	obj(meta, "<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n%s\nendstream", len(x), x)
	var write func(e *elem, parent int)
	write = func(e *elem, parent int) {
		k := strconv.Itoa(e.mcid)
		if e.mcid < 0 {
			kids := make([]string, len(e.kids))
			for i, c := range e.kids {
				kids[i] = fmt.Sprintf("%d 0 R", c.num)
			}
			k = "[" + strings.Join(kids, " ") + "]"
		}
		obj(e.num, "<</Type /StructElem /S /%s /P %d 0 R /Pg %d 0 R /K %s %s>>", e.role, parent, page, k, e.attrs)
		for _, c := range e.kids {
			write(c, e.num)
		}
	}
	write(t.doc, treeRoot)

	// The cross-reference section: a subsection for each run of numbers.
	xref := len(orig) + b.Len()
	nums := make([]int, 0, len(at))
	for n := range at {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	b.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(&b, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(&b, "%010d 00000 n \n", at[n])
		}
		i = j
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", next, root, info, prev, xref)
	return b.Bytes(), nil
}

// xrefTable reads fpdf's cross-reference table, one subsection from
// object 0, into the offsets of objects 0 to size-1.
func xrefTable(b []byte, size int) ([]int, error) {
	head := fmt.Sprintf("xref\n0 %d\n", size)
	if !bytes.HasPrefix(b, []byte(head)) {
		return nil, fmt.Errorf("no cross-reference table of %d objects", size)
	}
	b = b[len(head):]
	const entry = 20 // "0000012345 00000 n \n"
	if len(b) < size*entry {
		return nil, fmt.Errorf("cross-reference table cut short")
	}
	offsets := make([]int, size)
	for n := range offsets {
		e := b[n*entry : (n+1)*entry]
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil {
			return nil, fmt.Errorf("cross-reference entry %d", n)
		}
		offsets[n] = off
	}
	return offsets, nil
}

// textString is s as a PDF text string: UTF-16BE with its byte order mark,
// in hexadecimal, so that no character needs escaping.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// xmp is the document's XMP metadata: its title and language.
func xmp(s Slip) []byte {
	esc := func(v string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(v))
		return b.String()
	}
	return []byte(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(s.Title) + `</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>` + esc(s.Lang) + `</rdf:li></rdf:Bag></dc:language>
<xmp:CreatorTool>etuus</xmp:CreatorTool>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`)
}
