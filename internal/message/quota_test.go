package message_test

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// counts is what a refused message must leave as it was.
func counts(t *testing.T, db *store.DB) [4]int {
	t.Helper()
	var c [4]int
	for i, table := range []string{"thread_messages", "attachments", "attachment_blobs", "attachment_chunks"} {
		if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&c[i]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestAttachmentQuota: a customer's attachments together stay within the
// quota; a message over it is refused whole with the room left, staff are
// not counted, and two messages at once cannot both squeeze in.
func TestAttachmentQuota(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{Limits: message.Limits{QuotaBytes: 100}})
		th := send(t, s, maija, "First", pdf("a.pdf", strings.Repeat("a", 40))) // 49 bytes
		if left, err := s.UploadAllowance(ctx, maija); err != nil || left != 51 {
			t.Errorf("allowance = %d %v; want 51", left, err)
		}
		before := counts(t, db)
		_, err := s.Reply(ctx, maija, th.ID, "More", []message.Upload{pdf("b.pdf", strings.Repeat("b", 30)), pdf("c.pdf", strings.Repeat("c", 30))})
		if !fault.Is(err, fault.TooLarge) || fault.KeyOf(err) != "upload.error.quota" {
			t.Fatalf("over the quota: %v", err)
		}
		_, _, err = s.Send(ctx, maija, message.Draft{Lang: "fi", Subject: "recovery", Specification: "payment_plan",
			Title: "Again", Body: "x", Files: []message.Upload{pdf("d.pdf", strings.Repeat("d", 60))}})
		if fault.KeyOf(err) != "upload.error.quota" {
			t.Fatalf("new thread over the quota: %v", err)
		}
		if after := counts(t, db); after != before {
			t.Errorf("a refused message wrote rows: %v → %v", before, after)
		}
		// Text alone still goes; staff files are not the customer's.
		if _, err := s.Reply(ctx, maija, th.ID, "Text only", nil); err != nil {
			t.Error(err)
		}
		if _, err := s.Reply(ctx, anna, th.ID, "Decision", []message.Upload{pdf("decision.pdf", strings.Repeat("z", 90))}); err != nil {
			t.Error(err)
		}
		if left, _ := s.UploadAllowance(ctx, maija); left != 51 {
			t.Errorf("allowance after staff's file = %d", left)
		}
		if left, _ := s.UploadAllowance(ctx, anna); left != -1 {
			t.Errorf("staff allowance = %d; want none", left)
		}
		// Two replies of 40 bytes at once: only one fits in 51.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Reply(ctx, maija, th.ID, "Race", []message.Upload{pdf("r.pdf", strings.Repeat(string(rune('0'+i)), 31))})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if fault.KeyOf(err) != "upload.error.quota" {
				t.Errorf("race: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of two concurrent replies stored; want 1 (%v)", ok, errs)
		}
	})
}

// TestChunkedContent: a file larger than a chunk is stored in chunks and
// read back whole; a copy that no longer matches its hash stores nothing.
func TestChunkedContent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{})
		data := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789abcdef"), 50_000)...) // ~800 kB
		dir := t.TempDir()
		u, err := message.ReceiveUpload(dir, "big.pdf", bytes.NewReader(data), 1<<20, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer u.Discard()
		th := send(t, s, maija, "Big", u)
		var chunks int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM attachment_chunks`).Scan(&chunks); err != nil || chunks != 4 {
			t.Errorf("chunks = %d %v; want 4", chunks, err)
		}
		_, msgs, err := s.Thread(ctx, maija, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Attachment(ctx, maija, msgs[0].Attachments[0].ID)
		if err != nil || !bytes.Equal(f.Data, data) {
			t.Errorf("read back %d bytes %v; want %d", len(f.Data), err, len(data))
		}
		// The spooled copy changed after it was hashed.
		v, err := message.ReceiveUpload(dir, "v.pdf", bytes.NewReader(data[:1000]), 1<<20, -1)
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := v.Open()
		name := rc.(*os.File).Name()
		rc.Close()
		if err := os.WriteFile(name, append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 991)...), 0o600); err != nil {
			t.Fatal(err)
		}
		before := counts(t, db)
		if _, err := s.Reply(ctx, maija, th.ID, "Changed", []message.Upload{v}); err == nil {
			t.Error("a copy that does not match its hash was stored")
		}
		if after := counts(t, db); after != before {
			t.Errorf("rows written: %v → %v", before, after)
		}
		v.Discard()
		if _, err := os.Stat(name); !os.IsNotExist(err) {
			t.Errorf("Discard left %s: %v", name, err)
		}
		if left, err := dirEntries(dir); err != nil || left != 1 {
			t.Errorf("%d files left in the upload folder %v; want the first upload's only", left, err)
		}
	})
}

func dirEntries(dir string) (int, error) {
	es, err := os.ReadDir(dir)
	return len(es), err
}

// TestReceiveUpload: the size limit and the quota stop reading and leave
// no file.
func TestReceiveUpload(t *testing.T) {
	dir := t.TempDir()
	data := []byte("%PDF-1.7\n" + strings.Repeat("x", 2000))
	u, err := message.ReceiveUpload(dir, "a.pdf", bytes.NewReader(data), 1000, -1)
	if err != nil || u.Open != nil || u.Size != 1001 {
		t.Errorf("over the size limit: %+v %v", u, err)
	}
	r := &countingReader{r: bytes.NewReader(data)}
	if _, err := message.ReceiveUpload(dir, "a.pdf", r, 1<<20, 500); fault.KeyOf(err) != "upload.error.quota" || r.n > 501 {
		t.Errorf("over the quota: %v after %d bytes", err, r.n)
	}
	if n, _ := dirEntries(dir); n != 0 {
		t.Errorf("%d files left", n)
	}
	u, err = message.ReceiveUpload(dir, "a.pdf", bytes.NewReader(data), 1<<20, 5000)
	if err != nil || u.Size != int64(len(data)) || len(u.Head) != 512 || u.SHA256 != message.NewUpload("a.pdf", data).SHA256 {
		t.Fatalf("received %+v %v", u, err)
	}
	rc, _ := u.Open()
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Error("the copy differs")
	}
	u.Discard()
	if n, _ := dirEntries(dir); n != 0 {
		t.Errorf("%d files left after Discard", n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
