-- What each user agreed to share with each application, remembered across sessions, and
-- the interaction fields the consent page needs.

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    -- The last authorization that relied on this consent.
    last_used_at BIGINT NOT NULL,
    UNIQUE (user_id, application_id)
);
CREATE INDEX consents_application ON consents (application_id);

-- User-data scopes (profile, email, offline_access, ...) consented to.
CREATE TABLE consent_user_scopes (
    consent_id TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    PRIMARY KEY (consent_id, scope)
);

-- API scopes consented to; a deleted API scope leaves every consent.
CREATE TABLE consent_resource_scopes (
    consent_id TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (consent_id, scope_id)
);
CREATE INDEX consent_resource_scopes_scope ON consent_resource_scopes (scope_id);

-- Interactions: client_id becomes optional (a sign-in for the account pages has no client),
-- and they gain the session they were started for and the user's answer on the consent page.
ALTER TABLE interactions ALTER COLUMN client_id DROP NOT NULL;
ALTER TABLE interactions ADD COLUMN session_id_hash TEXT;
ALTER TABLE interactions ADD COLUMN answer TEXT;
