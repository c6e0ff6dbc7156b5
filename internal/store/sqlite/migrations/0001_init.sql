-- 0001_init: the whole first schema.
--
-- Portability: this file is written so a PostgreSQL twin differs only in
-- types (INTEGER PRIMARY KEY AUTOINCREMENT -> BIGINT GENERATED ALWAYS AS
-- IDENTITY, TEXT JSON -> JSONB if wanted). Times are BIGINT microseconds
-- since the Unix epoch, UTC: exact to the microsecond (PostgreSQL's
-- timestamptz precision), sortable, and compared with plain <=.
--
-- Every table carries tenant_id. No foreign key points at tenants yet:
-- tenants are not created through the store, so only the default one is
-- seeded here.

CREATE TABLE tenants (
    tenant_id  TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

INSERT INTO tenants (tenant_id, name, created_at) VALUES ('default', 'Default', 0);

-- token_hash is NULL for sources that do not authenticate with a token
-- (email, pollers); NULLs never collide in a unique constraint.
CREATE TABLE sources (
    tenant_id    TEXT   NOT NULL,
    id           TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    token_hash   TEXT   UNIQUE,
    callback_url TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE api_tokens (
    tenant_id  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- One row per (tenant, source, alert id): the constraint that makes
-- re-sent alerts updates. AUTOINCREMENT keeps seq from ever being reused,
-- so seq cursors stay valid even if the newest alert is deleted.
-- revision (1 on insert, +1 per update) and previous_status (the status the
-- last update replaced) let one INSERT ... ON CONFLICT ... RETURNING tell
-- an insert from an update and report the status change, without a read
-- before the write.
CREATE TABLE alerts (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        TEXT   NOT NULL,
    source_id        TEXT   NOT NULL,
    alert_id         TEXT   NOT NULL,
    organization_key TEXT   NOT NULL,
    type             TEXT   NOT NULL,
    severity         TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    previous_status  TEXT   NOT NULL,
    revision         BIGINT NOT NULL,
    occurred_at      BIGINT NOT NULL,
    body             TEXT   NOT NULL, -- JSON of alert.Alert
    received_at      BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (tenant_id, source_id, alert_id),
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
);

CREATE INDEX alerts_tenant_seq ON alerts (tenant_id, seq);

CREATE TABLE integrations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    psa         TEXT   NOT NULL,
    settings    TEXT   NOT NULL, -- JSON of integration.Settings, opaque here
    credentials TEXT   NOT NULL, -- JSON object: name -> encrypted value
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- external_ref is NULL until the engine assigns one.
CREATE TABLE ticket_links (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      TEXT   NOT NULL,
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    company_id     TEXT   NOT NULL,
    group_key      TEXT   NOT NULL,
    state          TEXT   NOT NULL CHECK (state IN ('creating', 'open', 'closed')),
    external_ref   TEXT   UNIQUE,
    psa_ticket_id  TEXT   NOT NULL,
    ticket_number  TEXT   NOT NULL,
    psa_status     TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    closed_at      BIGINT
);

-- Exactly one ticket per group: at most one creating-or-open link per
-- (integration, company, group key). A closed link leaves the index, so the
-- next alert of the group may open a new ticket.
CREATE UNIQUE INDEX ticket_links_one_live_per_group
    ON ticket_links (integration_id, company_id, group_key)
    WHERE state IN ('creating', 'open');

CREATE INDEX ticket_links_integration ON ticket_links (integration_id, id);

CREATE TABLE routes (
    tenant_id      TEXT   NOT NULL,
    alert_seq      BIGINT NOT NULL REFERENCES alerts (seq),
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    outcome        TEXT   NOT NULL,
    code           TEXT   NOT NULL,
    reason         TEXT   NOT NULL,
    ticket_link_id BIGINT REFERENCES ticket_links (id),
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (alert_seq, integration_id)
);

CREATE INDEX routes_integration_outcome ON routes (integration_id, outcome, code);
CREATE INDEX routes_ticket_link ON routes (ticket_link_id);

-- ticket_link_id and alert_seq are NULL for work that has neither (billing
-- syncs).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT   NOT NULL,
    integration_id  BIGINT NOT NULL REFERENCES integrations (id),
    ticket_link_id  BIGINT REFERENCES ticket_links (id),
    alert_seq       BIGINT REFERENCES alerts (seq),
    kind            TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT   NOT NULL,
    payload         TEXT   NOT NULL, -- JSON of the rules decision
    result          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    completed_at    BIGINT
);

CREATE INDEX deliveries_due ON deliveries (integration_id, state, next_attempt_at);
CREATE INDEX deliveries_link ON deliveries (ticket_link_id, state);
CREATE INDEX deliveries_tenant_state ON deliveries (tenant_id, state);
CREATE INDEX deliveries_alert ON deliveries (alert_seq);

-- integration_id is NULL for ingest events.
CREATE TABLE timeline (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      TEXT   NOT NULL,
    alert_seq      BIGINT NOT NULL REFERENCES alerts (seq),
    integration_id BIGINT REFERENCES integrations (id),
    at             BIGINT NOT NULL,
    event          TEXT   NOT NULL,
    detail         TEXT   NOT NULL
);

CREATE INDEX timeline_alert ON timeline (alert_seq, at, id);
