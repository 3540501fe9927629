package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
)

// envHelper carries "SQLite file|sink address" to the worker process the
// kill test starts.
const envHelper = "ETUUS_OUTBOX_HELPER"

// helperConns is how many e-mails the killed worker has in flight at once:
// each may have reached the server unmarked when the kill comes.
const helperConns = 4

// killLease is short so that the fresh worker soon takes over what the
// killed one held.
const killLease = 2 * time.Second

// TestHelperWorkerProcess is not a test: it is the worker process that
// TestWorkerKilledMidBurst starts and kills.
func TestHelperWorkerProcess(t *testing.T) {
	arg := os.Getenv(envHelper)
	if arg == "" {
		return
	}
	path, addr, _ := strings.Cut(arg, "|")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	w := &outbox.Worker{Store: db, Email: smtpFor(t, addr), Render: render, Name: "doomed", Conns: helperConns,
		Lease: killLease, Poll: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	w.Run(context.Background()) // until killed
}

// openFile opens and migrates an SQLite file that two processes share.
func openFile(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestWorkerKilledMidBurst(t *testing.T) {
	const n = 3000
	path := filepath.Join(t.TempDir(), "etuus.db")
	db := openFile(t, path)
	s, _ := startSink(t)

	child := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$")
	child.Env = append(os.Environ(), envHelper+"="+path+"|"+s.Addr())
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	t.Cleanup(func() { child.Process.Kill(); <-exited })

	// Notices arrive while the child sends; it is killed with about a third
	// of them taken, and the rest keep arriving.
	var (
		mu  sync.Mutex
		ids = map[string]bool{}
		wg  sync.WaitGroup
	)
	wg.Go(func() {
		for i := range n {
			it := outbox.Item{Channel: outbox.Email, Recipient: fmt.Sprintf("k%d@example.fi", i), Lang: "fi", Kind: message.NoticeNewMessage}
			if err := db.Enqueue(context.Background(), &it); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids["<"+it.MessageID+">"] = true
			mu.Unlock()
		}
	})
	if _, err := s.WaitFor(timeout(t), n/3); err != nil {
		t.Fatalf("the child did not send: %v", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatal("the child was done before the kill")
	}
	exited <- nil
	atKill := len(s.Messages())
	wg.Wait()
	if t.Failed() {
		return
	}

	// A fresh worker sends the rest, and what the dead one held once its
	// lease runs out.
	run(t, &outbox.Worker{Store: db, Email: smtpFor(t, s.Addr()), Render: render, Name: "fresh", Lease: killLease,
		Poll: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	eventually(t, "every notice marked sent", func() bool { return stats(t, db)[outbox.Sent] == n })

	got := map[string]int{}
	for _, m := range s.Messages() {
		got[m.Header.Get("Message-Id")]++
	}
	lost, repeats := 0, 0
	for id := range ids {
		if got[id] == 0 {
			lost++
		}
	}
	for id, c := range got {
		if !ids[id] {
			t.Errorf("a message arrived under the unknown Message-ID %s", id)
		}
		repeats += c - 1
	}
	t.Logf("%d notices; %d arrived before the kill; %d distinct Message-IDs arrived, %d lost, %d repeats of a Message-ID", n, atKill, len(got), lost, repeats)
	if lost > 0 || len(got) != n {
		t.Errorf("%d notices lost; %d distinct Message-IDs arrived, want %d", lost, len(got), n)
	}
	// Only a message the server took and the dead worker had not yet
	// marked can come again: one per connection at most.
	if repeats > helperConns {
		t.Errorf("%d repeats; the killed worker had at most %d connections open", repeats, helperConns)
	}
}
