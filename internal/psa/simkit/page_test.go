package simkit

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		page             Page
		start, end, last int
		more             bool
	}{
		{name: "first of many", page: Page{Number: 1, Size: 25, Total: 60}, start: 0, end: 25, last: 3, more: true},
		{name: "middle", page: Page{Number: 2, Size: 25, Total: 60}, start: 25, end: 50, last: 3, more: true},
		{name: "short last", page: Page{Number: 3, Size: 25, Total: 60}, start: 50, end: 60, last: 3},
		{name: "full last", page: Page{Number: 2, Size: 30, Total: 60}, start: 30, end: 60, last: 2},
		{name: "past the end", page: Page{Number: 4, Size: 25, Total: 60}, start: 60, end: 60, last: 3},
		{name: "empty listing", page: Page{Number: 1, Size: 25}, start: 0, end: 0, last: 1},
		{name: "number below 1 reads as 1", page: Page{Number: 0, Size: 10, Total: 5}, start: 0, end: 5, last: 1},
		{name: "size below 1 reads as 1", page: Page{Number: 2, Size: 0, Total: 5}, start: 1, end: 2, last: 5, more: true},
		{name: "absurd number does not overflow", page: Page{Number: 1 << 62, Size: 1000, Total: 5}, start: 5, end: 5, last: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, end := tt.page.Bounds()
			if start != tt.start || end != tt.end || tt.page.Last() != tt.last || tt.page.More() != tt.more {
				t.Errorf("Bounds %d:%d Last %d More %v, want %d:%d %d %v",
					start, end, tt.page.Last(), tt.page.More(), tt.start, tt.end, tt.last, tt.more)
			}
		})
	}
}

func TestPageLinks(t *testing.T) {
	t.Parallel()
	url := func(n int) string { return "p" + strconv.Itoa(n) }
	tests := []struct {
		name string
		page Page
		want []Link
	}{
		{name: "only page", page: Page{Number: 1, Size: 25, Total: 10}},
		{name: "first of three", page: Page{Number: 1, Size: 25, Total: 60},
			want: []Link{{"p2", "next"}, {"p3", "last"}}},
		{name: "middle", page: Page{Number: 2, Size: 25, Total: 60},
			want: []Link{{"p1", "first"}, {"p1", "prev"}, {"p3", "next"}, {"p3", "last"}}},
		{name: "last", page: Page{Number: 3, Size: 25, Total: 60},
			want: []Link{{"p1", "first"}, {"p2", "prev"}}},
		{name: "past the end: prev is the last page", page: Page{Number: 9, Size: 25, Total: 60},
			want: []Link{{"p1", "first"}, {"p3", "prev"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.page.Links(url)); diff != "" {
				t.Errorf("Links (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	t.Parallel()
	url := func(n int) string { return "o" + strconv.Itoa(n) }
	tests := []struct {
		name       string
		off        Offset
		start, end int
		want       []Link
	}{
		{name: "first slice", off: Offset{Offset: 0, Limit: 100, Total: 250}, start: 0, end: 100,
			want: []Link{{"o0", "first"}, {"o100", "next"}, {"o200", "last"}}},
		{name: "middle slice", off: Offset{Offset: 100, Limit: 100, Total: 250}, start: 100, end: 200,
			want: []Link{{"o0", "first"}, {"o200", "next"}, {"o0", "prev"}, {"o200", "last"}}},
		{name: "last slice", off: Offset{Offset: 200, Limit: 100, Total: 250}, start: 200, end: 250,
			want: []Link{{"o0", "first"}, {"o100", "prev"}, {"o200", "last"}}},
		{name: "offset not a multiple of the limit", off: Offset{Offset: 30, Limit: 100, Total: 250}, start: 30, end: 130,
			want: []Link{{"o0", "first"}, {"o130", "next"}, {"o0", "prev"}, {"o200", "last"}}},
		{name: "exact fit", off: Offset{Offset: 0, Limit: 100, Total: 100}, start: 0, end: 100,
			want: []Link{{"o0", "first"}, {"o0", "last"}}},
		{name: "empty table", off: Offset{Offset: 0, Limit: 10000}, start: 0, end: 0,
			want: []Link{{"o0", "first"}, {"o0", "last"}}},
		{name: "past the end", off: Offset{Offset: 900, Limit: 100, Total: 250}, start: 250, end: 250,
			want: []Link{{"o0", "first"}, {"o800", "prev"}, {"o200", "last"}}},
		{name: "huge limit", off: Offset{Offset: 5, Limit: 1 << 62, Total: 7}, start: 5, end: 7,
			want: []Link{{"o0", "first"}, {"o0", "prev"}, {"o0", "last"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, end := tt.off.Bounds()
			if start != tt.start || end != tt.end || tt.off.More() != (end < tt.off.Total) {
				t.Errorf("Bounds %d:%d More %v, want %d:%d", start, end, tt.off.More(), tt.start, tt.end)
			}
			if diff := cmp.Diff(tt.want, tt.off.Links(url)); diff != "" {
				t.Errorf("Links (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	t.Parallel()
	ids := []int64{3, 5, 8, 13, 21, 34}
	id := func(v int64) int64 { return v }
	tests := []struct {
		name       string
		after      bool
		cursor     int64
		size       int
		start, end int
	}{
		{name: "after before the first", after: true, cursor: 0, size: 2, start: 0, end: 2},
		{name: "after an id in the list", after: true, cursor: 5, size: 2, start: 2, end: 4},
		{name: "after an id not in the list", after: true, cursor: 9, size: 10, start: 3, end: 6},
		{name: "after the last", after: true, cursor: 34, size: 2, start: 6, end: 6},
		{name: "before the last", cursor: 34, size: 2, start: 3, end: 5},
		{name: "before an id not in the list", cursor: 9, size: 10, start: 0, end: 3},
		{name: "before the first", cursor: 3, size: 2, start: 0, end: 0},
		{name: "before past the end", cursor: 100, size: 4, start: 2, end: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var start, end int
			if tt.after {
				start, end = After(ids, id, tt.cursor, tt.size)
			} else {
				start, end = Before(ids, id, tt.cursor, tt.size)
			}
			if start != tt.start || end != tt.end {
				t.Errorf("bounds %d:%d, want %d:%d", start, end, tt.start, tt.end)
			}
		})
	}
}
