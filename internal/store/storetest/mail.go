package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testUnmatchedMail: unmatched mail is kept whole, listed newest first
// per tenant, and refused for a source that does not exist.
func testUnmatchedMail(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "mail")
	mustSource(t, s, "t2", "mail")
	first, err := s.AddUnmatchedMail(ctx, store.UnmatchedMail{
		TenantID: "t1", SourceID: src.ID, ReceivedAt: t0, Sender: "alerts@vendor.example",
		Subject: "Weekly digest", MessageID: "<m1@vendor.example>", Reason: "no mail rule matched", Raw: []byte("Subject: Weekly digest\r\n\r\nhi\r\n"),
	})
	must(t, err)
	second, err := s.AddUnmatchedMail(ctx, store.UnmatchedMail{
		TenantID: "t1", SourceID: src.ID, ReceivedAt: t0.Add(time.Minute), Reason: "not a MIME message", Raw: []byte{0xff, 0x00},
	})
	must(t, err)
	_, err = s.AddUnmatchedMail(ctx, store.UnmatchedMail{TenantID: "t2", SourceID: "mail", ReceivedAt: t0, Reason: "other tenant"})
	must(t, err)
	if first.ID == 0 || second.ID <= first.ID {
		t.Fatalf("ids %d, %d: want increasing", first.ID, second.ID)
	}
	got, err := s.UnmatchedMails(ctx, "t1", 0)
	must(t, err)
	diff(t, "unmatched mail", []store.UnmatchedMail{second, first}, got)
	got, err = s.UnmatchedMails(ctx, "t1", 1)
	must(t, err)
	if len(got) != 1 || got[0].ID != second.ID {
		t.Errorf("limit 1: %+v, want the newest", got)
	}
	_, err = s.AddUnmatchedMail(ctx, store.UnmatchedMail{TenantID: "t1", SourceID: "nope", Reason: "x"})
	wantErr(t, err, store.ErrNotFound)
}
