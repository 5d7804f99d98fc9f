-- Whether the owner of the primary email proved it (a code sent there was typed back), or an
-- administrator said so. A changed address is unproven again.
ALTER TABLE users ADD COLUMN primary_email_verified BOOLEAN NOT NULL DEFAULT FALSE;

-- Codes sent to an address, kept only as hashes salted by the row's id. `pending` is the
-- account a sign-up creates once its address is proven (its password only as a hash).
CREATE TABLE email_challenges (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_up', 'verify', 'change', 'recovery')),
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    pending TEXT
);
CREATE INDEX email_challenges_expires ON email_challenges (expires_at);
CREATE INDEX email_challenges_user ON email_challenges (user_id, purpose);

-- Mail to send, written in the transaction of the action that causes it and sent by any
-- node's worker, which leases a row (`lease_until`) before sending it so that no two nodes
-- send one message. `payload` holds what the message says that is not in its template (a
-- code, a link), sealed under the operator's key when one is set, and is emptied once the
-- message is sent or given up.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id, created_at);
CREATE INDEX outbox_finished ON outbox (finished_at);
