-- 0009_raw_bodies: the raw body of every request (or mail) of a source
-- with a mapped format, written in the transaction of its alerts, so that
-- after the mapping changes `ticketbridge replay` re-derives the alerts
-- without the sender resending. Canonical bodies are the alerts
-- themselves and are not kept twice.
CREATE TABLE raw_bodies (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    source_id   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    kind        TEXT    NOT NULL, -- http or mail
    body        BLOB    NOT NULL,
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
);
CREATE INDEX raw_bodies_source ON raw_bodies (tenant_id, source_id, id);
