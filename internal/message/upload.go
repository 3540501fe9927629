package message

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"

	"github.com/etuus/etuus/internal/fault"
)

// ReceiveUpload copies an attachment as it arrives from r into a new file
// in dir (os.TempDir() when empty), never holding more than a buffer of it
// in memory, and takes its size, its first 512 bytes and its SHA-256 on
// the way. Reading stops after maxBytes+1 bytes: a larger file is
// returned with Size maxBytes+1 and no content (CheckUpload refuses it by
// size), and what was written of it is removed. A file that would take
// the sender past their storage quota (left bytes; negative: no quota)
// is refused with QuotaError and nothing kept.
//
// Call Discard on the Upload when the request is done with it.
func ReceiveUpload(dir, name string, r io.Reader, maxBytes, left int64) (Upload, error) {
	f, err := os.CreateTemp(dir, "etuus-upload-*")
	if err != nil {
		return Upload{}, err
	}
	u := Upload{Name: name, path: f.Name()}
	h := sha256.New()
	head := &headWriter{max: 512}
	limit := maxBytes + 1
	if left >= 0 && left < maxBytes {
		limit = left + 1
	}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(r, limit))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		u.Discard()
		return Upload{}, err
	}
	u.Head, u.Size = head.b, n
	switch {
	case n > maxBytes:
		// Over the size limit: CheckUpload refuses it unread.
		u.Discard()
		return Upload{Name: name, Size: n}, nil
	case left >= 0 && n > left:
		u.Discard()
		return Upload{}, QuotaError(left)
	}
	u.SHA256 = hex.EncodeToString(h.Sum(nil))
	path := u.path
	u.Open = func() (io.ReadCloser, error) { return os.Open(path) }
	return u, nil
}

// Discard removes the copy ReceiveUpload kept, if any.
func (u Upload) Discard() {
	if u.path != "" {
		if err := os.Remove(u.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			// Nothing to tell the sender; the temporary folder's cleaner
			// takes what is left.
			return
		}
	}
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	b   []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if n := w.max - len(w.b); n > 0 {
		w.b = append(w.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// QuotaError refuses attachments that would take a customer past their
// storage quota, saying how much room is left (in MiB, rounded down).
func QuotaError(left int64) error {
	return &fault.Error{Kind: fault.TooLarge, Key: "upload.error.quota", Field: "attachments",
		Data: map[string]any{"LeftMB": max(left, 0) >> 20}}
}

// ThreadQuotaError refuses attachments that would take a thread past its
// quota: a secure e-mail thread, whose sender is signed in as no one, is
// given the quota of a person for the attachments sent in it.
func ThreadQuotaError(left int64) error {
	return &fault.Error{Kind: fault.TooLarge, Key: "upload.error.thread_quota", Field: "attachments",
		Data: map[string]any{"LeftMB": max(left, 0) >> 20}}
}
