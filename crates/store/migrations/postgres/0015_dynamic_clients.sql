-- Clients that registered themselves: through a metadata document at their client ID (CIMD)
-- or dynamic registration (RFC 7591); NULL for those an administrator registered.
ALTER TABLE applications ADD COLUMN registration TEXT CHECK (registration IN ('cimd', 'dcr'));
-- An administrator's decision on such a client: NULL until one is made.
ALTER TABLE applications ADD COLUMN approval TEXT CHECK (approval IN ('approved', 'blocked'));
-- Whether the dynamic-client policy's ceiling applies, until the client is given its own.
ALTER TABLE applications ADD COLUMN policy_ceiling BOOLEAN NOT NULL DEFAULT FALSE;
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

CREATE TRIGGER configs_cache AFTER INSERT OR UPDATE OR DELETE ON configs
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

-- Initial access tokens for dynamic registration (RFC 7591 §3), stored hashed.
CREATE TABLE initial_access_tokens (
    token_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    uses_left INTEGER,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
