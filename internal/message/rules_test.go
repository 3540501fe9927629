package message

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
)

func TestThreadRules(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	th := NewCustomerThread(Party{PartyCustomer, "p1"}, "recovery", "recovery", "other", "  Title ", "sv", t0)
	if th.Status != StatusOpen || th.Title != "Title" || !th.WaitingSince.Equal(t0) || th.UnreadByStaff != 1 || th.Lang != "sv" {
		t.Fatalf("new thread = %+v", th)
	}
	th.CustomerWrote(t0.Add(time.Hour))
	if th.UnreadByStaff != 2 || !th.WaitingSince.Equal(t0) || !th.LastMessageAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("a second message moved the wait or missed the count: %+v", th)
	}
	th.StaffAnswered("s1", t0.Add(2*time.Hour))
	if th.Status != StatusAnswered || !th.WaitingSince.IsZero() || th.UnreadByCustomer != 1 || th.AssignedTo != "s1" {
		t.Errorf("answered = %+v", th)
	}
	th.StaffAnswered("s2", t0.Add(time.Minute)) // committed late, begun early
	if th.AssignedTo != "s1" || !th.LastMessageAt.Equal(t0.Add(2*time.Hour)) || th.UnreadByCustomer != 2 {
		t.Errorf("a second answer took the thread or moved time back: %+v", th)
	}
	if !th.ReadBy(AuthorCustomer) || th.UnreadByCustomer != 0 || th.ReadBy(AuthorCustomer) {
		t.Errorf("read by the customer: %+v", th)
	}
	if err := th.MoveTo("recovery"); !fault.Is(err, fault.Invalid) {
		t.Errorf("move to the same unit: %v", err)
	}
	if err := th.MoveTo("international"); err != nil || th.UnitID != "international" || th.AssignedTo != "" || th.UnreadByStaff != 3 {
		t.Errorf("moved = %+v %v", th, err)
	}
	th.Close()
	if th.Status != StatusClosed || !th.WaitingSince.IsZero() {
		t.Errorf("closed = %+v", th)
	}
	th.CustomerWrote(t0.Add(3 * time.Hour))
	if th.Status != StatusOpen || !th.WaitingSince.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("a message to a closed thread: %+v", th)
	}
	if !th.ReadBy(AuthorStaff) || th.UnreadByStaff != 0 {
		t.Errorf("read by staff: %+v", th)
	}
}

func TestConsentApply(t *testing.T) {
	mail := Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@example.fi", Verified: true}
	for _, tc := range []struct {
		name           string
		old, choice    Consent
		changed, proof bool
	}{
		{"unchanged", mail, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@example.fi"}, false, true},
		{"new address", mail, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "b@example.fi"}, true, false},
		{"new channel", mail, Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567"}, true, false},
		{"nothing", mail, Consent{Channel: ChannelNone}, true, true},
		{"same address, unverified", Consent{Channel: ChannelEmail, Address: "a@example.fi"}, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@example.fi"}, true, false},
	} {
		got, changed := tc.old.Apply(tc.choice)
		if changed != tc.changed || got.Verified != tc.proof {
			t.Errorf("%s: %+v changed %v; want changed %v verified %v", tc.name, got, changed, tc.changed, tc.proof)
		}
	}
}
