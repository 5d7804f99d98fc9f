-- Clients that registered themselves: through a metadata document at their client ID (CIMD)
-- or dynamic registration (RFC 7591); NULL for those an administrator registered.
ALTER TABLE applications ADD COLUMN registration TEXT CHECK (registration IN ('cimd', 'dcr'));
-- An administrator's decision on such a client: NULL until one is made.
ALTER TABLE applications ADD COLUMN approval TEXT CHECK (approval IN ('approved', 'blocked'));
-- Whether the dynamic-client policy's ceiling applies, until the client is given its own.
ALTER TABLE applications ADD COLUMN policy_ceiling INTEGER NOT NULL DEFAULT 0 CHECK (policy_ceiling IN (0, 1));
-- CIMD: when the document was read, and until when that copy is fresh.
ALTER TABLE applications ADD COLUMN metadata_fetched_at BIGINT;
ALTER TABLE applications ADD COLUMN metadata_fresh_until BIGINT;
-- When the client first completed an authorization: those that never did are reaped.
ALTER TABLE applications ADD COLUMN authorized_at BIGINT;
-- DCR: a digest of what was registered and from where, so that the same registration
-- repeated within a day returns the same client.
ALTER TABLE applications ADD COLUMN registration_digest TEXT;

CREATE INDEX applications_registration ON applications (registration, created_at);
CREATE INDEX applications_registration_digest ON applications (registration_digest);

-- Settings an administrator changes at run time, one JSON document per key.
CREATE TABLE configs (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TRIGGER configs_insert_cache AFTER INSERT ON configs
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER configs_delete_cache AFTER DELETE ON configs
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER configs_update_cache AFTER UPDATE ON configs
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

-- Initial access tokens for dynamic registration (RFC 7591 §3), stored hashed.
CREATE TABLE initial_access_tokens (
    token_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    uses_left INTEGER,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
