-- 0011_organizations: organizations as records, the PostgreSQL twin of
-- the SQLite engine's 0011. Keys and sort keys compare in "C" collation,
-- so listings page in the same byte order as on SQLite whatever the
-- database's locale.
CREATE TABLE organizations (
    tenant_id  TEXT               NOT NULL,
    key        TEXT COLLATE "C"   NOT NULL,
    org_id     TEXT               NOT NULL,
    name       TEXT               NOT NULL,
    sort_key   TEXT COLLATE "C"   NOT NULL,
    origin     TEXT               NOT NULL,
    created_at TIMESTAMPTZ        NOT NULL,
    updated_at TIMESTAMPTZ        NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX organizations_sorted ON organizations (tenant_id, sort_key, key);

-- Organizations already sent before this version, named as the latest
-- alert names them and credited to that alert's source. lower() here may
-- differ from the store's Go lowercasing outside ASCII; the next alert of
-- such an organization does not rewrite it, which only moves it in the
-- listing order.
INSERT INTO organizations (tenant_id, key, org_id, name, sort_key, origin, created_at, updated_at)
SELECT DISTINCT ON (a.tenant_id, a.organization_key)
       a.tenant_id, a.organization_key,
       COALESCE((a.body::jsonb) -> 'organization' ->> 'id', ''),
       COALESCE((a.body::jsonb) -> 'organization' ->> 'name', ''),
       lower(COALESCE(NULLIF((a.body::jsonb) -> 'organization' ->> 'name', ''), a.organization_key)),
       'source:' || a.source_id, a.received_at, a.received_at
FROM alerts a
WHERE a.organization_key <> ''
ORDER BY a.tenant_id, a.organization_key, a.seq DESC;
