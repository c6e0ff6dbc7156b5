-- 0007_source_format: a source has a format (how its bodies become
-- canonical alerts) and settings (default organization, organization
-- from field, an adjusted mapping). The PostgreSQL twin of the SQLite
-- engine's 0007. Existing sources keep speaking the canonical contract.
ALTER TABLE sources ADD COLUMN format TEXT NOT NULL DEFAULT 'canonical';
ALTER TABLE sources ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
