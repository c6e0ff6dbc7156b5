package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWALStaysSmallWithoutWriterCheckpoints: the writer never checkpoints
// (its commits must not wait for one), yet the WAL does not grow with
// what is written, because the background checkpointer lets each new
// write transaction start the WAL over.
func TestWALStaysSmallWithoutWriterCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tb.db")
	s, err := Open(ctx, path, Options{CheckpointEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	if _, err := s.writer.ExecContext(ctx, "CREATE TABLE filler (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	const batches, batchBytes = 12, 1 << 20
	blob := []byte(strings.Repeat("x", 64<<10))
	for range batches {
		for range batchBytes / len(blob) {
			if _, err := s.writer.ExecContext(ctx, "INSERT INTO filler (b) VALUES (?)", blob); err != nil {
				t.Fatal(err)
			}
		}
		// Two checkpoints after the batch: at least one began after its
		// last commit, so every frame of it was copied.
		for start := s.cp.runs.Load(); s.cp.runs.Load() < start+2; {
			time.Sleep(time.Millisecond)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if written := int64(batches * batchBytes); fi.Size() > written/4 {
		t.Errorf("WAL is %d bytes after %d written in checkpointed batches; want it reused, under %d", fi.Size(), written, written/4)
	}
}
