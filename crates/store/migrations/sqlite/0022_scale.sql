-- Indexes for a database that holds millions of users, tokens and audit entries: each list
-- the console and the management API page through, and each background deletion, reads an
-- index range rather than the whole table (decision 0027; `plans` tests hold this).

-- The users list, newest first; search by prefix of id, username, email and phone uses the
-- primary key and the unique indexes (SQLite compares text byte by byte), the name this one.
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_name_prefix ON users (lower(name));

-- A user's audit trail: entries by them or about them, newest first.
CREATE INDEX audit_logs_actor ON audit_logs (actor_id, created_at);
CREATE INDEX audit_logs_target ON audit_logs (target_id, created_at);

-- Grant retention (LATCHKEY_GRANT_RETENTION_DAYS): the oldest grants and consents first; a
-- grant's tokens are found through the grant's own indexes.
CREATE INDEX grants_created ON grants (created_at, id);
CREATE INDEX consents_last_used ON consents (last_used_at, id);
