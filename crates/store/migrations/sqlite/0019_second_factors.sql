-- What a sign-in proved (RFC 8176 `amr` words, space-separated), kept with the session and
-- with the grants made under it. Sessions and grants from before were password sign-ins.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
ALTER TABLE grants ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

-- A sign-in half done: the password was right, the second factor is still to come. The
-- session starts only once it is proved. No foreign key: the row lives minutes, and a
-- session for a deleted user cannot start anyway.
ALTER TABLE interactions ADD COLUMN proof_user_id TEXT;
ALTER TABLE interactions ADD COLUMN proof_amr TEXT;

-- Signing in to the application needs a second factor (customClientMetadata.requireMfa).
ALTER TABLE applications ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa IN (0, 1));

-- The factors a user enrolled, in Logto's words: one authenticator app (`Totp`, its key in
-- `material`, sealed under the operator's key when one is set, and the last time step
-- accepted), passkeys (`WebAuthn`, the public key and counter in `material`), and one set
-- of recovery codes (`BackupCode`, the codes in recovery_codes).
CREATE TABLE mfa_verifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('Totp', 'WebAuthn', 'BackupCode')),
    name TEXT,
    material TEXT,
    credential_id TEXT UNIQUE,
    last_step BIGINT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX mfa_verifications_user ON mfa_verifications (user_id);
CREATE UNIQUE INDEX mfa_verifications_one_app ON mfa_verifications (user_id, type)
    WHERE type IN ('Totp', 'BackupCode');

-- Recovery codes, as hashes salted by their set's id; each is used once.
CREATE TABLE recovery_codes (
    verification_id TEXT NOT NULL REFERENCES mfa_verifications (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (verification_id, code_hash)
);

-- A WebAuthn ceremony between its options and the browser's answer: the challenge and what
-- the library checks the answer against. Taken once; gone within minutes (so no foreign key).
CREATE TABLE webauthn_ceremonies (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_up', 'sign_in', 'second_factor')),
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires ON webauthn_ceremonies (expires_at);
