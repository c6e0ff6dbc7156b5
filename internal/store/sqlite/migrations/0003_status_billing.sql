-- 0003_status_billing: status sync both ways, callbacks to sources and
-- billable-user counts.
--
-- Alerts learn where their current status came from ("source", or
-- "psa:<integration name>") and when it last changed. Rows stored before
-- this migration came from ingest only, so 'source' is true for them; the
-- last update is the best known time of their last status change.
ALTER TABLE alerts ADD COLUMN status_origin TEXT NOT NULL DEFAULT 'source';
ALTER TABLE alerts ADD COLUMN status_changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE alerts SET status_changed_at = updated_at;

-- handled_status is the alert status the engine last acted on for a route.
-- Existing routes are marked handled at the alert's current status: the
-- engine before this migration did not sync status, so there is nothing
-- pending for them, and an empty value would make every old alert look
-- changed at once.
ALTER TABLE routes ADD COLUMN handled_status TEXT NOT NULL DEFAULT '';
UPDATE routes SET handled_status = (SELECT a.status FROM alerts a WHERE a.seq = routes.alert_seq);

-- Status webhooks and polls name a PSA ticket; this finds its link.
CREATE INDEX ticket_links_psa_ticket ON ticket_links (integration_id, psa_ticket_id, id);

-- Named marks of an integration's work (the status poller's last
-- modification time, billing's last synced period). tenant_id is copied
-- from the integration on write.
CREATE TABLE cursors (
    tenant_id      TEXT   NOT NULL,
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    name           TEXT   NOT NULL,
    value          TEXT   NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (integration_id, name)
);

-- Event keys already handled (a webhook's ticket id and sequence, a polled
-- change's ticket id and modification time): the primary key drops
-- duplicates. Rows older than the retention are pruned on insert, so the
-- index on at serves the prune.
CREATE TABLE seen_events (
    tenant_id      TEXT   NOT NULL,
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    key            TEXT   NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (integration_id, key)
);

CREATE INDEX seen_events_at ON seen_events (integration_id, at);

-- Status changes reported back to a source's callback URL, retried like
-- deliveries.
CREATE TABLE callbacks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT   NOT NULL,
    source_id       TEXT   NOT NULL,
    alert_seq       BIGINT NOT NULL REFERENCES alerts (seq),
    payload         TEXT   NOT NULL, -- the JSON body to POST
    state           TEXT   NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    completed_at    BIGINT,
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id)
);

CREATE INDEX callbacks_due ON callbacks (tenant_id, state, next_attempt_at);
CREATE INDEX callbacks_alert ON callbacks (alert_seq);

-- One count per organization: the latest report (by as_of) wins.
CREATE TABLE billable_counts (
    tenant_id    TEXT   NOT NULL,
    organization TEXT   NOT NULL,
    count        BIGINT NOT NULL,
    as_of        BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization)
);

-- One row per billable-user sync decision, kept for the audit trail.
CREATE TABLE billing_audits (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id           TEXT   NOT NULL,
    integration_id      BIGINT NOT NULL REFERENCES integrations (id),
    organization        TEXT   NOT NULL,
    period              TEXT   NOT NULL,
    contract_id         TEXT   NOT NULL,
    contract_service_id TEXT   NOT NULL,
    action              TEXT   NOT NULL,
    before_units        REAL   NOT NULL,
    after_units         REAL   NOT NULL,
    effective_date      BIGINT NOT NULL,
    at                  BIGINT NOT NULL,
    detail              TEXT   NOT NULL
);

CREATE INDEX billing_audits_integration ON billing_audits (integration_id, at, id);
