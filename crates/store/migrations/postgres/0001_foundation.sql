-- Applications, their secrets, API resources, scopes, roles and signing keys.
-- Times are milliseconds since the Unix epoch. Lists are JSON arrays in TEXT.

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL CHECK (type IN ('Traditional', 'SPA', 'Native', 'MachineToMachine')),
    is_third_party BOOLEAN NOT NULL DEFAULT FALSE,
    redirect_uris TEXT NOT NULL DEFAULT '[]',
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
    cors_allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    CHECK (NOT is_third_party OR type <> 'MachineToMachine')
);

CREATE TABLE application_secrets (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    PRIMARY KEY (application_id, name)
);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    indicator TEXT NOT NULL UNIQUE,
    access_token_ttl BIGINT NOT NULL CHECK (access_token_ttl > 0),
    is_management BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE scopes (
    id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (resource_id, name)
);

CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL CHECK (type IN ('User', 'MachineToMachine')),
    created_at BIGINT NOT NULL
);

CREATE TABLE roles_scopes (
    role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, scope_id)
);

CREATE TABLE applications_roles (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, role_id)
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    algorithm TEXT NOT NULL CHECK (algorithm IN ('RS256', 'ES256')),
    state TEXT NOT NULL CHECK (state IN ('next', 'current', 'previous')),
    private_key BYTEA NOT NULL,
    encrypted BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

-- One current and one next key per algorithm, even when two nodes start at once.
CREATE UNIQUE INDEX signing_keys_one_per_state ON signing_keys (algorithm, state)
    WHERE state <> 'previous';

-- The management API: its resource (indicator set from the public URL at start-up), its one
-- scope, and the machine-to-machine role that holds it.
INSERT INTO resources (id, name, indicator, access_token_ttl, is_management, created_at)
VALUES ('management-api', 'Latchkey Management API', 'urn:latchkey:management-api', 3600, TRUE, 0);
INSERT INTO scopes (id, resource_id, name, description, created_at)
VALUES ('management-api-all', 'management-api', 'all', 'Every operation of the management API', 0);
INSERT INTO roles (id, name, description, type, created_at)
VALUES ('management-api-access', 'Management API access', 'Full access to the management API', 'MachineToMachine', 0);
INSERT INTO roles_scopes (role_id, scope_id) VALUES ('management-api-access', 'management-api-all');
