package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
)

const sqlProbeWrite = `INSERT INTO write_probe (id, at) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET at = excluded.at`

var probeStatements = []string{sqlProbeWrite}

// probeBlock is what the folder probe writes: one file system block, which
// a full disk refuses.
const probeBlock = 4096

// ProbeWrite checks the folder and the file. It first writes, syncs and
// removes a one-block file beside the database (path + "-probe"): SQLite
// keeps writing into WAL space it already holds for a while after the disk
// fills, and a read-only folder stops only the files SQLite has yet to
// create, so the folder is asked directly. Then it commits one row, which a
// read-only database file refuses. It costs two syncs, once per readiness
// check.
func (s *Store) ProbeWrite(ctx context.Context) error {
	if err := probeFile(s.path + "-probe"); err != nil {
		return fmt.Errorf("probe write: data folder: %w", err)
	}
	_, err := s.exec(ctx, sqlProbeWrite, dbTime(s.now()))
	return wrap(err, "probe write")
}

func probeFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, probeBlock))
	err = errors.Join(err, f.Sync(), f.Close())
	return errors.Join(err, os.Remove(path))
}
