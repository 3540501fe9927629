package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sync"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
)

// DefaultUploadsPerPerson is how many messages with attachments one person
// may be sending at once when MessagesConfig.UploadsPerPerson is zero.
const DefaultUploadsPerPerson = 2

// uploadSlots counts each person's message forms being received and
// stored, in this process.
type uploadSlots struct {
	mu  sync.Mutex
	n   map[string]int
	max int
}

// take reserves one of the person's slots; false when all are in use.
func (u *uploadSlots) take(person string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n == nil {
		u.n = map[string]int{}
	}
	if u.n[person] >= u.max {
		return false
	}
	u.n[person]++
	return true
}

func (u *uploadSlots) give(person string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[person]--; u.n[person] <= 0 {
		delete(u.n, person)
	}
}

// messageForm is a message form as read: its text fields are r.Form, its
// files spooled copies.
type messageForm struct {
	// Uploads are the attachments, each in a temporary file.
	Uploads []message.Upload
	// Err refuses the attachments (too many, over the quota): the handler
	// shows it with the form.
	Err  error
	done func()
}

// Close removes the spooled copies and frees the person's upload slot.
func (f *messageForm) Close() {
	for _, u := range f.Uploads {
		u.Discard()
	}
	if f.done != nil {
		f.done()
	}
}

// uploader is who sends a message form with files: the key their forms
// being received at once are counted by, the room they have left for
// attachments, and how a file past that room is refused.
type uploader struct {
	key    string
	limits message.Limits // the files' bounds
	// left is the bytes of attachments they may still send (negative: no
	// quota); read only when the form carries files.
	left func(ctx context.Context) (int64, error)
	// over refuses a file past the room left.
	over func(left int64) error
}

// readMessageForm reads a signed-in person's message form (readUploadForm):
// a customer's files count against their own quota.
func (s *Server) readMessageForm(w http.ResponseWriter, r *http.Request, a access.Actor) *messageForm {
	return s.readUploadForm(w, r, uploader{key: string(a.Kind) + ":" + a.ID, limits: s.limits(),
		left: func(ctx context.Context) (int64, error) { return s.messages().UploadAllowance(ctx, a) },
		over: message.QuotaError})
}

// readUploadForm reads a message form, a part at a time: text fields
// into r.Form (at most MaxBodyBytes of them together), each attachment
// straight into a temporary file (message.ReceiveUpload), so that no file
// is ever held whole in memory. One sender may be sending only
// UploadsPerPerson such forms at once (429 otherwise), and their files
// stop being received as soon as they pass the room their quota leaves.
// It answers the request and returns nil when the form cannot be read;
// otherwise Close the form when done.
func (s *Server) readUploadForm(w http.ResponseWriter, r *http.Request, up uploader) *messageForm {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		if !s.parseForm(w, r) {
			return nil
		}
		return &messageForm{}
	}
	if !s.uploads.take(up.key) {
		s.renderError(w, r, http.StatusTooManyRequests, "upload.error.busy")
		return nil
	}
	f := &messageForm{done: func() { s.uploads.give(up.key) }}
	err := s.receiveParts(r, up, f)
	if err != nil {
		f.Close()
		s.formRead(w, r, err, "message.error.form_too_large")
		return nil
	}
	return f
}

// receiveParts reads the parts of a multipart form into r.Form and f.
func (s *Server) receiveParts(r *http.Request, up uploader, f *messageForm) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	lim := up.limits
	left, err := up.left(r.Context())
	if err != nil {
		return err
	}
	form, text := url.Values{}, s.cfg.MaxBodyBytes
	r.Form, r.PostForm = form, form
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := part.FormName()
		if part.FileName() == "" && name != "attachments" {
			b, err := io.ReadAll(io.LimitReader(part, text+1))
			if err != nil {
				return err
			}
			if text -= int64(len(b)); text < 0 {
				return &http.MaxBytesError{Limit: s.cfg.MaxBodyBytes}
			}
			form.Add(name, string(b))
			continue
		}
		if name != "attachments" || f.Err != nil {
			continue // the next part skips what is left of this one
		}
		if part.FileName() == "" {
			// A file field left empty: browsers send an empty part.
			continue
		}
		if files++; files > lim.MaxFiles {
			f.Err = fault.InvalidField("attachments", "message.error.attachment_too_many", map[string]any{"Max": lim.MaxFiles})
			continue
		}
		u, err := message.ReceiveUpload(s.cfg.Messages.UploadDir, part.FileName(), part, lim.MaxFileBytes, left)
		switch {
		case fault.Is(err, fault.TooLarge):
			// Past the room left: refused in the sender's own terms (a
			// person's quota or a thread's).
			f.Err = up.over(left)
			continue
		case err != nil:
			return err
		}
		f.Uploads = append(f.Uploads, u)
		if left >= 0 && u.Open != nil {
			left -= u.Size
		}
	}
}
