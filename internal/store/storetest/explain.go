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

// Read is a plan node whose work grows with a table, not with what the
// query returns: a sequential scan, an index scan with no index condition
// (it reads the whole index; a bitmap heap scan over such an index scan
// too), or a sort that a LIMIT takes the first rows
// of (every matching row is read and sorted to return a few). A table read
// below such a sort through a LIMIT of its own (a LATERAL subquery's: at
// most that many rows per row of the outer side) does not make the sort
// grow with it; it is named in PerRow, not in Relation, and a sort with no
// other growing table below it is not a Read.
type Read struct {
	Node     string // "Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan" or "Sort"
	Relation string // the table; for a sort, the growing tables below it
	PerRow   string // for a sort, the growing tables below it read up to a LIMIT per outer row
	Index    string // for an index scan
	Filter   string // the condition applied to every row read, if any
	SortKey  string // for a sort
	Rows     float64
}

func (r Read) String() string {
	var b strings.Builder
	if r.Node == "Sort" {
		b.WriteString("Sort for LIMIT by " + r.SortKey + " over " + r.Relation)
		if r.PerRow != "" {
			b.WriteString(" (and a LIMIT of " + r.PerRow + " per row)")
		}
	} else {
		b.WriteString(r.Node + " on " + r.Relation)
	}
	if r.Index != "" {
		b.WriteString(" using " + r.Index + " (no index condition)")
	}
	if r.Filter != "" {
		b.WriteString(" filter " + r.Filter)
	}
	fmt.Fprintf(&b, " (~%.0f rows)", r.Rows)
	return b.String()
}

// GrowingReads explains query with args on PostgreSQL (EXPLAIN (FORMAT
// JSON), planned for those arguments) and returns the nodes of its plan
// whose work grows with one of tables (see Read). The plan is made with
// sequential scans, hash joins and merge joins discouraged, as a planner
// would for big tables, so that a small test database answers like a big
// one: such a node left in the plan means no index serves the query,
// whatever the tables' size. It fails the test on SQLite, or when the
// query cannot be explained.
func GrowingReads(t testing.TB, db *store.DB, tables []string, query string, args ...any) []Read {
	t.Helper()
	return growingReads(t, db, true, tables, query, args...)
}

// PlannedReads is GrowingReads with the planner's settings as they are:
// on a database as big as the one to be served (a benchmark's), the plan
// PostgreSQL would run.
func PlannedReads(t testing.TB, db *store.DB, tables []string, query string, args ...any) []Read {
	t.Helper()
	return growingReads(t, db, false, tables, query, args...)
}

func growingReads(t testing.TB, db *store.DB, discourage bool, tables []string, query string, args ...any) []Read {
	t.Helper()
	if db.Dialect() != "postgres" {
		t.Fatal("GrowingReads needs PostgreSQL")
	}
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, setting := range []string{"enable_seqscan", "enable_hashjoin", "enable_mergejoin", "enable_sort"} {
		if !discourage {
			break
		}
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
	var reads []Read
	for _, p := range plans {
		p.Plan.walk(nil, func(n *planNode, up []*planNode) {
			limited := slices.ContainsFunc(up, func(a *planNode) bool { return a.Type == "Limit" })
			switch {
			case n.Type == "Sort" && limited:
				var below, perRow []string
				n.walk(nil, func(m *planNode, under []*planNode) {
					if !slices.Contains(tables, m.Relation) {
						return
					}
					if slices.ContainsFunc(under, func(a *planNode) bool { return a.Type == "Limit" }) {
						if !slices.Contains(perRow, m.Relation) {
							perRow = append(perRow, m.Relation)
						}
					} else if !slices.Contains(below, m.Relation) {
						below = append(below, m.Relation)
					}
				})
				if len(below) > 0 {
					reads = append(reads, Read{Node: n.Type, Relation: strings.Join(below, ", "), PerRow: strings.Join(perRow, ", "),
						SortKey: strings.Join(n.SortKey, ", "), Rows: n.Rows})
				}
				return
			case !slices.Contains(tables, n.Relation):
				return
			case n.Type == "Seq Scan":
			// A bitmap scan of an index with no condition on it (a partial
			// index whose predicate the query implies, read whole).
			case n.Type == "Bitmap Heap Scan" && slices.ContainsFunc(n.Plans, func(m planNode) bool {
				return m.Type == "Bitmap Index Scan" && m.IndexCond == ""
			}):
				for _, m := range n.Plans {
					if m.Type == "Bitmap Index Scan" && m.IndexCond == "" {
						n.Index = m.Index
					}
				}
			// An index read in its order up to a LIMIT, keeping every row
			// (the newest audit entry), reads only what it returns.
			case (n.Type == "Index Scan" || n.Type == "Index Only Scan") && n.IndexCond == "" &&
				!(n.Filter == "" && drivesLimit(n, up)):
			default:
				return
			}
			reads = append(reads, Read{Node: n.Type, Relation: n.Relation, Index: n.Index, Filter: n.Filter, Rows: n.Rows})
		})
	}
	return reads
}

// drivesLimit reports whether n feeds a LIMIT row by row: the LIMIT is its
// parent, or stands above nested loops whose outer (first) input n is, so
// the scan stops when the LIMIT has its rows.
func drivesLimit(n *planNode, up []*planNode) bool {
	child := n
	for i := len(up) - 1; i >= 0; i-- {
		switch p := up[i]; {
		case p.Type == "Limit":
			return true
		case p.Type == "Nested Loop" && len(p.Plans) > 0 && &p.Plans[0] == child:
			child = p
		default:
			return false
		}
	}
	return false
}

type planNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	SortKey   []string   `json:"Sort Key"`
	Rows      float64    `json:"Plan Rows"`
	Plans     []planNode `json:"Plans"`
}

// walk calls fn for n and every node below it, each with its ancestors.
func (n *planNode) walk(up []*planNode, fn func(n *planNode, up []*planNode)) {
	fn(n, up)
	up = append(up, n)
	for i := range n.Plans {
		n.Plans[i].walk(up, fn)
	}
}

// SQLitePlan is SQLite's EXPLAIN QUERY PLAN of query with args, its lines'
// details joined with "; " (e.g. "SEARCH claims USING INDEX …").
func SQLitePlan(t testing.TB, db *store.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
