package mandate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// Op is what a feed line does.
type Op string

// The feed's operations.
const (
	Put    Op = "put"    // add the mandate, or change it to this content
	Revoke Op = "revoke" // revoke the mandate (only the id is needed)
)

// Line is one parsed line of a feed (docs/mandate-feed.md).
type Line struct {
	Op      Op
	Mandate Mandate
	// Names are organisation names the line gives, by business ID.
	Names map[string]string
}

type feedParty struct {
	Kind PartyKind `json:"kind"`
	ID   string    `json:"id"`
	Name string    `json:"name,omitempty"`
}

type feedLine struct {
	ID          string     `json:"id"`
	Op          Op         `json:"op,omitempty"`
	Principal   *feedParty `json:"principal,omitempty"`
	Agent       *feedParty `json:"agent,omitempty"`
	Type        Type       `json:"type,omitempty"`
	Issues      []string   `json:"issues,omitempty"`
	Start       string     `json:"start,omitempty"`
	End         string     `json:"end,omitempty"`
	Restriction []string   `json:"restriction,omitempty"`
}

// MaxLine is the longest feed line read (a restriction specifier list of a
// few thousand business IDs fits).
const MaxLine = 1 << 20

// ParseLine reads one feed line: a JSON object with no unknown fields. A
// line that breaks a rule is refused with the reason's translation key.
func (c *Catalogue) ParseLine(b []byte) (Line, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f feedLine
	if err := dec.Decode(&f); err != nil {
		return Line{}, fault.Wrap(fault.Invalid, "mandate.error.json", err)
	}
	if dec.More() {
		return Line{}, fault.New(fault.Invalid, "mandate.error.json")
	}
	if f.Op == "" {
		f.Op = Put
	}
	if f.ID == "" || len(f.ID) > 64 || strings.TrimSpace(f.ID) != f.ID {
		return Line{}, fault.InvalidField("id", "mandate.error.id", nil)
	}
	switch f.Op {
	case Revoke:
		if f.Principal != nil || f.Agent != nil || f.Type != "" || f.Issues != nil || f.Start != "" || f.End != "" || f.Restriction != nil {
			return Line{}, fault.InvalidField("op", "mandate.error.revoke_fields", nil)
		}
		return Line{Op: Revoke, Mandate: Mandate{ID: f.ID, Revoked: true}}, nil
	case Put:
	default:
		return Line{}, fault.InvalidField("op", "mandate.error.op", nil)
	}
	if f.Principal == nil || f.Agent == nil {
		return Line{}, fault.InvalidField("principal", "mandate.error.parties", nil)
	}
	start, err1 := civil.ParseISO(f.Start)
	end, err2 := civil.ParseISO(f.End)
	if err := errors.Join(err1, err2); err != nil {
		return Line{}, fault.Wrap(fault.Invalid, "mandate.error.dates", err)
	}
	m, err := c.Check(Mandate{ID: f.ID, Principal: Party{f.Principal.Kind, f.Principal.ID}, Agent: Party{f.Agent.Kind, f.Agent.ID},
		Type: f.Type, Issues: f.Issues, Start: start, End: end, Restriction: f.Restriction})
	if err != nil {
		return Line{}, err
	}
	l := Line{Op: Put, Mandate: m}
	for _, p := range []struct {
		fp    *feedParty
		canon Party
	}{{f.Principal, m.Principal}, {f.Agent, m.Agent}} {
		switch {
		case p.fp.Name == "":
		case p.canon.Kind != Organisation:
			// The register's feed names no persons: etuus keeps none.
			return Line{}, fault.InvalidField("name", "mandate.error.person_name", nil)
		case len(p.fp.Name) > 200:
			return Line{}, fault.InvalidField("name", "mandate.error.name", nil)
		default:
			if l.Names == nil {
				l.Names = map[string]string{}
			}
			l.Names[p.canon.ID] = strings.TrimSpace(p.fp.Name)
		}
	}
	return l, nil
}

// Hash is a digest of a mandate's content: a feed line that changes
// nothing leaves the stored mandate as it is.
func Hash(m Mandate) string {
	b, _ := json.Marshal(struct {
		P, A Party
		T    Type
		I    []string
		S, E civil.Date
		R    []string
		X    bool
	}{m.Principal, m.Agent, m.Type, m.Issues, m.Start, m.End, m.Restriction, m.Revoked})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// LineError is a feed refused at a line: its number (from 1) and the
// reason's translation key.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return "line " + itoa(e.Line) + ": " + e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// ScanFeed reads a feed line by line, calling fn for each parsed line with
// its number; blank lines are skipped. The first bad line stops it with a
// *LineError inside a fault.Invalid whose data names the line and reason.
func (c *Catalogue) ScanFeed(r io.Reader, fn func(n int, l Line) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, err := c.ParseLine(b)
		if err != nil {
			return lineFault(n, err)
		}
		if err := fn(n, l); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return lineFault(n+1, fault.New(fault.Invalid, "mandate.error.line_too_long"))
		}
		return err
	}
	return nil
}

// lineFault is a refusal of a feed at a line, translated as "line N: reason".
func lineFault(n int, err error) error {
	return &fault.Error{Kind: fault.Invalid, Key: "mandate.error.feed_line",
		Data: map[string]any{"Line": n, "Reason": fault.KeyOf(err), "Detail": fault.DataOf(err)}, Err: &LineError{Line: n, Err: err}}
}

// EncodeLine writes a mandate as a feed line (a revocation when it is
// revoked), naming its organisation parties when names are given: the
// feed the demo data and the benchmarks write.
func EncodeLine(m Mandate, principalName, agentName string) []byte {
	if m.Revoked {
		b, _ := json.Marshal(feedLine{ID: m.ID, Op: Revoke})
		return b
	}
	b, _ := json.Marshal(feedLine{ID: m.ID, Principal: &feedParty{m.Principal.Kind, m.Principal.ID, principalName},
		Agent: &feedParty{m.Agent.Kind, m.Agent.ID, agentName}, Type: m.Type, Issues: m.Issues,
		Start: m.Start.String(), End: m.End.String(), Restriction: m.Restriction})
	return b
}
