-- 0010_tenants: the PostgreSQL twin of the SQLite engine's 0010. API
-- tokens get a role (operator or tenant admin) and a revocation time; a
-- revoked token keeps its row and authenticates no more.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'operator'));
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMPTZ;
