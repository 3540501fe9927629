package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestOrganisationThreads walks an organisation's secure message threads
// on both databases: a person the mandates allow writes for the
// employer, another of its people reads it, the unit's staff see the
// organisation (name and business ID) in their queue and answer, and the
// organisation sees the answer; a person without the messages mandate is
// refused, another organisation's thread is 404 and so is the
// organisation's thread to a person asking for themselves.
func TestOrganisationThreads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, orgs := seedMandateDemo(t, db)
		svc, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		teemu, eeva, aino, tuula := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva"),
			access.AsCustomer("demo-person-aino"), access.AsCustomer("demo-person-tuula")
		eila := access.AsStaff("demo-staff-eila", "benefit-services", "specialist")
		draft := message.Draft{Lang: "fi", Subject: "employer", Specification: "reimbursement",
			Title: "Hakemuksen liite", Body: "Lähetämme palkkatodistuksen erikseen."}

		// A customer's subject is not an organisation's.
		bad := draft
		bad.Subject, bad.Specification = "recovery", "other"
		if _, _, err := svc.OrgSend(ctx, teemu, orgs.Employer, bad); fault.FieldOf(err) != "subject" {
			t.Errorf("an organisation on a customer's subject: %v", err)
		}
		th, _, err := svc.OrgSend(ctx, teemu, " "+orgs.Employer, draft)
		if err != nil || th.PartyKind != message.PartyOrganisation || th.PartyID != "demo-org-rakennus" || th.UnitID != "benefit-services" {
			t.Fatalf("send: %+v %v", th, err)
		}
		// Eeva acts for the same organisation and sees its thread.
		f, o, err := svc.OrgFolder(ctx, eeva, orgs.Employer, 1)
		if err != nil || f.Total != 1 || len(f.Threads) != 1 || f.Threads[0].ID != th.ID || o.Name != "Demo Rakennus Oy" || o.BusinessID != orgs.Employer {
			t.Fatalf("Eeva's folder: %+v %+v %v", f, o, err)
		}
		// Teemu's own messages hold none of it.
		if own, err := svc.Folder(ctx, teemu, message.Inbox, 1); err != nil || own.Total != 0 {
			t.Errorf("Teemu's own folder: %+v %v", own, err)
		}
		if _, _, err := svc.Thread(ctx, teemu, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the organisation's thread as Teemu's own: %v", err)
		}

		// No mandate on the messages issue: refused, nothing written.
		if _, _, err := svc.OrgFolder(ctx, aino, orgs.Employer, 1); !errors.Is(err, mandate.ErrNoMandate) {
			t.Errorf("Aino's folder: %v", err)
		}
		if _, _, err := svc.OrgSend(ctx, aino, orgs.Employer, draft); !errors.Is(err, mandate.ErrNoMandate) {
			t.Errorf("Aino sends: %v", err)
		}
		if _, err := svc.OrgReply(ctx, aino, orgs.Employer, th.ID, "Kiitos"); !errors.Is(err, mandate.ErrNoMandate) {
			t.Errorf("Aino replies: %v", err)
		}
		if _, _, _, err := svc.OrgThread(ctx, aino, orgs.Employer, th.ID); !errors.Is(err, mandate.ErrNoMandate) {
			t.Errorf("Aino opens: %v", err)
		}
		// A malformed business ID, and one the person has no mandate for.
		if _, _, err := svc.OrgFolder(ctx, teemu, "1234567", 1); !fault.Is(err, fault.NotFound) {
			t.Errorf("a malformed business ID: %v", err)
		}
		if _, _, err := svc.OrgFolder(ctx, teemu, orgs.Cafe, 1); !errors.Is(err, mandate.ErrNoMandate) {
			t.Errorf("an organisation Teemu has no mandate for: %v", err)
		}

		// The firm's employee writes for a client; neither organisation
		// reaches the other's thread, by ID or through its own.
		client := orgs.Clients[3]
		other, _, err := svc.OrgSend(ctx, tuula, client, draft)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := svc.OrgThread(ctx, teemu, orgs.Employer, other.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another organisation's thread: %v", err)
		}
		if _, err := svc.OrgReply(ctx, teemu, orgs.Employer, other.ID, "Vastaus"); !fault.Is(err, fault.NotFound) {
			t.Errorf("a reply to another organisation's thread: %v", err)
		}
		if _, _, _, err := svc.OrgThread(ctx, tuula, client, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the employer's thread through the client: %v", err)
		}
		if _, _, _, err := svc.OrgThread(ctx, tuula, client, "no-such-thread"); !fault.Is(err, fault.NotFound) {
			t.Errorf("an unknown thread: %v", err)
		}

		// The unit's queue shows the organisation by name and business ID.
		q, err := svc.Queue(ctx, eila, message.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var row message.StaffThread
		for _, st := range q.Threads {
			if st.ID == th.ID {
				row = st
			}
		}
		if row.PartyKind != message.PartyOrganisation || row.PartyName != "Demo Rakennus Oy ("+orgs.Employer+")" {
			t.Errorf("queue row: %+v", row)
		}
		if _, err := svc.Reply(ctx, eila, th.ID, "Kiitos, odotamme todistusta.", nil); err != nil {
			t.Fatal(err)
		}
		// Another unit's staff do not reach it.
		if _, err := svc.StaffThread(ctx, access.AsStaff("demo-staff-anna", "recovery", "specialist"), th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another unit's staff: %v", err)
		}

		// The organisation sees the answer, unread until opened.
		f, _, _ = svc.OrgFolder(ctx, teemu, orgs.Employer, 1)
		if f.Unread != 1 || f.Threads[0].Status != message.StatusAnswered {
			t.Errorf("after the answer: %+v", f)
		}
		got, msgs, _, err := svc.OrgThread(ctx, teemu, orgs.Employer, th.ID)
		if err != nil || len(msgs) != 2 || msgs[1].Author != message.AuthorStaff || !strings.Contains(msgs[1].Body, "odotamme") || got.ID != th.ID {
			t.Fatalf("open: %+v %v", msgs, err)
		}
		if f, _, _ = svc.OrgFolder(ctx, eeva, orgs.Employer, 1); f.Unread != 0 {
			t.Errorf("read by the organisation, still unread for Eeva: %+v", f)
		}
		if _, err := svc.OrgReply(ctx, eeva, orgs.Employer, th.ID, "Todistus on nyt lähetetty."); err != nil {
			t.Fatal(err)
		}
		v, err := svc.StaffThread(ctx, eila, th.ID)
		if err != nil || len(v.Messages) != 3 || v.Status != message.StatusOpen || v.PartyName != "Demo Rakennus Oy ("+orgs.Employer+")" ||
			v.Reach != message.ReachOrganisation {
			t.Errorf("staff's view after the reply: %+v %v", v, err)
		}
		if _, err := svc.OrgReply(ctx, eeva, orgs.Employer, th.ID, " "); fault.FieldOf(err) != "body" {
			t.Errorf("an empty reply: %v", err)
		}

		// Without mandates configured, no organisation's threads at all.
		bare, _ := message.NewService(db.Messages(), message.Config{})
		if _, _, err := bare.OrgFolder(ctx, teemu, orgs.Employer, 1); !fault.Is(err, fault.NotFound) {
			t.Errorf("without mandates: %v", err)
		}
	})
}
