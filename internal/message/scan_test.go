package message

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message/clamdtest"
)

// eicar is the anti-malware test file every scanner reports.
const eicar = clamdtest.EICAR

// fakeClamd is a clamd that speaks just enough of the protocol: it checks
// the zINSTREAM framing strictly and answers by what it was sent.
type fakeClamd struct {
	addr     string
	received chan []byte // what each scan streamed, reassembled
	chunks   chan int    // how many chunks each scan took
}

// startClamd serves on 127.0.0.1; answer decides the reply to a stream,
// and a nil answer makes a server that reads everything and never answers
// (and lets a client go away without sending anything).
func startClamd(t *testing.T, answer func(data []byte) string) *fakeClamd {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeClamd{addr: ln.Addr().String(), received: make(chan []byte, 10), chunks: make(chan int, 10)}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.serve(t, conn, answer)
		}
	}()
	return f
}

func (f *fakeClamd) serve(t *testing.T, conn net.Conn, answer func([]byte) string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	cmd := make([]byte, len("zINSTREAM\x00"))
	_, err := io.ReadFull(conn, cmd)
	if answer == nil && err == io.EOF {
		return // the client gave up before it sent anything
	}
	if err != nil || string(cmd) != "zINSTREAM\x00" {
		t.Errorf("clamd: command %q, %v", cmd, err)
		return
	}
	var data []byte
	chunks := 0
	for {
		var size [4]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			t.Errorf("clamd: chunk size: %v", err)
			return
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			break
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(conn, chunk); err != nil {
			t.Errorf("clamd: chunk of %d: %v", n, err)
			return
		}
		data = append(data, chunk...)
		chunks++
	}
	f.received <- data
	f.chunks <- chunks
	if answer == nil {
		_, _ = io.Copy(io.Discard, conn) // hang until the client gives up
		return
	}
	_, _ = io.WriteString(conn, answer(data)+"\x00")
}

func clamdVerdict(data []byte) string {
	if bytes.Contains(data, []byte("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")) {
		return "stream: Win.Test.EICAR_HDB-1 FOUND"
	}
	return "stream: OK"
}

func TestClamAV(t *testing.T) {
	clamd := startClamd(t, clamdVerdict)
	scanner := ClamAV{Network: "tcp", Address: clamd.addr, Timeout: 5 * time.Second}
	big := bytes.Repeat([]byte("%PDF-1.7 0123456789abcdef"), 10000) // 250,000 bytes: four chunks
	tests := []struct {
		name      string
		file      []byte
		clean     bool
		signature string
		chunks    int
	}{
		{"clean", head(pdfStart), true, "", 1},
		{"infected", []byte(eicar), false, "Win.Test.EICAR_HDB-1", 1},
		{"several chunks", big, true, "", 4},
		{"infected in a later chunk", append(bytes.Clone(big), eicar...), false, "Win.Test.EICAR_HDB-1", 4},
		{"empty", nil, true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean, sig, err := scanner.Scan(context.Background(), bytes.NewReader(tt.file))
			if err != nil || clean != tt.clean || sig != tt.signature {
				t.Fatalf("Scan = %v, %q, %v; want %v, %q", clean, sig, err, tt.clean, tt.signature)
			}
			if got := <-clamd.received; !bytes.Equal(got, tt.file) {
				t.Errorf("clamd received %d bytes; want the %d of the file", len(got), len(tt.file))
			}
			if got := <-clamd.chunks; got != tt.chunks {
				t.Errorf("sent in %d chunks; want %d", got, tt.chunks)
			}
		})
	}
}

func TestScanAttachment(t *testing.T) {
	clamd := startClamd(t, clamdVerdict)
	scanner := ClamAV{Network: "tcp", Address: clamd.addr, Timeout: 5 * time.Second}
	if err := ScanAttachment(context.Background(), scanner, "lasku.pdf", bytes.NewReader(pdfStart)); err != nil {
		t.Errorf("clean file: %v", err)
	}
	err := ScanAttachment(context.Background(), scanner, "../lasku.pdf", strings.NewReader(eicar))
	wantKey(t, err, "message.error.attachment_infected")
	if fault.DataOf(err)["Name"] != "lasku.pdf" {
		t.Errorf("data = %v; want the safe name", fault.DataOf(err))
	}
}

func TestClamAVCannotTell(t *testing.T) {
	t.Run("clamd hangs", func(t *testing.T) {
		clamd := startClamd(t, nil)
		scanner := ClamAV{Network: "tcp", Address: clamd.addr, Timeout: 200 * time.Millisecond}
		clean, _, err := scanner.Scan(context.Background(), bytes.NewReader(pdfStart))
		wantUnavailable(t, clean, err)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("err = %v; want a timeout", err)
		}
	})
	t.Run("context ends first", func(t *testing.T) {
		clamd := startClamd(t, nil)
		scanner := ClamAV{Network: "tcp", Address: clamd.addr, Timeout: time.Minute}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-clamd.received; cancel() }()
		clean, _, err := scanner.Scan(ctx, bytes.NewReader(pdfStart))
		wantUnavailable(t, clean, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v; want context.Canceled", err)
		}
	})
	t.Run("clamd is down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		clean, _, err := ClamAV{Network: "tcp", Address: addr, Timeout: time.Second}.Scan(context.Background(), bytes.NewReader(pdfStart))
		wantUnavailable(t, clean, err)
	})
	for name, reply := range map[string]string{
		"over clamd's size limit": "INSTREAM size limit exceeded. ERROR",
		"a scan error":            "stream: Can't allocate memory ERROR",
		"FOUND without a name":    "stream:  FOUND",
		"another command's reply": "PONG",
		"nothing":                 "",
	} {
		t.Run(name, func(t *testing.T) {
			clamd := startClamd(t, func([]byte) string { return reply })
			clean, _, err := ClamAV{Network: "tcp", Address: clamd.addr}.Scan(context.Background(), bytes.NewReader(pdfStart))
			wantUnavailable(t, clean, err)
		})
	}
	t.Run("the file cannot be read", func(t *testing.T) {
		clamd := startClamd(t, nil)
		broken := io.MultiReader(bytes.NewReader(pdfStart), iotestErrReader{})
		clean, _, err := ClamAV{Network: "tcp", Address: clamd.addr}.Scan(context.Background(), broken)
		if clean || !errors.Is(err, errBroken) || fault.Is(err, fault.Unavailable) {
			t.Errorf("Scan = %v, %v; want the reader's error, not an outage", clean, err)
		}
	})
}

var errBroken = errors.New("broken upload")

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errBroken }

func wantUnavailable(t *testing.T, clean bool, err error) {
	t.Helper()
	if clean || !fault.Is(err, fault.Unavailable) || fault.KeyOf(err) != "message.error.scan_unavailable" {
		t.Errorf("Scan = %v, %v; want not clean and unavailable", clean, err)
	}
}
