-- 0010_tenants: tenants are created through the store now (the table and
-- its 'default' row date from 0001). API tokens get a role, so an
-- operator's token (which manages tenants) is told from a tenant admin's,
-- and a revocation time: a revoked token keeps its row, so its name stays
-- taken and the list shows when it died, but it authenticates no more.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'operator'));
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
