package web

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// computedKeys are the text keys built at run time, by the prefix the code
// puts before a value — (print "kind." .Kind) in a template, "error." + kind
// in Go — with every value that can follow it. TestTextKeys fails on a
// prefix built in the code that is missing here, on a prefix here that the
// code no longer builds, and on a value whose key has no text. Take values
// from the code (constants of a type, a list) rather than copying them, so
// that a new value without texts fails the test.
func computedKeys(t *testing.T, root string) map[string][]string {
	_, contacts, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	var audiences, days, langs []string
	for _, c := range contacts {
		audiences = appendNew(audiences, c.Audience)
		days = appendNew(days, c.Days)
		for _, l := range strings.Split(c.Languages, ",") {
			langs = appendNew(langs, l)
		}
	}
	var exemptionKinds []string
	for _, k := range recovery.Kinds() {
		if len(recovery.ExemptionKindsFor(k)) > 0 {
			exemptionKinds = append(exemptionKinds, string(k))
		}
	}
	var faultKinds []string
	for k := fault.Kind(0); !strings.HasPrefix(k.String(), "kind("); k++ {
		faultKinds = append(faultKinds, k.String())
	}
	var ages []string
	for _, a := range queueAges {
		ages = append(ages, a.Key)
	}
	return map[string][]string{
		// The API's scopes (staff_api_clients).
		"api.scope.": apiclient.Scopes,
		// Claims (templates claims, claim, recovery_queue, exemption).
		"kind.":           consts(t, root, "internal/recovery", "Kind"),
		"status.":         consts(t, root, "internal/recovery", "Status"),
		"event.":          consts(t, root, "internal/recovery", "EventKind"),
		"exemption.kind.": consts(t, root, "internal/recovery", "ExemptionKind"),
		// Recovery letters (letters.go, claim.html, letter.html) and the
		// history entry naming an exemption decision.
		"recovery.event.exemption_": consts(t, root, "internal/recovery", "ExemptionKind"),
		// The entry moving paid exempt interest to principal (decision.go).
		"recovery.event.exempt_paid_": consts(t, root, "internal/recovery", "ExemptionKind"),
		"letter.kind.":                consts(t, root, "internal/recovery", "LetterKind"),
		"letter.body.":                consts(t, root, "internal/recovery", "LetterKind"),
		"letter.notified.":            {"email", "sms", "none"},
		// The exemption page is only offered for kinds with exemptions.
		"exemption.lead.": exemptionKinds,
		// Plan proposals and exemption applications share these statuses.
		"proposal.": {recovery.Pending, recovery.Approved, recovery.Rejected},
		// The redirect after a plan decision (exemption decisions have keys
		// of their own in recovery_queue.html).
		"recovery.queue.decided_": {"approved", "rejected", "entry"},
		// The bulk view of a bank file names each transaction's status.
		"bank.status.": {recovery.EntryBooked, recovery.EntryQueued, recovery.EntryRefused, recovery.EntryReportedAgain,
			recovery.EntryReversal, recovery.EntryReversed, recovery.EntryItemised, recovery.EntrySuperseded,
			recovery.EntryReturned, recovery.EntryHandled},
		// fault.KeyOf for an error that carries no key of its own.
		"error.": faultKinds,
		"role.":  consts(t, root, "internal/org", "Role*"),
		// The contact table on the front page, from the reference data.
		"contact.audience.": audiences,
		"days.":             days,
		"lang.":             langs,
		// countries() names the eIDAS countries that have a name and shows
		// the code of the others (it asks Has first); these are the
		// countries etuus knows by name.
		"country.": {"DE", "EE", "ES", "FR", "IT", "SE"},
		// Messages.
		"message.status.":          consts(t, root, "internal/message", "Status"),
		"message.author.":          consts(t, root, "internal/message", "AuthorKind"),
		"message.notices.channel_": consts(t, root, "internal/outbox", "Channel"),
		"message.notices.status_":  consts(t, root, "internal/outbox", "Status"),
		// Nothing is sent, and no address is shown, for ChannelNone.
		"message.notify.code_sent_":  {string(message.ChannelEmail), string(message.ChannelSMS)},
		"message.notify.current_":    {string(message.ChannelEmail), string(message.ChannelSMS)},
		"delivery.code_undelivered_": {string(message.ChannelEmail), string(message.ChannelSMS)},
		"message.queue.age_":         ages,
		// staffQueue's views and the ?done= of the staff thread actions.
		"message.queue.view_": {"open", "waiting", "closed"},
		"message.queue.done_": {"assigned", "closed", "moved", "noted", "replied"},
		"message.reach.":      consts(t, root, "internal/message", "Reach"),
		// Benefit payments.
		"benefit.":             payment.DefaultSchedules().Benefits(),
		"payment.status.":      {payment.Prepared, payment.Sent, payment.Rejected, payment.Returned},
		"payment.status_text.": {payment.Prepared, payment.Sent, payment.Rejected, payment.Returned},
		// Rejected and returned payments (payment/returns.go).
		"payment.returns.state.":          {payment.ReturnOpen, payment.ReturnRepay, payment.ReturnRepaid},
		"payment.returns.customer.state.": {payment.ReturnOpen, payment.ReturnRepay, payment.ReturnRepaid},
		"payment.returns.employer.state.": {payment.EmployerWaitingAccount, payment.EmployerAccountGiven, payment.EmployerPaidAgain},
		"payment.returns.customer.":       {payment.Rejected, payment.Returned},
		"payment.returns.reason.":         append(slices.Clone(payment.ReasonCodes), "other"),
		"payment.period.":                 {"month", "decision", "report"},
		"payment.account.by.":             {"customer", "staff"},
		"payrun.status.":                  {payment.RunPrepared, payment.RunPublished},
		// The directory and disruption notices (internal/directory).
		"directory.service.": directory.Services,
		"directory.holiday.": holidayKeys(),
		"directory.kind.":    {"postal", "email", "fax"},
		// The 360 view's mandates and the claim's term (issue 14).
		"mandate.type.":             consts(t, root, "internal/mandate", "Type"),
		"employer.requests.status_": consts(t, root, "internal/mandate", "RequestStatus"),
		"decisions.origin.term_":    {"true", "false"},
	}
}

// holidayKeys are the keys of the public holidays the directory names.
func holidayKeys() []string {
	var out []string
	for _, h := range bankday.Holidays(2024) {
		out = append(out, h.Key)
	}
	return out
}

// skipDirs are not scanned for keys: internal/testidp has a message table of
// its own (checked by its TestMessagesComplete), and testdata holds inputs.
var skipDirs = []string{"internal/testidp", "internal/i18n/locales"}

// keyShape is what a text key looks like: an area and at least one more
// part, e.g. "plan.error.date", "country.EE", "days.mon-fri".
var keyShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$`)

// fileExt are the last parts of strings shaped like keys that are file
// names (e.g. "layout.html").
var fileExt = []string{"html", "css", "js", "json", "xml", "xsd", "pdf", "png", "jpg", "svg", "ico", "db", "go", "sql", "csv", "txt"}

// keyRef is a place in the source that names a key, or a prefix of keys.
type keyRef struct {
	key string
	at  string // file:line
}

// keyScan is what the source says about keys.
type keyScan struct {
	areas    map[string]bool // the first parts of the catalogue's keys
	literals map[string]bool // every string in the code, templates and data
	named    []keyRef        // strings that are keys: they must have texts
	prefixes []keyRef        // "prefix" + value: they must be in computedKeys
	// keyParams and actionParams are the positions of parameters named
	// key/…Key (a text key) and action (an audit action), by function:
	// "pkg.Func" for functions, ".Method" for methods.
	keyParams, actionParams map[string][]int
}

// TestTextKeys: every text key the Go code, the templates and the embedded
// data name, and every key built at run time (computedKeys), has a text in
// fi, sv and en; and every text in the catalogue is named somewhere.
func TestTextKeys(t *testing.T) {
	root := moduleRoot(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]map[string]bool{}
	all := map[string]bool{}
	for _, lang := range i18n.Languages {
		have[lang] = map[string]bool{}
		for _, k := range cat.Keys(lang) {
			have[lang][k] = true
			all[k] = true
		}
	}
	s := &keyScan{areas: map[string]bool{}, literals: map[string]bool{}}
	for k := range all {
		area, _, _ := strings.Cut(k, ".")
		s.areas[area] = true
	}
	s.scan(t, root)

	missing := func(key string) []string {
		var langs []string
		for _, lang := range i18n.Languages {
			if !have[lang][key] {
				langs = append(langs, lang)
			}
		}
		return langs
	}
	for _, r := range s.named {
		if langs := missing(r.key); len(langs) > 0 {
			t.Errorf("%s names key %q, which has no text in %s", r.at, r.key, strings.Join(langs, ", "))
		}
	}

	computed := computedKeys(t, root)
	built := map[string]bool{}
	for _, r := range s.prefixes {
		built[r.key] = true
		if _, ok := computed[r.key]; !ok {
			t.Errorf("%s builds keys %q + a value: list its values in computedKeys", r.at, r.key)
		}
	}
	used := map[string]bool{}
	for prefix, values := range computed {
		if !built[prefix] {
			t.Errorf("computedKeys lists %q, which no code builds keys from any more", prefix)
		}
		if len(values) == 0 {
			t.Errorf("computedKeys: no values for %q", prefix)
		}
		for _, v := range values {
			used[prefix+v] = true
			if langs := missing(prefix + v); len(langs) > 0 {
				t.Errorf("key %q (%q + %q, built at run time) has no text in %s", prefix+v, prefix, v, strings.Join(langs, ", "))
			}
		}
	}

	var unused []string
	for k := range all {
		if !s.literals[k] && !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("%d texts are named nowhere in the code, templates or data; delete them, or list in computedKeys how they are built:\n%s",
			len(unused), strings.Join(unused, "\n"))
	}

	t.Logf("%d texts; %d places name a key, %d build one from a prefix", len(all), len(s.named), len(s.prefixes))
	// A scan that finds little is broken, and would pass anything.
	if len(s.named) < 300 || len(s.prefixes) < 20 {
		t.Fatalf("found only %d keys and %d prefixes; the scan is broken", len(s.named), len(s.prefixes))
	}
}

func (s *keyScan) scan(t *testing.T, root string) {
	var goFiles, templates, data []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || slices.Contains(skipDirs, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(rel, "_test.go"):
		case strings.HasSuffix(rel, ".go"):
			goFiles = append(goFiles, path)
		case strings.HasSuffix(rel, ".html") && strings.HasPrefix(rel, "internal/"):
			templates = append(templates, path)
		case strings.HasSuffix(rel, ".json") && strings.HasPrefix(rel, "internal/"):
			data = append(data, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, path := range goFiles {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	s.params(files)
	for _, f := range files {
		s.goFile(fset, root, f)
	}
	for _, path := range templates {
		s.template(t, root, path)
	}
	for _, path := range data {
		s.jsonFile(t, root, path)
	}
}

// params records which parameters of the module's functions are text keys
// and which are audit actions, by their names.
func (s *keyScan) params(files []*ast.File) {
	s.keyParams, s.actionParams = map[string][]int{}, map[string][]int{}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			name := f.Name.Name + "." + fn.Name.Name
			if fn.Recv != nil {
				name = "." + fn.Name.Name
			}
			i := 0
			for _, field := range fn.Type.Params.List {
				names := field.Names
				if len(names) == 0 {
					i++
					continue
				}
				for _, n := range names {
					switch {
					case n.Name == "key" || strings.HasSuffix(n.Name, "Key"):
						s.keyParams[name] = append(s.keyParams[name], i)
					case n.Name == "action":
						s.actionParams[name] = append(s.actionParams[name], i)
					}
					i++
				}
			}
		}
	}
}

func (s *keyScan) goFile(fset *token.FileSet, root string, f *ast.File) {
	at := func(n ast.Node) string {
		p := fset.Position(n.Pos())
		rel, _ := filepath.Rel(root, p.Filename)
		return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), p.Line)
	}
	// Strings that are known not to be keys (audit actions), and strings
	// known to be keys whatever their shape (arguments for a key).
	notKey, isKey := map[*ast.BasicLit]bool{}, map[*ast.BasicLit]bool{}
	mark := func(m map[*ast.BasicLit]bool, e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok {
				m[lit] = true
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Action" {
				mark(notKey, n.Value)
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Action" && i < len(n.Rhs) {
					mark(notKey, n.Rhs[i])
				}
				if id, ok := lhs.(*ast.Ident); ok && id.Name == "action" && i < len(n.Rhs) {
					mark(notKey, n.Rhs[i])
				}
			}
		case *ast.GenDecl:
			// The values of typed constants are an enumeration's values
			// (permissions, kinds), not texts; where they pick a text, the
			// code adds a prefix, listed in computedKeys.
			if n.Tok == token.CONST {
				for _, spec := range n.Specs {
					if vs := spec.(*ast.ValueSpec); vs.Type != nil {
						for _, v := range vs.Values {
							mark(notKey, v)
						}
					}
				}
			}
		case *ast.CallExpr:
			name := s.callee(f, n)
			for _, i := range s.actionParams[name] {
				if i < len(n.Args) {
					mark(notKey, n.Args[i])
				}
			}
			for _, i := range s.keyParams[name] {
				if i >= len(n.Args) {
					continue
				}
				switch a := n.Args[i].(type) {
				case *ast.BasicLit:
					if a.Value != `""` {
						isKey[a] = true
					}
				case *ast.BinaryExpr:
					// T("prefix" + value), whatever the prefix's shape.
					if lit := leftmost(a); lit != nil {
						isKey[lit] = true
					}
				}
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.BinaryExpr:
			lit := leftmost(n)
			if n.Op != token.ADD || lit == nil || lit != n.X || notKey[lit] {
				return true
			}
			if v, err := strconv.Unquote(lit.Value); err == nil && (isKey[lit] || s.isPrefix(v)) {
				s.prefixes = append(s.prefixes, keyRef{v, at(n)})
			}
			return false // the literal is a prefix, not a key
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(n.Value)
			if err != nil {
				return true
			}
			s.literals[v] = true
			if isKey[n] || !notKey[n] && s.isKey(v) {
				s.named = append(s.named, keyRef{v, at(n)})
			}
		}
		return true
	})
}

// callee names the function a call calls, as params records it: a
// function of this package or of an imported one, or else a method.
func (s *keyScan) callee(f *ast.File, call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return f.Name.Name + "." + fn.Name
	case *ast.SelectorExpr:
		if pkg, ok := fn.X.(*ast.Ident); ok {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if imp.Name != nil && imp.Name.Name == pkg.Name || imp.Name == nil && filepath.Base(path) == pkg.Name {
					return pkg.Name + "." + fn.Sel.Name
				}
			}
		}
		return "." + fn.Sel.Name
	}
	return ""
}

// leftmost is the string literal that starts a chain of +, or nil.
func leftmost(e *ast.BinaryExpr) *ast.BasicLit {
	x := e.X
	for {
		switch v := x.(type) {
		case *ast.BinaryExpr:
			x = v.X
		case *ast.BasicLit:
			if v.Kind == token.STRING {
				return v
			}
			return nil
		default:
			return nil
		}
	}
}

// isKey reports whether s is shaped like a key of one of the catalogue's
// areas, and not a file name.
func (s *keyScan) isKey(v string) bool {
	if !keyShape.MatchString(v) {
		return false
	}
	area, _, _ := strings.Cut(v, ".")
	return s.areas[area] && !slices.Contains(fileExt, v[strings.LastIndexByte(v, '.')+1:])
}

// isPrefix reports whether v is the start of a key that code completes,
// such as "kind." or "message.queue.done_".
func (s *keyScan) isPrefix(v string) bool {
	if !strings.HasSuffix(v, ".") && !strings.HasSuffix(v, "_") {
		return false
	}
	return s.isKey(v + "x")
}

func (s *keyScan) template(t *testing.T, root, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, path)
	rel = filepath.ToSlash(rel)
	tree := parse.New(rel)
	tree.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(string(b), "", "", trees); err != nil {
		t.Fatal(err)
	}
	text := string(b)
	at := func(n parse.Node) string {
		return fmt.Sprintf("%s:%d", rel, 1+strings.Count(text[:n.Position()], "\n"))
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.CommandNode:
			args := n.Args
			if len(args) >= 2 {
				if str, ok := args[1].(*parse.StringNode); ok {
					if id, ok := args[0].(*parse.IdentifierNode); ok && id.Ident == "print" && len(args) > 2 && s.isPrefix(str.Text) {
						s.prefixes = append(s.prefixes, keyRef{str.Text, at(str)})
						args = args[2:]
					} else if callsT(args[0]) {
						// Whatever its shape, the argument of T is a key.
						s.named = append(s.named, keyRef{str.Text, at(str)})
						s.literals[str.Text] = true
						args = args[2:]
					}
				} else if p, ok := args[1].(*parse.PipeNode); ok && callsT(args[0]) && len(p.Cmds) == 1 {
					// T (print "prefix" .Value), whatever the prefix's shape.
					c := p.Cmds[0]
					if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "print" && len(c.Args) > 2 {
						if str, ok := c.Args[1].(*parse.StringNode); ok {
							s.prefixes = append(s.prefixes, keyRef{str.Text, at(str)})
							args = append(args[2:], c.Args[2:]...)
						}
					}
				}
			}
			for _, a := range args {
				walk(a)
			}
		case *parse.StringNode:
			s.literals[n.Text] = true
			if s.isKey(n.Text) {
				s.named = append(s.named, keyRef{n.Text, at(n)})
			}
		}
	}
	for _, tr := range trees {
		walk(tr.Root)
	}
}

// callsT reports whether n is a localizer's T: .L.T, $l.T, .T.
func callsT(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == "T"
}

// jsonFile scans embedded data (the organisation, rules, topics) for keys.
func (s *keyScan) jsonFile(t *testing.T, root, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	rel, _ := filepath.Rel(root, path)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			s.literals[v] = true
			if s.isKey(v) {
				s.named = append(s.named, keyRef{v, filepath.ToSlash(rel)})
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// consts lists the string constants declared in a package directory with
// the named type, or, for a pattern ending in "*", with names that start so.
func consts(t *testing.T, root, dir, pattern string) []string {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, _ := vs.Type.(*ast.Ident)
				for i, name := range vs.Names {
					match := typ != nil && typ.Name == pattern
					if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
						match = strings.HasPrefix(name.Name, prefix)
					}
					if !match || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						out = append(out, v)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no string constants %s in %s", pattern, dir)
	}
	return out
}

func appendNew(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}
