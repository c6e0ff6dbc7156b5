-- 0005_write_probe: the one row ProbeWrite rewrites, so readiness proves
-- the store can still commit (a read-only file, a full disk) with a write
-- that touches nothing else.
CREATE TABLE write_probe (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    at BIGINT  NOT NULL
);
