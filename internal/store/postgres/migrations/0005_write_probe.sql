-- 0005_write_probe: the one row ProbeWrite rewrites, so readiness proves
-- the store can still commit (a read-only server or transaction mode, a
-- full disk) with a write that touches nothing else. The PostgreSQL twin of
-- the SQLite engine's 0005; each replica rewrites the same row.
CREATE TABLE write_probe (
    id BIGINT      NOT NULL PRIMARY KEY CHECK (id = 1),
    at TIMESTAMPTZ NOT NULL
);
