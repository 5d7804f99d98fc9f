-- Invitations to join an organization, sent by mail: the link's secret is kept only as its
-- hash; accepting one is a single conditional update (pending and not expired), so a link
-- works once. A pending invitation past expires_at is expired; `Expired` is stored only when a
-- new invitation to the same address replaces it, so that one address has at most one pending
-- invitation per organization (the partial unique index).

CREATE TABLE organization_invitations (
    id TEXT PRIMARY KEY,
    inviter_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- An email address, lowercased.
    invitee TEXT NOT NULL,
    accepted_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'Pending'
        CHECK (status IN ('Pending', 'Accepted', 'Expired', 'Revoked')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX organization_invitations_organization ON organization_invitations (organization_id, invitee);
CREATE UNIQUE INDEX organization_invitations_pending ON organization_invitations (organization_id, invitee)
    WHERE status = 'Pending';
CREATE INDEX organization_invitations_inviter ON organization_invitations (inviter_id);
CREATE INDEX organization_invitations_accepted ON organization_invitations (accepted_user_id);
CREATE INDEX organization_invitations_invitee ON organization_invitations (invitee);

-- The roles an accepted invitation gives.
CREATE TABLE organization_invitation_roles (
    invitation_id TEXT NOT NULL REFERENCES organization_invitations (id) ON DELETE CASCADE,
    organization_role_id TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (invitation_id, organization_role_id)
);
CREATE INDEX organization_invitation_roles_role ON organization_invitation_roles (organization_role_id);
