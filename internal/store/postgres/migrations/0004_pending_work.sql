-- 0004_pending_work: the reads made on every worker cycle and API request
-- find their rows through indexes that match their predicates, so their
-- cost follows the work pending, not the alerts stored. The PostgreSQL
-- twin of the SQLite engine's 0004: the trigger is a function here, the
-- pending test a stored column the planner keeps statistics on, and the
-- tenant index needs its id spelled out.
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
--
-- Under READ COMMITTED the trigger cannot see a route another transaction
-- has inserted but not committed, so the route insert reads the alert's
-- status FOR SHARE (see sqlInsertRoute): a status change and a new route of
-- the same alert take turns, and whichever commits second sees the other.
ALTER TABLE routes ADD COLUMN alert_status TEXT NOT NULL DEFAULT '';
UPDATE routes SET alert_status = a.status FROM alerts a WHERE a.seq = routes.alert_seq;

-- search_path is pinned to the schema the function is made in, so the
-- trigger finds this schema's routes whatever a session's search_path is.
CREATE FUNCTION alerts_status_to_routes() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE routes SET alert_status = NEW.status WHERE alert_seq = NEW.seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER alerts_status_to_routes AFTER UPDATE OF status ON alerts
FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
EXECUTE FUNCTION alerts_status_to_routes();

-- The planner cannot estimate how many rows a comparison of two columns
-- keeps and assumes nearly all, which makes it join every route to its
-- alert rather than read the partial index. status_pending is that
-- comparison as a stored column, whose statistics say how rare a pending
-- change is; the index and StatusChanges name it. ANALYZE gives the new
-- column its statistics now rather than at autovacuum's next visit.
ALTER TABLE routes ADD COLUMN status_pending BOOLEAN NOT NULL
    GENERATED ALWAYS AS (outcome = 'queued' AND alert_status <> handled_status) STORED;

CREATE INDEX routes_status_pending ON routes (integration_id) WHERE status_pending;

-- A tenant's or an integration's deliveries in one state, newest first:
-- the API's ?state= and ?integration=&state=, and the engine's list of
-- failed notes to resume after a create succeeds. The tenant index
-- replaces (tenant_id, state), which it covers for CountDeliveries.
CREATE INDEX deliveries_tenant_state_id ON deliveries (tenant_id, state, id);
DROP INDEX deliveries_tenant_state;
CREATE INDEX deliveries_integration_state ON deliveries (integration_id, state, id);

ANALYZE routes;
ANALYZE deliveries;
