package recovery

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
)

// Term is a study term: spring (January–July) or autumn (August–December)
// of a year, written 2026S and 2026A.
type Term struct {
	Year   int
	Autumn bool
}

// ErrTerm is returned (wrapped) for text that is not a term.
var ErrTerm = errors.New("recovery: not a term such as 2026S or 2026A")

// ParseTerm reads a term such as 2026S (spring) or 2026a (autumn).
func ParseTerm(s string) (Term, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 {
		return Term{}, fmt.Errorf("%w: %q", ErrTerm, s)
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || !digits(s[:4]) || y < 1000 {
		return Term{}, fmt.Errorf("%w: %q", ErrTerm, s)
	}
	switch s[4] {
	case 'S', 's':
		return Term{Year: y}, nil
	case 'A', 'a':
		return Term{Year: y, Autumn: true}, nil
	}
	return Term{}, fmt.Errorf("%w: %q", ErrTerm, s)
}

// IsZero reports whether t is the zero Term, "no term".
func (t Term) IsZero() bool { return t == Term{} }

func (t Term) String() string {
	if t.IsZero() {
		return ""
	}
	if t.Autumn {
		return fmt.Sprintf("%04dA", t.Year)
	}
	return fmt.Sprintf("%04dS", t.Year)
}

// Start is the term's first day: 1 January or 1 August. Rules for a term
// are looked up by it.
func (t Term) Start() civil.Date {
	if t.Autumn {
		return civil.Date{Year: t.Year, Month: time.August, Day: 1}
	}
	return civil.Date{Year: t.Year, Month: time.January, Day: 1}
}

// MarshalText implements encoding.TextMarshaler.
func (t Term) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero
// Term.
func (t *Term) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = Term{}
		return nil
	}
	v, err := ParseTerm(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// StudentTerm is one row of the healthcare fee run's input: a student, a
// term and the day the student registered as attending for it.
type StudentTerm struct {
	Line       int       // the row's line in the file, for messages
	HETU       hetu.Code // when the row named the student by identity code
	PersonID   string    // when the row named a person ID; callers fill it in for HETU rows
	Term       Term
	Registered civil.Date
}

// The CSV columns, by header name. The first name is the canonical one.
var (
	colPerson     = []string{"person", "person_id", "hetu", "identity_code"}
	colTerm       = []string{"term"}
	colRegistered = []string{"registered", "registered_on", "registration_date"}
)

// MaxCSVErrors is how many bad rows ParseStudentsCSV reports before it
// stops reading.
const MaxCSVErrors = 100

// CSVError is a bad row (or header) in the healthcare fee run's input. It
// carries no cell values: the file holds identity codes, and errors get
// logged. It unwraps to a fault.Invalid with the message key, the column
// as the field and the line number as data.
type CSVError struct {
	Line   int    // 1 is the header
	Column string // the column's canonical name, "" for the whole row
	Key    string // i18n message key, e.g. "recovery.csv.bad_term"
	Err    error  // the cause, if any; for logs
}

func (e *CSVError) Error() string {
	msg := fmt.Sprintf("recovery: line %d", e.Line)
	if e.Column != "" {
		msg += ", column " + e.Column
	}
	msg += ": " + e.Key
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the error as the project's fault type.
func (e *CSVError) Unwrap() error {
	return &fault.Error{Kind: fault.Invalid, Key: e.Key, Field: e.Column, Data: map[string]any{"Line": e.Line}, Err: e.Err}
}

// CSVErrors is every bad row found, in line order.
type CSVErrors []*CSVError

func (es CSVErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap makes errors.As find each *CSVError and its fault.
func (es CSVErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ParseStudentsCSV reads the healthcare fee run's input: a header row, then
// one row per student and term. Columns are found by header name, in any
// order: person (also person_id, hetu, identity_code) with an identity code
// or an etuus person ID; term (2026S or 2026A); registered (the day the
// student registered as attending, as 2025-02-05 or 5.2.2025). Commas or,
// as spreadsheets in Finland write them, semicolons separate the fields.
//
// On any bad row it returns no rows and CSVErrors listing every bad row
// (up to MaxCSVErrors) with its line number: a fee run is all or nothing.
func ParseStudentsCSV(r io.Reader) ([]StudentTerm, error) {
	br := bufio.NewReader(r)
	cr := csv.NewReader(br)
	if first, _ := br.Peek(4096); delimiterIsSemicolon(first) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil, CSVErrors{{Line: 1, Key: "recovery.csv.empty"}}
	}
	if err != nil {
		return nil, CSVErrors{csvReadError(err)}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	idx := map[string]int{}
	for _, names := range [][]string{colPerson, colTerm, colRegistered} {
		idx[names[0]] = -1
		for i, h := range header {
			h = strings.ToLower(strings.TrimSpace(h))
			for _, n := range names {
				if h == n {
					idx[names[0]] = i
				}
			}
		}
	}
	var errs CSVErrors
	for _, names := range [][]string{colPerson, colTerm, colRegistered} {
		if idx[names[0]] < 0 {
			errs = append(errs, &CSVError{Line: 1, Column: names[0], Key: "recovery.csv.missing_column"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	type seenKey struct {
		person string
		term   Term
	}
	seen := map[seenKey]bool{}
	var rows []StudentTerm
	for len(errs) < MaxCSVErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, csvReadError(err))
			break
		}
		line, _ := cr.FieldPos(0)
		bad := func(col, key string, cause error) {
			errs = append(errs, &CSVError{Line: line, Column: col, Key: key, Err: cause})
		}
		cell := func(col string) (string, bool) {
			i := idx[col]
			if i >= len(rec) {
				bad(col, "recovery.csv.missing_column", nil)
				return "", false
			}
			v := strings.TrimSpace(rec[i])
			if v == "" {
				bad(col, "recovery.csv.missing_value", nil)
				return "", false
			}
			return v, true
		}
		st := StudentTerm{Line: line}
		ok := true
		if v, has := cell("person"); !has {
			ok = false
		} else if code, err := hetu.Parse(v); err == nil {
			st.HETU = code
		} else if looksLikeHETU(v) {
			bad("person", "recovery.csv.bad_identity_code", err)
			ok = false
		} else if !validPersonID(v) {
			bad("person", "recovery.csv.bad_person", nil)
			ok = false
		} else {
			st.PersonID = v
		}
		if v, has := cell("term"); !has {
			ok = false
		} else if st.Term, err = ParseTerm(v); err != nil {
			bad("term", "recovery.csv.bad_term", ErrTerm)
			ok = false
		}
		if v, has := cell("registered"); !has {
			ok = false
		} else if st.Registered, err = civil.Parse(v); err != nil {
			bad("registered", "recovery.csv.bad_date", civil.ErrInvalid)
			ok = false
		}
		if !ok {
			continue
		}
		k := seenKey{st.PersonID + st.HETU.String(), st.Term}
		if seen[k] {
			bad("", "recovery.csv.duplicate", nil)
			continue
		}
		seen[k] = true
		rows = append(rows, st)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func csvReadError(err error) *CSVError {
	e := &CSVError{Line: 1, Key: "recovery.csv.malformed", Err: err}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		e.Line, e.Err = pe.Line, pe.Err
	}
	return e
}

// delimiterIsSemicolon reports whether the header line uses semicolons.
func delimiterIsSemicolon(b []byte) bool {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return bytes.IndexByte(b, ';') >= 0 && bytes.IndexByte(b, ',') < 0
}

// looksLikeHETU reports whether s is shaped like an identity code (six
// digits, then a seventh character that is not a digit), so that a
// mistyped code is reported as one rather than as a bad person ID.
func looksLikeHETU(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := range 6 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s[6] < '0' || s[6] > '9'
}

// validPersonID accepts the text IDs etuus generates (UUIDs, ULIDs) and
// plain numbers: 1–64 letters, digits, '-' or '_'.
func validPersonID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// HealthcareFees creates the term fees for a run: one open HealthcareFee
// claim per student and term, for the term's fee, due on the term's due
// date moved to a banking day (see Rules.HealthcareDueFor). Claims have no
// ID, number or reference yet: the store assigns them.
//
// Every student needs a PersonID: callers look identity codes up first.
// Students without one are reported as CSVErrors (recovery.fee.person_unknown);
// a term the rule table has no fee or due date for is a
// recovery.rules.missing fault. Either way no claims are returned.
func HealthcareFees(students []StudentTerm, rules *Rules) ([]Claim, error) {
	var errs CSVErrors
	claims := make([]Claim, 0, len(students))
	for _, s := range students {
		if s.PersonID == "" {
			errs = append(errs, &CSVError{Line: s.Line, Column: "person", Key: "recovery.fee.person_unknown"})
			continue
		}
		fee, err := rules.HealthcareFeeFor(s.Term)
		if err != nil {
			return nil, err
		}
		due, err := rules.HealthcareDueFor(s.Term, s.Registered)
		if err != nil {
			return nil, err
		}
		claims = append(claims, Claim{
			PersonID:  s.PersonID,
			Kind:      HealthcareFee,
			Principal: fee,
			DueDate:   due,
			Status:    Open,
			Term:      s.Term,
		})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return claims, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
