package message

import (
	"context"
	"fmt"
)

// Attachments is how attachments are taken in: the limits and the malware
// scanner. Service takes customers' and staff's files through its own
// (Service.Attachments); the secure e-mail route takes the files a sender
// attaches from a reading link through the same value, so that both refuse,
// scan, store and count a file alike.
//
// The whole path of a file is: the web front receives it a part at a time
// into a temporary file (ReceiveUpload), stopping at MaxFileBytes or at the
// room the sender's quota leaves; PrepareFiles checks and scans it from that
// copy; the use case, in the message's transaction, counts it against the
// quota under a lock (CheckQuota) and stores it with the message through
// Tx.AddMessage, which copies it into chunks — so a refused or failed
// message leaves neither a message without its file nor a file without its
// message.
type Attachments struct {
	Limits  Limits  // zero fields: the defaults
	Scanner Scanner // nil: files are not scanned
}

// PrepareFiles checks uploads — at most Limits.MaxFiles of them, each as
// CheckUpload does: name, size, content type sniffed from the content, and
// a name that says what the content is — and scans each whole file with
// the Scanner, reading it from its copy. It returns them as the Files to
// store with their message, or the first refusal (a *fault.Error on the
// "attachments" field; the scanner's fault.Unavailable when it could not
// tell). It stores nothing.
func (a Attachments) PrepareFiles(ctx context.Context, ups []Upload) ([]File, error) {
	lim := a.Limits.WithDefaults()
	if err := checkUploads(ups, lim); err != nil {
		return nil, err
	}
	var out []File
	for _, u := range ups {
		ctype, err := CheckUpload(u, lim)
		if err != nil {
			return nil, err
		}
		if u.Open == nil {
			return nil, fmt.Errorf("message: upload %q has no content", SafeName(u.Name))
		}
		if a.Scanner != nil {
			if err := scan(ctx, a.Scanner, u); err != nil {
				return nil, err
			}
		}
		out = append(out, File{AttachmentMeta: AttachmentMeta{Name: SafeName(u.Name), ContentType: ctype, Size: u.Size, SHA256: u.SHA256},
			Open: u.Open})
	}
	return out, nil
}

// scan sends one upload's copy to the scanner.
func scan(ctx context.Context, s Scanner, u Upload) error {
	rc, err := u.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return ScanAttachment(ctx, s, u.Name, rc)
}

// CheckQuota refuses files that would take what was already sent (used
// bytes, read under the lock that puts the sender's messages one after the
// other) past Limits.QuotaBytes, with refuse(the bytes left): QuotaError
// for a person's quota, ThreadQuotaError for a thread's.
func (a Attachments) CheckQuota(used int64, files []File, refuse func(left int64) error) error {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	if left := a.Limits.WithDefaults().QuotaBytes - used; n > 0 && n > left {
		return refuse(left)
	}
	return nil
}

// Left is the room Limits.QuotaBytes leaves after used bytes, never
// negative.
func (a Attachments) Left(used int64) int64 {
	return max(a.Limits.WithDefaults().QuotaBytes-used, 0)
}
