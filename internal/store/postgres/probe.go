package postgres

import (
	"context"
	"time"
)

const sqlProbeWrite = `INSERT INTO write_probe (id, at) VALUES (1, $1)
ON CONFLICT (id) DO UPDATE SET at = excluded.at`

// ProbeWrite commits one row: a standby, a session in read-only mode or a
// server out of disk refuses it as it would refuse ingest.
func (s *Store) ProbeWrite(ctx context.Context) error {
	_, err := s.exec(ctx, sqlProbeWrite, s.orNow(time.Time{}))
	return wrap(err, "probe write")
}
