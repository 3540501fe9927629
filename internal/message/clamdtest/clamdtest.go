// Package clamdtest runs the real ClamAV daemon for tests, with a
// signature database of its own instead of ClamAV's downloaded one.
package clamdtest

import (
	"bytes"
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
)

// EICAR is the anti-malware test file every scanner reports.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// Malware stands in for a virus: the test database names it as one, by
// its content wherever it appears, so it is also found inside a larger
// file (a PDF that carries it, say).
const Malware = "etuus test malware: harmless bytes that the test signature database calls a virus"

// Signature names in the test database. clamd appends ".UNOFFICIAL" to
// names from databases that are not ClamAV's own signed ones.
const (
	EICARSignature   = "Etuus.Test.EICAR"
	MalwareSignature = "Etuus.Test.Malware"
)

// Clamd is a clamd process started for a test.
type Clamd struct {
	// Socket is the unix socket it listens on.
	Socket string
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd.Wait has returned
	log    string
}

// Start starts clamd on a unix socket with the test database, waits until
// it answers, and stops it when the test ends. Without clamd the test is
// skipped, except on CI, where a missing clamd is a broken setup rather
// than a choice.
func Start(t testing.TB) *Clamd {
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
	c := &Clamd{
		Socket: filepath.Join(sockDir, "clamd.sock"),
		exited: make(chan struct{}),
		log:    filepath.Join(dir, "clamd.log"),
	}

	// A .hdb line matches a whole file by MD5 and size; an .ndb line
	// matches bytes anywhere in any type of file (target 0, offset *).
	eicarMD5 := md5.Sum([]byte(EICAR))
	writeFile(t, filepath.Join(dir, "test.hdb"),
		fmt.Sprintf("%x:%d:%s\n", eicarMD5, len(EICAR), EICARSignature))
	writeFile(t, filepath.Join(dir, "test.ndb"),
		fmt.Sprintf("%s:0:*:%s\n", MalwareSignature, hex.EncodeToString([]byte(Malware))))
	// clamd runs as whoever starts it: as root it needs no User line.
	conf := filepath.Join(dir, "clamd.conf")
	writeFile(t, conf, strings.Join([]string{
		"DatabaseDirectory " + dir,
		"LocalSocket " + c.Socket,
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
	t.Cleanup(func() { c.Stop(t) })

	deadline := time.Now().Add(60 * time.Second)
	for {
		err := ping(c.Socket)
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

// Stop kills clamd and waits for it to exit; stopping twice is harmless.
func (c *Clamd) Stop(t testing.TB) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("stopping clamd: %v", err)
	}
	<-c.exited
}

func (c *Clamd) readLog() string {
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
	// The reply ends with a NUL byte (or the connection's end).
	var reply []byte
	buf := make([]byte, 64)
	for len(reply) < 64 {
		n, err := conn.Read(buf)
		reply = append(reply, buf[:n]...)
		if i := bytes.IndexByte(reply, 0); i >= 0 {
			reply = reply[:i]
			break
		}
		if errors.Is(err, io.EOF) && len(reply) > 0 {
			break
		}
		if err != nil {
			return err
		}
	}
	if string(reply) != "PONG" {
		return fmt.Errorf("clamd answered %q to PING", reply)
	}
	return nil
}

func writeFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
