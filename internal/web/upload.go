package web

import (
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

// readMessageForm reads a message form, a part at a time: text fields
// into r.Form (at most MaxBodyBytes of them together), each attachment
// straight into a temporary file (message.ReceiveUpload), so that no file
// is ever held whole in memory. A person may be sending only
// UploadsPerPerson such forms at once (429 otherwise), and a customer's
// files stop being received as soon as they pass the customer's quota.
// It answers the request and returns nil when the form cannot be read;
// otherwise Close the form when done.
func (s *Server) readMessageForm(w http.ResponseWriter, r *http.Request, a access.Actor) *messageForm {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		if !s.parseForm(w, r) {
			return nil
		}
		return &messageForm{}
	}
	key := string(a.Kind) + ":" + a.ID
	if !s.uploads.take(key) {
		s.renderError(w, r, http.StatusTooManyRequests, "upload.error.busy")
		return nil
	}
	f := &messageForm{done: func() { s.uploads.give(key) }}
	err := s.receiveParts(r, a, f)
	if err != nil {
		f.Close()
		s.formRead(w, r, err, "message.error.form_too_large")
		return nil
	}
	return f
}

// receiveParts reads the parts of a multipart form into r.Form and f.
func (s *Server) receiveParts(r *http.Request, a access.Actor, f *messageForm) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	lim := s.limits()
	left, err := s.messages().UploadAllowance(r.Context(), a)
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
			f.Err = err
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
