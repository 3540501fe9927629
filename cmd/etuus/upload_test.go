package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store/storetest"
)

// pdfFiller is filler bytes made as they are read: the rest of an upload
// of any size, without holding it.
type pdfFiller struct{ left int64 }

func (p *pdfFiller) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = 'x'
	}
	p.left -= n
	return int(n), nil
}

// streamForm is a message form with files of size bytes each, written as
// the server reads it. Before the first file's bytes it waits on hold
// (when not nil).
func streamForm(form url.Values, files int, size int64, hold <-chan struct{}) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, vs := range form {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		for i := range files {
			w, err := mw.CreateFormFile("attachments", "file"+strconv.Itoa(i)+".pdf")
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := io.WriteString(w, "%PDF-1.7\n"); err != nil {
				pw.CloseWithError(err)
				return
			}
			if hold != nil && i == 0 {
				<-hold
			}
			if _, err := io.Copy(w, &pdfFiller{left: size - 9}); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

func messageForm() url.Values {
	return url.Values{"topic": {"recovery.payment_plan"}, "title": {"Payslips"}, "body": {"Here they are."},
		"allow": {"no"}, "channel": {"none"}}
}

// sendStream posts a streamed message form and returns the status and page.
func (e *running) sendStream(c *http.Client, files int, size int64, hold <-chan struct{}) (int, string, error) {
	body, ct := streamForm(messageForm(), files, size, hold)
	req, _ := http.NewRequest(http.MethodPost, e.base+"/my/messages", body)
	req.Header.Set("Content-Type", ct)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// uploadFiles lists the temporary files of uploads being received.
func (e *running) uploadFiles() []string {
	names, _ := filepath.Glob(filepath.Join(e.app.cfg.Data, "uploads", "etuus-upload-*"))
	return names
}

// TestUploadLimits, on SQLite and PostgreSQL: a third message with
// attachments while a person's two are still arriving is refused with a
// translated 429; a message over the person's quota is refused with the
// room left and stores nothing; no temporary file outlives its request.
func TestUploadLimits(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			e := startApp(t, func(c *config) {
				c.AttachQuotaMB = 1
				if db == "postgres" {
					c.DB, c.Demo, c.TestIDP, c.DevSMTP, c.DevSMS = storetest.PostgresURL(t), "true", "true", "true", "true"
				}
			})
			maija := browser()
			english(e, maija)
			e.signIn(maija, "test-citizen", "demo-person-maija")

			hold := make(chan struct{})
			type result struct {
				status int
				err    error
			}
			results := make(chan result, 2)
			for range 2 {
				go func() {
					status, _, err := e.sendStream(maija, 1, 300<<10, hold)
					results <- result{status, err}
				}()
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(e.uploadFiles()) < 2 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := len(e.uploadFiles()); n != 2 {
				t.Fatalf("%d uploads arriving; want 2", n)
			}
			status, page, err := e.sendStream(maija, 1, 1000, nil)
			if err != nil || status != http.StatusTooManyRequests || !strings.Contains(page, "already sending other messages") {
				t.Errorf("third upload at once = %d %v; want 429 with the reason\n%s", status, err, page)
			}
			// Another person is not held up by Maija's uploads.
			matti := browser()
			english(e, matti)
			e.signIn(matti, "test-citizen", "demo-person-matti")
			if status, _, err := e.sendStream(matti, 1, 1000, nil); err != nil || status != http.StatusOK {
				t.Errorf("another person's upload = %d %v", status, err)
			}
			close(hold)
			for range 2 {
				if r := <-results; r.err != nil || r.status != http.StatusOK {
					t.Errorf("held upload = %d %v; want it sent", r.status, r.err)
				}
			}
			// 600 KiB sent of 1 MiB: 500 KiB more is over the quota.
			var threads int
			count := func() int {
				if err := e.db().SQL().QueryRow(`SELECT count(*) FROM threads`).Scan(&threads); err != nil {
					t.Fatal(err)
				}
				return threads
			}
			before := count()
			status, page, err = e.sendStream(maija, 1, 500<<10, nil)
			if err != nil || status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "You can still send 0 MB") {
				t.Errorf("over the quota = %d %v; want 413 with the room left\n%s", status, err, page)
			}
			if count() != before {
				t.Error("a message over the quota was stored")
			}
			if left := e.uploadFiles(); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// vm reads a line of /proc/self/status in kB (VmRSS, VmHWM).
func vm(tb testing.TB, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status: ", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// BenchmarkUploadMemory sends 8 messages of 5 × 10 MiB attachments (50 MiB
// each) at once, from four demo people (two each, their limit), to the
// whole server over HTTP, and reports the process's peak resident memory
// during the uploads (VmHWM, reset through /proc/self/clear_refs before
// each round, the highest of all rounds) and after start-up and sign-in,
// before any upload (VmRSS). The server runs in the benchmark's own
// process, so the figure is the server's and the clients' together; the
// clients make their bodies as they are sent. ETUUS_E2E_POSTGRES=1 runs
// it on PostgreSQL.
func BenchmarkUploadMemory(b *testing.B) {
	e := startApp(b, func(c *config) { c.LogLevel, c.AccessLog = "warn", false })
	people := []string{"demo-person-maija", "demo-person-matti", "demo-person-sanna", "demo-person-johan"}
	clients := make([]*http.Client, len(people))
	for i, p := range people {
		clients[i] = browser()
		e.signIn(clients[i], "test-citizen", p)
	}
	const uploads, files, size = 8, 5, 10 << 20
	runtime.GC()
	before := vm(b, "VmRSS")
	var peak int64
	for b.Loop() {
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Skip("cannot reset the peak RSS: ", err)
		}
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, uploads)
		for i := range uploads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _, err := e.sendStream(clients[i%len(clients)], files, size, nil)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d", status)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		peak = max(peak, vm(b, "VmHWM"))
		b.ReportMetric(float64(before)/1024, "MB-RSS-before")
		b.ReportMetric(float64(peak)/1024, "MB-peak-RSS")
		b.ReportMetric(float64(uploads*files*size)/(1<<20)/took.Seconds(), "MiB/s")
		// Each person's quota: start again with their attachments gone.
		for _, q := range []string{`DELETE FROM attachments`, `DELETE FROM attachment_chunks`, `DELETE FROM attachment_blobs`} {
			if _, err := e.db().SQL().Exec(q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRemoveStaleUploads: start-up removes the upload files a stopped
// process left over an hour ago, and no other file.
func TestRemoveStaleUploads(t *testing.T) {
	dir := t.TempDir()
	old, fresh, other := filepath.Join(dir, "etuus-upload-1"), filepath.Join(dir, "etuus-upload-2"), filepath.Join(dir, "keep")
	for _, name := range []string{old, fresh, other} {
		if err := os.WriteFile(name, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, long, long)
	os.Chtimes(other, long, long)
	removeStaleUploads(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for name, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(name); (err == nil) != want {
			t.Errorf("%s kept = %v; want %v", filepath.Base(name), err == nil, want)
		}
	}
}
