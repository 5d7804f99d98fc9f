-- An index on every column that refers to another table and had none. Deleting a user, an
-- application, a role or a scope deletes the rows that refer to it by cascade; without these,
-- each such delete read the whole referring table (every grant, every code ever stored, every
-- user's roles) once per row deleted.
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX interactions_client ON interactions (client_id);
CREATE INDEX users_roles_role ON users_roles (role_id);
CREATE INDEX applications_roles_role ON applications_roles (role_id);
CREATE INDEX roles_scopes_scope ON roles_scopes (scope_id);
CREATE INDEX application_resource_consent_scopes_scope ON application_resource_consent_scopes (scope_id);

-- Expired codes, tokens, sessions and interactions are deleted oldest first, a few hundred
-- at a time (`expired.rs`); expiry times grow with time, so these indexes only append.
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX interactions_expiry ON interactions (expires_at);
