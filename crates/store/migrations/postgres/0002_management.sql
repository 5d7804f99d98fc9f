-- Token settings per application, users and their roles, and the audit log.

ALTER TABLE applications ADD COLUMN id_token_ttl BIGINT NOT NULL DEFAULT 3600;
ALTER TABLE applications ADD COLUMN refresh_token_ttl_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE applications ADD COLUMN rotate_refresh_token BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE applications ADD COLUMN always_issue_refresh_token BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT,
    primary_email TEXT,
    primary_phone TEXT,
    name TEXT,
    password_hash TEXT,
    is_suspended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_sign_in_at BIGINT,
    CHECK (username IS NOT NULL OR primary_email IS NOT NULL OR primary_phone IS NOT NULL)
);
-- Identifiers are unique whatever their case.
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_primary_email ON users (lower(primary_email));
CREATE UNIQUE INDEX users_primary_phone ON users (primary_phone);

CREATE TABLE users_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);

-- Append-only: nothing updates or deletes these rows.
CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_logs_created_at ON audit_logs (created_at);
