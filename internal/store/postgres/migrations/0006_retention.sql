-- 0006_retention: the index retention reads, and a due-delivery index that
-- holds only what is due. The PostgreSQL twin of the SQLite engine's 0006.
--
-- Retention (store.PruneAlerts) ages an alert by updated_at: the last time
-- its source sent it or its status changed. An alert the source still
-- re-sends is alive however long ago it first came, and pruning it would
-- make its next re-send a new alert. This index lists a tenant's alerts in
-- that order, so a batch reads its oldest alerts and stops there instead of
-- walking the table.
CREATE INDEX alerts_tenant_updated ON alerts (tenant_id, updated_at);

-- deliveries_due serves only pending deliveries (DueDeliveries,
-- NextDeliveryAt, which name state = 'pending' as a constant, so a generic
-- plan may use it too) yet held an entry for every delivery ever made.
-- Partial, it holds the pending ones, and state need not be a column of it.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (integration_id, next_attempt_at) WHERE state = 'pending';

-- Unlike the SQLite engine, payloads stay in deliveries: an UPDATE writes
-- a new row version and VACUUM gives the old one's space back for reuse,
-- so emptying a spent delivery's payload (store.DeliveryState.Spent) frees
-- it without a table of its own.
