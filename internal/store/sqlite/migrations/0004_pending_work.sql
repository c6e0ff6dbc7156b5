-- 0004_pending_work: the reads made on every worker cycle and API request
-- find their rows through indexes that match their predicates, so their
-- cost follows the work pending, not the alerts stored.
--
-- A source status change is a queued route whose alert's status differs
-- from the status the engine last handled for it (handled_status). That
-- compares two tables, which no index can hold, so each route keeps a copy
-- of its alert's status (alert_status): written from the alert when the
-- route is inserted, and moved by the trigger below in the same statement
-- as any change of alerts.status (ingest's upsert, a status synced from a
-- PSA, any later writer). The partial index then holds exactly the pending
-- changes: a route enters it when its alert's status moves away from the
-- handled one and leaves it when MarkStatusHandled catches up.
ALTER TABLE routes ADD COLUMN alert_status TEXT NOT NULL DEFAULT '';
UPDATE routes SET alert_status = (SELECT a.status FROM alerts a WHERE a.seq = routes.alert_seq);

CREATE TRIGGER alerts_status_to_routes AFTER UPDATE OF status ON alerts
WHEN NEW.status IS NOT OLD.status
BEGIN
    UPDATE routes SET alert_status = NEW.status WHERE alert_seq = NEW.seq;
END;

CREATE INDEX routes_status_pending ON routes (integration_id)
    WHERE outcome = 'queued' AND alert_status <> handled_status;

-- An integration's deliveries in one state, newest first: the engine's
-- list of failed notes to resume after a create succeeds, and the API's
-- ?integration=&state=; deliveries_due orders them by next attempt, not id.
-- Every SQLite index ends with the rowid (id), so rows of one integration
-- and state come in id order, as a tenant's do from deliveries_tenant_state
-- (PostgreSQL spells the id out).
CREATE INDEX deliveries_integration_state ON deliveries (integration_id, state);
