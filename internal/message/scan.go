package message

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fault"
)

// Scanner looks for malware in a file.
//
// Scan reads r to its end and reports clean == true when nothing was
// found, or clean == false and the signature that matched. An error means
// the scanner could not tell, and the file must be treated as not scanned,
// never as clean: implementations return a *fault.Error of kind
// fault.Unavailable, with the key "message.error.scan_unavailable", when
// the scanner is down, slow or answers nonsense (wrapping ctx's cause
// when ctx ended first, so errors.Is(err, context.Canceled) works), and
// the reader's own error, unclassified, when r fails. ClamAV is the
// implementation for clamd.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (clean bool, signature string, err error)
}

// ScanAttachment scans a file with s and turns the outcome into what the
// user is told: nil when clean, a fault.Invalid "attachment_infected" on
// the "attachments" field naming SafeName(name) when not, and s's error
// when it could not tell.
func ScanAttachment(ctx context.Context, s Scanner, name string, r io.Reader) error {
	clean, _, err := s.Scan(ctx, r)
	switch {
	case err != nil:
		return err
	case !clean:
		return fault.InvalidField("attachments", "message.error.attachment_infected", map[string]any{"Name": SafeName(name)})
	}
	return nil
}

// DefaultScanTimeout bounds a whole ClamAV scan when its Timeout is zero.
const DefaultScanTimeout = 30 * time.Second

// ClamAV scans with a clamd daemon over its socket protocol: the
// zINSTREAM command, then the file in chunks that each start with their
// length as a 4-byte big-endian number, then a zero length, and clamd
// answers "stream: OK" or "stream: <signature> FOUND" (or "… ERROR", for
// example when the file is over clamd's StreamMaxLength, which should
// therefore be at least Limits.MaxFileBytes). One connection serves one
// scan, so a ClamAV value is safe for concurrent use.
type ClamAV struct {
	Network string // "tcp" or "unix"
	Address string // "127.0.0.1:3310" or "/run/clamav/clamd.ctl"
	// Timeout bounds the whole scan: connecting, sending the file and
	// waiting for the verdict. Zero means DefaultScanTimeout.
	Timeout time.Duration
}

var _ Scanner = ClamAV{}

// clamChunk is the most sent in one chunk; clamd's own default
// StreamMaxLength is 25 MB, so chunk size is about fewer writes only.
const clamChunk = 64 << 10

// maxClamReply bounds what is read of clamd's answer.
const maxClamReply = 4 << 10

// Scan sends r to clamd and reads its verdict.
func (c ClamAV) Scan(ctx context.Context, r io.Reader) (clean bool, signature string, err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultScanTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, c.Network, c.Address)
	if err != nil {
		return false, "", c.fail(ctx, "connect", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return false, "", c.fail(ctx, "connect", err)
	}
	// Wake any blocked read or write when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	w := bufio.NewWriterSize(conn, 4+clamChunk)
	if _, err := w.WriteString("zINSTREAM\x00"); err != nil {
		return false, "", c.fail(ctx, "send", err)
	}
	buf := make([]byte, clamChunk)
	var size [4]byte
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			binary.BigEndian.PutUint32(size[:], uint32(n))
			if _, err := w.Write(size[:]); err != nil {
				return false, "", c.failSend(ctx, conn, err)
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return false, "", c.failSend(ctx, conn, err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			// The file, not clamd, failed: not a scanner outage.
			return false, "", fmt.Errorf("clamav: reading the file: %w", rerr)
		}
	}
	binary.BigEndian.PutUint32(size[:], 0)
	if _, err := w.Write(size[:]); err != nil {
		return false, "", c.failSend(ctx, conn, err)
	}
	if err := w.Flush(); err != nil {
		return false, "", c.failSend(ctx, conn, err)
	}
	reply, err := readClamReply(conn)
	if err != nil {
		return false, "", c.fail(ctx, "read the reply", err)
	}
	clean, signature, err = parseClamReply(reply)
	if err != nil {
		return false, "", c.fail(ctx, "reply", err)
	}
	return clean, signature, nil
}

// failSend reports a failed send, with clamd's reason when it said one
// before hanging up (it does so for a stream over its size limit).
func (c ClamAV) failSend(ctx context.Context, conn net.Conn, err error) error {
	if reply, rerr := readClamReply(conn); rerr == nil && reply != "" {
		err = fmt.Errorf("%w (clamd said %q)", err, reply)
	}
	return c.fail(ctx, "send", err)
}

func (c ClamAV) fail(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return fault.Wrap(fault.Unavailable, "message.error.scan_unavailable", fmt.Errorf("clamav %s %s: %s: %w", c.Network, c.Address, op, err))
}

// readClamReply reads one reply, which zINSTREAM ends with a NUL byte; an
// end of the connection ends it too.
func readClamReply(conn net.Conn) (string, error) {
	var reply []byte
	buf := make([]byte, 256)
	for len(reply) < maxClamReply {
		n, err := conn.Read(buf)
		reply = append(reply, buf[:n]...)
		if i := bytes.IndexByte(reply, 0); i >= 0 {
			return string(reply[:i]), nil
		}
		if errors.Is(err, io.EOF) && len(reply) > 0 {
			return string(reply), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("reply too long")
}

// parseClamReply reads "stream: OK" or "stream: <signature> FOUND".
func parseClamReply(reply string) (clean bool, signature string, err error) {
	reply = strings.TrimSpace(reply)
	rest, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case ok && rest == "OK":
		return true, "", nil
	case ok && strings.HasSuffix(rest, " FOUND"):
		if sig := strings.TrimSpace(strings.TrimSuffix(rest, " FOUND")); sig != "" {
			return false, sig, nil
		}
	}
	return false, "", fmt.Errorf("clamd answered %q", reply)
}
