package message

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message/clamdtest"
)

const (
	fakeMalware      = clamdtest.Malware
	eicarSignature   = clamdtest.EICARSignature
	malwareSignature = clamdtest.MalwareSignature
)

// TestClamdDaemon runs the real clamd, with a signature database of its
// own instead of ClamAV's downloaded one, to check that ClamAV speaks the
// protocol the daemon actually speaks: the fake in scan_test.go only
// speaks it as we read it.
func TestClamdDaemon(t *testing.T) {
	clamd := clamdtest.Start(t)
	scanner := ClamAV{Network: "unix", Address: clamd.Socket, Timeout: 10 * time.Second}
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
		clamd.Stop(t)
		clean, _, err := scanner.Scan(context.Background(), strings.NewReader(eicar))
		wantUnavailable(t, clean, err)
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
