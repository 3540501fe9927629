// Package audit is the append-only, hash-chained record of who did what to
// whose data.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Actor kinds.
const (
	ActorSystem   = "system"
	ActorCustomer = "customer"
	ActorStaff    = "staff"
	ActorAnon     = "anonymous"
)

// Entry is one line of the audit log. It never holds an identity code or a
// name: the subject is the customer's internal ID.
type Entry struct {
	Seq       int64
	At        time.Time
	ActorKind string
	ActorID   string
	Action    string // e.g. "signin", "staff.view_customer"
	SubjectID string // the customer whose data was touched, if any
	Object    string // what was touched, e.g. "claim:0191…"
	Detail    string // free text without personal data
	PrevHash  string
	Hash      string
	// KeyID names the key the hash was keyed with (SumKeyed); empty for
	// a plain SHA-256 (Sum), as entries written before a key was set are.
	KeyID string
	// Subjects are the customers a view showed (View): the store lists
	// them beside the chain, and Detail carries their digest, which the
	// hash covers.
	Subjects []string
}

// ViewPrefix starts the Object of a view entry: "view:" and the view's ID,
// under which the store lists the customers shown.
const ViewPrefix = "view:"

// View is the one entry that records a staff member's (or a job's) view
// of many customers at once — a queue page, a search — instead of an entry
// per customer: the chain gets one link per view, the customers are listed
// beside it, and the entry's Detail is their count and digest.
func View(actorKind, actorID, action string, subjects []string) Entry {
	ids := SortedSubjects(subjects)
	return Entry{ActorKind: actorKind, ActorID: actorID, Action: action, Subjects: ids, Detail: SubjectsDigest(ids)}
}

// SortedSubjects is a view's customers as its entry lists them: sorted
// (bytewise), each once, no empty ID.
func SortedSubjects(subjects []string) []string {
	ids := slices.Compact(slices.Sorted(slices.Values(subjects)))
	if len(ids) > 0 && ids[0] == "" {
		ids = ids[1:]
	}
	return ids
}

// SubjectsKey names a list of customers sorted as SortedSubjects gives
// them: the hex SHA-256 of the IDs, as in SubjectsDigest. The store keeps
// each list once under it.
func SubjectsKey(sortedIDs []string) string {
	h := sha256.Sum256([]byte(strings.Join(sortedIDs, "\n")))
	return hex.EncodeToString(h[:])
}

// SubjectsDigest is a view's Detail: how many customers it showed and the
// SHA-256 of their sorted IDs.
func SubjectsDigest(sortedIDs []string) string {
	return fmt.Sprintf("customers=%d sha256=%s", len(sortedIDs), SubjectsKey(sortedIDs))
}

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Sum computes the entry's hash from its fields and the previous hash. Each
// field is length-prefixed, so no two different entries hash alike by moving
// text from one field to the next.
func Sum(e Entry) string {
	h := sha256.Sum256([]byte(canonical(e)))
	return hex.EncodeToString(h[:])
}

// canonical is the text an entry's hash covers.
func canonical(e Entry) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte('\n')
	}
	field(e.PrevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.ActorKind)
	field(e.ActorID)
	field(e.Action)
	field(e.SubjectID)
	field(e.Object)
	field(e.Detail)
	return b.String()
}

// Store keeps the audit log.
type Store interface {
	// Append adds entries at the end of the chain, setting their Seq, At,
	// PrevHash and Hash.
	Append(ctx context.Context, e ...Entry) error
	// Scan calls fn for every entry in order; it stops at fn's first error.
	Scan(ctx context.Context, fn func(Entry) error) error
}

// BrokenError names the first entry where the chain does not hold.
type BrokenError struct {
	Seq    int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", e.Seq, e.Reason)
}

// ViewStore is a Store that keeps, beside the chain, what each view entry
// (ViewPrefix) showed.
type ViewStore interface {
	Store
	// View is the view's record; found is false when there is none.
	View(ctx context.Context, viewID string) (v ViewRecord, found bool, err error)
	// ViewCount is how many view records are kept.
	ViewCount(ctx context.Context) (int64, error)
}

// ViewRecord is a view as kept beside the chain: its time, actor and
// action (as in its entry) and the customers it showed, sorted.
type ViewRecord struct {
	At                         time.Time
	ActorKind, ActorID, Action string
	Subjects                   []string
}

// Verify walks the whole log and returns how many entries it checked, and a
// *BrokenError for the first entry that was changed, removed or inserted.
// On a ViewStore it also checks each view's record beside the chain: its
// time, actor and action are the entry's, its listed customers match the
// digest the entry carries, and no record is there that no entry names. Keyed entries are checked with the key
// they name, which must be among keys; once an entry is keyed, a plain one
// after it is refused (a forger without the key would write plain ones).
func Verify(ctx context.Context, s Store, keys ...Key) (int64, error) {
	vs, _ := s.(ViewStore)
	byID := map[string]Key{}
	for _, k := range keys {
		byID[k.ID] = k
	}
	keyed := false
	var n, views, keptBefore int64
	if vs != nil {
		var err error
		if keptBefore, err = vs.ViewCount(ctx); err != nil {
			return 0, err
		}
	}
	prev := Genesis
	want := int64(1)
	err := s.Scan(ctx, func(e Entry) error {
		switch {
		case e.Seq > want:
			return &BrokenError{Seq: want, Reason: fmt.Sprintf("missing: next entry present is %d", e.Seq)}
		case e.Seq < want:
			return &BrokenError{Seq: e.Seq, Reason: "out of order or duplicated"}
		case e.PrevHash != prev:
			return &BrokenError{Seq: e.Seq, Reason: "previous hash does not match the entry before it"}
		case e.KeyID == "" && keyed:
			return &BrokenError{Seq: e.Seq, Reason: "an entry without the key after keyed entries"}
		case e.KeyID == "" && Sum(e) != e.Hash:
			return &BrokenError{Seq: e.Seq, Reason: "content does not match its hash"}
		case e.KeyID != "":
			k, ok := byID[e.KeyID]
			if !ok {
				return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("hashed with key %s, which was not given (a wrong or missing audit key)", e.KeyID)}
			}
			if SumKeyed(k, e) != e.Hash {
				return &BrokenError{Seq: e.Seq, Reason: "content does not match its keyed hash"}
			}
			keyed = true
		}
		if id, ok := strings.CutPrefix(e.Object, ViewPrefix); ok && vs != nil {
			v, found, err := vs.View(ctx, id)
			switch {
			case err != nil:
				return err
			case !found:
				return &BrokenError{Seq: e.Seq, Reason: "the view's record is missing"}
			case v.ActorKind != e.ActorKind || v.ActorID != e.ActorID || v.Action != e.Action || !v.At.Equal(e.At):
				return &BrokenError{Seq: e.Seq, Reason: "the view's record (time, actor or action) does not match its entry"}
			case SubjectsDigest(v.Subjects) != e.Detail:
				return &BrokenError{Seq: e.Seq, Reason: "the customers listed for the view do not match its digest"}
			}
			views++
		}
		prev = e.Hash
		want++
		n++
		return nil
	})
	// More view records than entries naming a view: records were added
	// beside the chain. They are counted before the walk, so that views
	// committed while it runs (their entries in the walk) raise no alarm;
	// so many records would go unseen as views are added meanwhile.
	if err == nil && vs != nil && keptBefore > views {
		return n, &BrokenError{Seq: n + 1, Reason: fmt.Sprintf("%d view records were kept and %d entries name a view: records without an entry", keptBefore, views)}
	}
	return n, err
}
