-- 0002_leases: one holder per name (an integration's delivery, polling and
-- billing work) at a time, across processes sharing the file (and, on
-- PostgreSQL, across replicas).
--
-- A row is never deleted: releasing a lease only moves expires_at to 0 (the
-- epoch). So the row keeps the last token issued for its name, and the next
-- holder's token (token + 1) is strictly greater than every token ever
-- issued for that name, also after a release. That is what fencing needs:
-- a paused old holder's token can never become current again.
--
-- tenant_id is NULL for names that are not one tenant's (every name today:
-- an integration id is unique across tenants); it is there so a console can
-- list a tenant's leases later without a migration.
CREATE TABLE leases (
    name       TEXT   NOT NULL PRIMARY KEY,
    tenant_id  TEXT,
    holder     TEXT   NOT NULL,
    token      BIGINT NOT NULL CHECK (token > 0),
    expires_at BIGINT NOT NULL -- microseconds since the epoch, UTC
);
