-- Whether an application may use the device authorization grant (RFC 8628).
ALTER TABLE applications ADD COLUMN device_flow BOOLEAN NOT NULL DEFAULT FALSE;

-- Device authorizations, waiting for a user to decide on another screen. Both codes are
-- kept only as hashes; `request` is the authorization request the user is asked about.
CREATE TABLE device_authorizations (
    id TEXT PRIMARY KEY,
    device_code_hash TEXT NOT NULL UNIQUE,
    user_code_hash TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    interval_secs INTEGER NOT NULL,
    last_polled_at BIGINT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    -- The authorization code the approval issued, which the device's next poll redeems.
    code_hash TEXT,
    decided_at BIGINT
);
CREATE INDEX device_authorizations_expires ON device_authorizations (expires_at);
CREATE INDEX device_authorizations_client ON device_authorizations (client_id);

-- Whether a first-party confidential application may exchange a user's access token for one
-- to another API (RFC 8693).
ALTER TABLE applications ADD COLUMN token_exchange BOOLEAN NOT NULL DEFAULT FALSE;
-- Seconds during which a rotated refresh token presented again gets the same new pair
-- (a retry after a lost response) instead of revoking its family.
ALTER TABLE applications ADD COLUMN refresh_token_reuse_grace_secs INTEGER NOT NULL DEFAULT 0;
-- For a rotated refresh token of such an application: the answer its rotation gave, sealed
-- under a key derived from the token's value (which is never stored).
ALTER TABLE refresh_tokens ADD COLUMN reuse_answer TEXT;
