-- 0011_organizations: organizations as records. Every organization a
-- source has sent, and every PSA company imported as one, once per
-- (tenant, key); key is the source's id for it, or its name when the
-- source sends no id (what alerts and mappings name it by). sort_key is
-- the lowercased name, computed by the store so both engines list in the
-- same byte order. Mapping status is not stored: it is derived from each
-- integration's settings, which stay the one place mappings live.
CREATE TABLE organizations (
    tenant_id  TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    org_id     TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    sort_key   TEXT   NOT NULL,
    origin     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX organizations_sorted ON organizations (tenant_id, sort_key, key);

-- Organizations already sent before this version: one per distinct
-- organization key of the stored alerts, named as the latest alert names
-- it and credited to that alert's source.
INSERT INTO organizations (tenant_id, key, org_id, name, sort_key, origin, created_at, updated_at)
SELECT a.tenant_id, a.organization_key,
       COALESCE(json_extract(a.body, '$.organization.id'), ''),
       COALESCE(json_extract(a.body, '$.organization.name'), ''),
       lower(COALESCE(NULLIF(json_extract(a.body, '$.organization.name'), ''), a.organization_key)),
       'source:' || a.source_id, a.received_at, a.received_at
FROM alerts a
JOIN (SELECT max(seq) AS seq FROM alerts GROUP BY tenant_id, organization_key) latest ON latest.seq = a.seq
WHERE a.organization_key <> '';
