package message

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
)

// fakeMalware stands in for a virus: the test database names it as one,
// by its content wherever it appears, so it is also found inside a larger
// file.
const fakeMalware = "etuus test malware: harmless bytes that the test signature database calls a virus"

// Signature names in the test database. clamd appends ".UNOFFICIAL" to
// names from databases that are not ClamAV's own signed ones.
const (
	eicarSignature   = "Etuus.Test.EICAR"
	malwareSignature = "Etuus.Test.Malware"
)

// TestClamdDaemon runs the real clamd, with a signature database of its
// own instead of ClamAV's downloaded one, to check that ClamAV speaks the
// protocol the daemon actually speaks: the fake in scan_test.go only
// speaks it as we read it.
func TestClamdDaemon(t *testing.T) {
	clamd := startRealClamd(t)
	scanner := ClamAV{Network: "unix", Address: clamd.socket, Timeout: 10 * time.Second}
	big := bytes.Repeat([]byte("%PDF-1.7 0123456789abcdef"), 10000) // 250,000 bytes: four chunks
	tests := []struct {
		name      string
		file      []byte
		signature string // "" when clean
	}{
		{"clean PDF", head(pdfStart), ""},
		{"clean in several chunks", big, ""},
		{"empty", nil, ""},
		{"EICAR", []byte(eicar), eicarSignature},
		{"malware", []byte(fakeMalware), malwareSignature},
		{"malware in a later chunk", append(bytes.Clone(big), fakeMalware...), malwareSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean, sig, err := scanner.Scan(context.Background(), bytes.NewReader(tt.file))
			if err != nil || clean != (tt.signature == "") || strings.TrimSuffix(sig, ".UNOFFICIAL") != tt.signature {
				t.Errorf("Scan = %v, %q, %v; want clean %v, signature %q", clean, sig, err, tt.signature == "", tt.signature)
			}
		})
	}

	t.Run("ScanAttachment refuses the infected file", func(t *testing.T) {
		if err := ScanAttachment(context.Background(), scanner, "lasku.pdf", bytes.NewReader(head(pdfStart))); err != nil {
			t.Errorf("clean file: %v", err)
		}
		err := ScanAttachment(context.Background(), scanner, "../lasku.pdf", strings.NewReader(eicar))
		wantKey(t, err, "message.error.attachment_infected")
		if !fault.Is(err, fault.Invalid) || fault.DataOf(err)["Name"] != "lasku.pdf" {
			t.Errorf("err = %v, data %v; want invalid, naming the safe name", err, fault.DataOf(err))
		}
	})

	t.Run("over StreamMaxLength", func(t *testing.T) {
		// The config allows 20 MiB; a larger file is not scanned, so it
		// must not pass as clean.
		over := io.LimitReader(zeros{}, 20<<20+1)
		clean, _, err := scanner.Scan(context.Background(), over)
		wantUnavailable(t, clean, err)
	})

	t.Run("daemon stopped", func(t *testing.T) {
		clamd.stop(t)
		clean, _, err := scanner.Scan(context.Background(), strings.NewReader(eicar))
		wantUnavailable(t, clean, err)
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type realClamd struct {
	socket string
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd.Wait has returned
	log    string
}

// startRealClamd starts clamd on a unix socket with the test database and
// waits until it answers. Without clamd the test is skipped, except on CI,
// where a missing clamd is a broken setup rather than a choice.
func startRealClamd(t *testing.T) *realClamd {
	t.Helper()
	bin, err := exec.LookPath("clamd")
	if err != nil {
		bin = "/usr/sbin/clamd" // often not on a user's PATH
		if _, serr := os.Stat(bin); serr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("clamd not found (%v); install the clamav-daemon package", err)
			}
			t.Skipf("clamd not found (%v); install the clamav-daemon package to run this test", err)
		}
	}

	dir := t.TempDir()
	// A unix socket path must fit in about 100 bytes.
	sockDir := dir
	if len(sockDir) > 80 {
		sockDir, err = os.MkdirTemp("", "clamd")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(sockDir) })
	}
	c := &realClamd{
		socket: filepath.Join(sockDir, "clamd.sock"),
		exited: make(chan struct{}),
		log:    filepath.Join(dir, "clamd.log"),
	}

	// A .hdb line matches a whole file by MD5 and size; an .ndb line
	// matches bytes anywhere in any type of file (target 0, offset *).
	eicarMD5 := md5.Sum([]byte(eicar))
	writeFile(t, filepath.Join(dir, "test.hdb"),
		fmt.Sprintf("%x:%d:%s\n", eicarMD5, len(eicar), eicarSignature))
	writeFile(t, filepath.Join(dir, "test.ndb"),
		fmt.Sprintf("%s:0:*:%s\n", malwareSignature, hex.EncodeToString([]byte(fakeMalware))))
	// clamd runs as whoever starts it: as root it needs no User line.
	conf := filepath.Join(dir, "clamd.conf")
	writeFile(t, conf, strings.Join([]string{
		"DatabaseDirectory " + dir,
		"LocalSocket " + c.socket,
		"Foreground yes",
		"LogFile " + c.log,
		"PidFile " + filepath.Join(dir, "clamd.pid"),
		"StreamMaxLength 20M",
		"", // clamd reads only complete lines
	}, "\n"))

	c.cmd = exec.Command(bin, "-c", conf)
	// In the foreground clamd also logs to stdout; its log file is enough.
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting clamd: %v", err)
	}
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.stop(t) })

	deadline := time.Now().Add(60 * time.Second)
	for {
		err := ping(c.socket)
		if err == nil {
			return c
		}
		select {
		case <-c.exited:
			t.Fatalf("clamd exited before it answered (%v); its log:\n%s", c.cmd.ProcessState, c.readLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("clamd did not answer within 60 s: %v; its log:\n%s", err, c.readLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop kills clamd and waits for it to exit; stopping twice is harmless.
func (c *realClamd) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("stopping clamd: %v", err)
	}
	<-c.exited
}

func (c *realClamd) readLog() string {
	b, err := os.ReadFile(c.log)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// ping asks clamd whether it is ready.
func ping(socket string) error {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "zPING\x00"); err != nil {
		return err
	}
	reply, err := readClamReply(conn)
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("clamd answered %q to PING", reply)
	}
	return nil
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
