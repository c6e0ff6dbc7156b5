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

	// The same mail read again (a second poll, a sender's retry) is the
	// copy kept before; a mail without a Message-ID cannot be told apart.
	again, err := s.AddUnmatchedMail(ctx, store.UnmatchedMail{
		TenantID: "t1", SourceID: src.ID, ReceivedAt: t0.Add(2 * time.Minute), Sender: "alerts@vendor.example",
		Subject: "Weekly digest", MessageID: "<m1@vendor.example>", Reason: "no mail rule matched",
	})
	must(t, err)
	if again.ID != first.ID {
		t.Errorf("the same Message-ID again: id %d, want the first copy's %d", again.ID, first.ID)
	}
	_, err = s.AddUnmatchedMail(ctx, store.UnmatchedMail{TenantID: "t1", SourceID: src.ID, ReceivedAt: t0.Add(3 * time.Minute), Reason: "not a MIME message"})
	must(t, err)
	got, err = s.UnmatchedMails(ctx, "t1", 0)
	must(t, err)
	if len(got) != 3 {
		t.Errorf("after a repeat and a second mail without a Message-ID: %d kept, want 3", len(got))
	}
}

// testRawBodies: bodies written in a transaction are listed per source
// in order, after an id, and vanish with a rolled-back transaction.
func testRawBodies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustSource(t, s, "t1", "am")
	mustSource(t, s, "t1", "other")
	err := s.InTx(ctx, func(q store.Queries) error {
		return q.AddRawBodies(ctx, []store.RawBody{
			{TenantID: "t1", SourceID: "am", ReceivedAt: t0, Kind: "http", Body: []byte(`{"alerts":[1]}`)},
			{TenantID: "t1", SourceID: "other", ReceivedAt: t0, Kind: "mail", Body: []byte("Subject: x\r\n\r\n")},
			{TenantID: "t1", SourceID: "am", ReceivedAt: t0.Add(time.Second), Kind: "http", Body: []byte(`{"alerts":[2]}`)},
		})
	})
	must(t, err)
	rolledBack := s.InTx(ctx, func(q store.Queries) error {
		must(t, q.AddRawBodies(ctx, []store.RawBody{{TenantID: "t1", SourceID: "am", ReceivedAt: t0, Kind: "http", Body: []byte("lost")}}))
		return store.ErrConflict
	})
	wantErr(t, rolledBack, store.ErrConflict)
	got, err := s.RawBodies(ctx, "t1", "am", 0, 0)
	must(t, err)
	if len(got) != 2 || string(got[0].Body) != `{"alerts":[1]}` || string(got[1].Body) != `{"alerts":[2]}` ||
		got[0].Kind != "http" || !got[1].ReceivedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("raw bodies of am = %+v", got)
	}
	after, err := s.RawBodies(ctx, "t1", "am", got[0].ID, 0)
	must(t, err)
	if len(after) != 1 || after[0].ID != got[1].ID {
		t.Errorf("after the first: %+v", after)
	}
	one, err := s.RawBodies(ctx, "t1", "am", 0, 1)
	must(t, err)
	if len(one) != 1 || one[0].ID != got[0].ID {
		t.Errorf("limit 1: %+v", one)
	}

	n, err := s.PruneRawBodies(ctx, "t1", t0.Add(time.Second), 10)
	must(t, err)
	left, err := s.RawBodies(ctx, "t1", "am", 0, 0)
	must(t, err)
	if n != 2 || len(left) != 1 || left[0].ID != got[1].ID {
		t.Errorf("pruned %d before t0+1s; left %+v; want 2 pruned and the later body kept", n, left)
	}
}
