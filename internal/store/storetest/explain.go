package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/store"
)

// Scan is a plan node that reads a whole table: a sequential scan, or an
// index scan with no index condition, which reads the whole index.
type Scan struct {
	Node     string // "Seq Scan", "Index Scan", "Index Only Scan"
	Relation string
	Index    string // for an index scan
	Filter   string // the condition applied to every row read, if any
	Rows     float64
}

func (s Scan) String() string {
	var b strings.Builder
	b.WriteString(s.Node + " on " + s.Relation)
	if s.Index != "" {
		b.WriteString(" using " + s.Index + " (no index condition)")
	}
	if s.Filter != "" {
		b.WriteString(" filter " + s.Filter)
	}
	fmt.Fprintf(&b, " (~%.0f rows)", s.Rows)
	return b.String()
}

// WholeTableScans explains query with args on PostgreSQL (EXPLAIN (FORMAT
// JSON), planned for those arguments) and returns the nodes of its plan
// that read the whole of one of tables. The plan is made with sequential
// scans, hash joins and merge joins discouraged, as a planner would for big
// tables, so that a small test database answers like a big one: a whole
// table read left in the plan means no index can serve the query,
// whatever the table's size. It fails the test on SQLite, or when the
// query cannot be explained.
func WholeTableScans(t testing.TB, db *store.DB, tables []string, query string, args ...any) []Scan {
	t.Helper()
	if db.Dialect() != "postgres" {
		t.Fatal("WholeTableScans needs PostgreSQL")
	}
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, setting := range []string{"enable_seqscan", "enable_hashjoin", "enable_mergejoin"} {
		if _, err := tx.ExecContext(ctx, `SET LOCAL `+setting+` = off`); err != nil {
			t.Fatal(err)
		}
	}
	var out string
	if err := tx.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) `+query, args...).Scan(&out); err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatalf("explain output: %v", err)
	}
	var scans []Scan
	for _, p := range plans {
		p.Plan.walk(false, func(n *planNode, limited bool) {
			if !slices.Contains(tables, n.Relation) {
				return
			}
			switch {
			case n.Type == "Seq Scan":
			// An index read in its order up to a LIMIT, keeping every row
			// (the newest audit entry), reads only what it returns.
			case (n.Type == "Index Scan" || n.Type == "Index Only Scan") && n.IndexCond == "" && !(limited && n.Filter == ""):
			default:
				return
			}
			scans = append(scans, Scan{Node: n.Type, Relation: n.Relation, Index: n.Index, Filter: n.Filter, Rows: n.Rows})
		})
	}
	return scans
}

type planNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	Rows      float64    `json:"Plan Rows"`
	Plans     []planNode `json:"Plans"`
}

// walk calls fn for n and every node below it; limited says a Limit node
// is n's parent.
func (n *planNode) walk(limited bool, fn func(n *planNode, limited bool)) {
	fn(n, limited)
	for i := range n.Plans {
		n.Plans[i].walk(n.Type == "Limit", fn)
	}
}
