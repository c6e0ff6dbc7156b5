package ingest

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestReadAllWhateverTheDeclaredLength(t *testing.T) {
	body := strings.Repeat("x", 70_000)
	for _, declared := range []int64{-1, 0, 10, 69_999, 70_000, 70_001, 1 << 30} {
		got, err := readAll(strings.NewReader(body), declared)
		if err != nil || string(got) != body {
			t.Errorf("declared %d: %d bytes, %v", declared, len(got), err)
		}
		if cap(got) > presizeMax+bytes.MinRead && declared > presizeMax {
			t.Errorf("declared %d: a buffer of %d bytes before the body arrived", declared, cap(got))
		}
	}
	if _, err := readAll(io.LimitReader(errReader{}, 1), 5); err == nil {
		t.Error("a read error was swallowed")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
