-- Third-party applications: the ceiling of what each may ask for, and its branding.

-- User-data scopes (profile, email, ...) the application may request.
CREATE TABLE application_user_consent_scopes (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    PRIMARY KEY (application_id, scope)
);

-- API scopes the application may request.
CREATE TABLE application_resource_consent_scopes (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, scope_id)
);

-- Shown on the consent page only.
CREATE TABLE application_sign_in_experiences (
    application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    display_name TEXT,
    logo_url TEXT,
    dark_logo_url TEXT,
    terms_of_use_url TEXT,
    privacy_policy_url TEXT
);
