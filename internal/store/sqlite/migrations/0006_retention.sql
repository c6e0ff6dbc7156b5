-- 0006_retention: the index retention reads, and a due-delivery index that
-- holds only what is due.
--
-- Retention (store.PruneAlerts) ages an alert by updated_at: the last time
-- its source sent it or its status changed. An alert the source still
-- re-sends is alive however long ago it first came, and pruning it would
-- make its next re-send a new alert. This index lists a tenant's alerts in
-- that order, so a batch reads its oldest alerts and stops there instead of
-- walking the table.
CREATE INDEX alerts_tenant_updated ON alerts (tenant_id, updated_at);

-- deliveries_due serves only pending deliveries (DueDeliveries,
-- NextDeliveryAt, which name state = 'pending' word for word) yet held an
-- entry for every delivery ever made, the done ones too. Partial, it holds
-- the pending ones, and state need not be a column of it.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (integration_id, next_attempt_at) WHERE state = 'pending';

-- A delivery's payload (the JSON of the rules decision: about 1.5 KB, an
-- alert's description twice among it) is read only while the delivery may
-- still run; once it is spent (done or merged) the store keeps none. In the
-- deliveries row, dropping it freed nothing: SQLite fills a table's pages
-- as rows are inserted, and a row that shrinks later leaves its page as
-- empty as it made it (measured over 20,000 delivered alerts: the
-- deliveries table took 2,053 bytes an alert with the payloads and the same
-- without them). So payloads live in a table of their own whose rows are
-- deleted, not shrunk: it holds the work in flight, and its pages go back
-- to the free list for any table to reuse.
--
-- deliveries.payload is retired: new rows write '' and nothing reads it.
-- Dropping it would rewrite every row in place, which frees no page
-- either; the payloads already in it leave with their alerts (retention).
CREATE TABLE delivery_payloads (
    delivery_id INTEGER NOT NULL PRIMARY KEY REFERENCES deliveries (id),
    payload     TEXT    NOT NULL -- JSON of the rules decision
);

INSERT INTO delivery_payloads (delivery_id, payload)
SELECT id, payload FROM deliveries WHERE state NOT IN ('done', 'merged') AND payload <> '';
