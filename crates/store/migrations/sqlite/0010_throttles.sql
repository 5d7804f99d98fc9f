-- Failed proofs (passwords, client secrets) per account, client or address, for back-off.
-- Shared by every node; a row is forgotten once forget_at has passed.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    forget_at BIGINT NOT NULL
);
CREATE INDEX throttles_forget ON throttles (forget_at);
