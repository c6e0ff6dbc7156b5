-- 0009_raw_bodies: the raw body of every request (or mail) of a source
-- with a mapped format, written in the transaction of its alerts, so that
-- `ticketbridge replay` re-derives the alerts after the mapping changes.
-- The PostgreSQL twin of the SQLite engine's 0009.
CREATE TABLE raw_bodies (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   TEXT        NOT NULL,
    source_id   TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    kind        TEXT        NOT NULL, -- http or mail
    body        BYTEA       NOT NULL,
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
);
CREATE INDEX raw_bodies_source ON raw_bodies (tenant_id, source_id, id);
