-- Organizations (B2B tenants): each with members, users and machine applications, who hold
-- organization roles. The roles and their organization scopes are one template shared by
-- every organization (Logto's model); a role may also hold API scopes.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    custom_data TEXT NOT NULL DEFAULT '{}',
    is_mfa_required BOOLEAN NOT NULL DEFAULT FALSE,
    -- Logto's page-styling fields, kept as given (JSON objects, and CSS text).
    color TEXT NOT NULL DEFAULT '{}',
    branding TEXT NOT NULL DEFAULT '{}',
    custom_css TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX organizations_created ON organizations (created_at, id);

CREATE TABLE organization_scopes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE organization_roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    type TEXT NOT NULL DEFAULT 'User' CHECK (type IN ('User', 'MachineToMachine')),
    created_at BIGINT NOT NULL
);

CREATE TABLE organization_role_scopes (
    organization_role_id TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    organization_scope_id TEXT NOT NULL REFERENCES organization_scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_role_id, organization_scope_id)
);
CREATE INDEX organization_role_scopes_scope ON organization_role_scopes (organization_scope_id);

CREATE TABLE organization_role_resource_scopes (
    organization_role_id TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_role_id, scope_id)
);
CREATE INDEX organization_role_resource_scopes_scope ON organization_role_resource_scopes (scope_id);

CREATE TABLE organization_users (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_users_user ON organization_users (user_id);

-- A member's roles go when the membership goes.
CREATE TABLE organization_user_roles (
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    organization_role_id TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, user_id, organization_role_id),
    FOREIGN KEY (organization_id, user_id)
        REFERENCES organization_users (organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX organization_user_roles_role ON organization_user_roles (organization_role_id);
CREATE INDEX organization_user_roles_user ON organization_user_roles (user_id);

CREATE TABLE organization_applications (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, application_id)
);
CREATE INDEX organization_applications_application ON organization_applications (application_id);

CREATE TABLE organization_application_roles (
    organization_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    organization_role_id TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, application_id, organization_role_id),
    FOREIGN KEY (organization_id, application_id)
        REFERENCES organization_applications (organization_id, application_id) ON DELETE CASCADE
);
CREATE INDEX organization_application_roles_role ON organization_application_roles (organization_role_id);

-- A third-party application's ceiling in organizations: the organization scopes and the API
-- scopes (held through organization roles) it may ask for.
CREATE TABLE application_organization_consent_scopes (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    organization_scope_id TEXT NOT NULL REFERENCES organization_scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, organization_scope_id)
);
CREATE INDEX application_organization_consent_scopes_scope
    ON application_organization_consent_scopes (organization_scope_id);

CREATE TABLE application_organization_resource_consent_scopes (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, scope_id)
);
CREATE INDEX application_organization_resource_consent_scopes_scope
    ON application_organization_resource_consent_scopes (scope_id);

-- The organizations a user chose for a third-party application on the consent page. A row
-- goes when the user leaves the organization.
CREATE TABLE consent_organizations (
    consent_id TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (consent_id, organization_id)
);
CREATE INDEX consent_organizations_organization ON consent_organizations (organization_id);

-- The organization scopes the user agreed to, for the organizations chosen.
CREATE TABLE consent_organization_scopes (
    consent_id TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    organization_scope_id TEXT NOT NULL REFERENCES organization_scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (consent_id, organization_scope_id)
);
CREATE INDEX consent_organization_scopes_scope ON consent_organization_scopes (organization_scope_id);
