package connectwise

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestNoteTextRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, description string
		wantTitle                string
	}{
		{name: "title and text", title: "Alert: Suspicious sign-in", description: "User jane\nfrom 1.2.3.4", wantTitle: "Alert: Suspicious sign-in"},
		{name: "paragraphs in the text", title: "t", description: "one\n\ntwo\n\nthree", wantTitle: "t"},
		{name: "title kept to one line", title: "two\nlines\n\n", description: "d", wantTitle: "two lines"},
		{name: "no title", title: "", description: "just text", wantTitle: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			title, desc := splitNote(noteText(tt.title, tt.description))
			if title != tt.wantTitle || desc != tt.description {
				t.Errorf("round trip = %q, %q; want %q, %q", title, desc, tt.wantTitle, tt.description)
			}
		})
	}
	if title, desc := splitNote("t\r\n\r\nline1\r\nline2"); title != "t" || desc != "line1\nline2" {
		t.Errorf("CRLF note split = %q, %q", title, desc)
	}
}

func TestAddNoteBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vis  psa.Visibility
		want string
	}{
		{psa.VisibilityExternal, `{"text":"T\n\nD","detailDescriptionFlag":true,"internalAnalysisFlag":false,"resolutionFlag":false,"processNotifications":false}`},
		{psa.VisibilityInternal, `{"text":"T\n\nD","detailDescriptionFlag":false,"internalAnalysisFlag":true,"resolutionFlag":false,"processNotifications":false}`},
		{"", `{"text":"T\n\nD","detailDescriptionFlag":false,"internalAnalysisFlag":true,"resolutionFlag":false,"processNotifications":false}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.vis), func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.api("POST", "service/tickets/{id}/notes", answer(201, `{"id":77,"ticketId":7}`))
			id, err := f.connector(t).AddNote(context.Background(), "7", psa.NewNote{Title: "T", Description: "D", Type: NoteTypeID, Visibility: tt.vis})
			if err != nil || id != "77" {
				t.Fatalf("AddNote = %q, %v; want 77", id, err)
			}
			if got := f.requests(apiPrefix + "service/tickets/7/notes")[0].Body; got != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAddNoteRejectsOtherTypes(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	_, err := f.connector(t).AddNote(context.Background(), "7", psa.NewNote{Title: "T", Type: "3"})
	if psa.ClassOf(err) != psa.Permanent || err == nil {
		t.Fatalf("AddNote with type 3 = %v, want permanent", err)
	}
	if n := len(f.requests("")); n != 0 {
		t.Errorf("sent %d requests", n)
	}
}

func TestNotesOrderAndVisibility(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "service/tickets/{id}/notes", answer(200, `[
		{"id":12,"text":"B\n\nsecond","internalAnalysisFlag":true,"dateCreated":"2026-01-01T10:00:00Z"},
		{"id":11,"text":"A\n\nfirst","detailDescriptionFlag":true,"dateCreated":"2026-01-01T10:00:00Z"},
		{"id":9,"text":"initial description","detailDescriptionFlag":true,"_info":{"dateEntered":"2026-01-01T09:00:00Z"}},
		{"id":13,"text":"R\n\nresolved","resolutionFlag":true,"dateCreated":"2026-01-01T11:00:00Z"}]`))
	got, err := f.connector(t).Notes(context.Background(), "7")
	if err != nil {
		t.Fatalf("Notes: %v", err)
	}
	at := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	want := []psa.Note{
		{ID: "9", Description: "initial description", Type: NoteTypeID, Visibility: psa.VisibilityExternal, CreatedAt: at(9)},
		{ID: "11", Title: "A", Description: "first", Type: NoteTypeID, Visibility: psa.VisibilityExternal, CreatedAt: at(10)},
		{ID: "12", Title: "B", Description: "second", Type: NoteTypeID, Visibility: psa.VisibilityInternal, CreatedAt: at(10)},
		{ID: "13", Title: "R", Description: "resolved", Type: NoteTypeID, Visibility: psa.VisibilityInternal, CreatedAt: at(11)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}
