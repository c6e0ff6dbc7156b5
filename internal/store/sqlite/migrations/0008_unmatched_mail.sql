-- 0008_unmatched_mail: a mail a source received that became no alert (no
-- rule matched, or it did not parse) is kept here with the reason and its
-- raw bytes, never dropped, so a person can see it and fix the rules.
CREATE TABLE unmatched_mail (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    source_id   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    sender      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
);
CREATE INDEX unmatched_mail_tenant ON unmatched_mail (tenant_id, id);
