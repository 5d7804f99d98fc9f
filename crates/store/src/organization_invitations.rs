//! Invitations to join an organization: kept with the hash of their link's secret and the
//! roles they give. Accepting is one transaction guarded by a conditional update (still
//! pending, not expired), which makes the membership and its roles: a link works once, and
//! two accepts racing make one member.

use latchkey_core::invitation::{Invitation, Status};
use latchkey_core::organization::OrganizationRole;

use crate::outbox::Mail;
use crate::sql::row::{Columns, Prefixed, Record};
use crate::sql::statement::{Statement, args, placeholders};
use crate::{Db, Error, Result};

const COLUMNS: &str = "id, inviter_id, invitee, accepted_user_id, organization_id, status, \
     created_at, updated_at, expires_at";

impl Record for Invitation {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let status: String = row.get("status")?;
        Ok(Invitation {
            id: row.get("id")?,
            inviter_id: row.get("inviter_id")?,
            invitee: row.get("invitee")?,
            accepted_user_id: row.get("accepted_user_id")?,
            organization_id: row.get("organization_id")?,
            status: Status::parse(&status)
                .ok_or_else(|| Error::Corrupt(format!("invitation status {status}")))?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            expires_at: row.get("expires_at")?,
        })
    }
}

/// What to look invitations up by (each a filter; none: all of them).
#[derive(Debug, Default, Clone)]
pub struct InvitationFilter {
    pub organization_id: Option<String>,
    pub inviter_id: Option<String>,
    pub invitee: Option<String>,
}

/// An invitation's id and one role it gives.
struct InvitationRole(String, OrganizationRole);

impl Record for InvitationRole {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(
            row.get("invitation_id")?,
            OrganizationRole::from_row(&Prefixed(row, "r_"))?,
        ))
    }
}

impl Db {
    /// Store a new invitation with its roles and the mail that carries its link, all or
    /// nothing; `Missing` when its organization, inviter or a role does not exist, `Conflict`
    /// when the address has a live pending invitation to the organization (an expired one is
    /// marked `Expired` in the same transaction).
    pub async fn insert_invitation(
        &self,
        invitation: &Invitation,
        (token_hash, role_ids): (&str, &[String]),
        mails: &[Mail],
    ) -> Result<()> {
        let i = invitation;
        let expire = Statement::new(
            "UPDATE organization_invitations SET status = 'Expired', updated_at = $3 \
             WHERE organization_id = $1 AND invitee = $2 AND status = 'Pending' \
             AND expires_at <= $3",
            args![&i.organization_id, &i.invitee, i.created_at],
        );
        let mut statements = vec![
            expire,
            Statement::new(
                format!(
                    "INSERT INTO organization_invitations ({COLUMNS}, token_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ),
                args![
                    &i.id,
                    i.inviter_id.as_deref(),
                    &i.invitee,
                    i.accepted_user_id.as_deref(),
                    &i.organization_id,
                    i.status.as_str(),
                    i.created_at,
                    i.updated_at,
                    i.expires_at,
                    token_hash
                ],
            ),
        ];
        for role_id in role_ids {
            statements.push(Statement::new(
                "INSERT INTO organization_invitation_roles (invitation_id, organization_role_id) \
                 VALUES ($1, $2) ON CONFLICT DO NOTHING",
                args![&i.id, role_id],
            ));
        }
        statements.extend(mails.iter().map(crate::outbox::insert));
        self.execute(statements).await?;
        Ok(())
    }

    pub async fn find_invitation(&self, id: &str) -> Result<Option<Invitation>> {
        let sql = format!("SELECT {COLUMNS} FROM organization_invitations WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// The invitation whose link's secret hashes to `token_hash`.
    pub async fn find_invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>> {
        let sql = format!("SELECT {COLUMNS} FROM organization_invitations WHERE token_hash = $1");
        self.fetch_optional(&sql, &args![token_hash]).await
    }

    /// Invitations matching every filter given, newest first.
    pub async fn list_invitations(&self, filter: &InvitationFilter) -> Result<Vec<Invitation>> {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        for (column, value) in [
            ("organization_id", &filter.organization_id),
            ("inviter_id", &filter.inviter_id),
            ("invitee", &filter.invitee),
        ] {
            if let Some(value) = value {
                values.push(value.as_str().into());
                clauses.push(format!("{column} = ${}", values.len()));
            }
        }
        let condition = match clauses.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", clauses.join(" AND ")),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM organization_invitations {condition} \
             ORDER BY created_at DESC, id LIMIT 1000"
        );
        self.fetch_all(&sql, &values).await
    }

    /// The roles each of `ids` gives, as (invitation id, role).
    pub async fn find_invitation_roles(
        &self,
        ids: &[&str],
    ) -> Result<Vec<(String, OrganizationRole)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT g.invitation_id, r.id AS r_id, r.name AS r_name, \
             r.description AS r_description, r.type AS r_type, r.created_at AS r_created_at \
             FROM organization_invitation_roles g \
             JOIN organization_roles r ON r.id = g.organization_role_id \
             WHERE g.invitation_id IN ({}) ORDER BY r.name",
            placeholders(ids.len())
        );
        let values: Vec<_> = ids.iter().map(|id| (*id).into()).collect();
        let rows: Vec<InvitationRole> = self.fetch_all(&sql, &values).await?;
        Ok(rows.into_iter().map(|r| (r.0, r.1)).collect())
    }

    pub async fn delete_invitation(&self, id: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM organization_invitations WHERE id = $1",
            args![id],
        ))
        .await
    }

    /// Revoke an invitation still pending at `now`; false if it was not.
    pub async fn revoke_invitation(&self, id: &str, now: i64) -> Result<bool> {
        let revoked = self.execute_one(Statement::new(
            "UPDATE organization_invitations SET status = 'Revoked', updated_at = $2 \
             WHERE id = $1 AND status = 'Pending' AND expires_at > $2",
            args![id, now],
        ));
        Ok(revoked.await? == 1)
    }

    /// A new link secret for a pending invitation, with the mail that carries it (the old
    /// link stops working); false if it was not pending.
    pub async fn renew_invitation(
        &self,
        id: &str,
        (token_hash, now): (&str, i64),
        mails: &[Mail],
    ) -> Result<bool> {
        let guard = Statement::new(
            "UPDATE organization_invitations SET token_hash = $2, updated_at = $3 \
             WHERE id = $1 AND status = 'Pending' AND expires_at > $3",
            args![id, token_hash, now],
        );
        let then = mails.iter().map(crate::outbox::insert).collect();
        self.execute_if(guard, then).await
    }

    /// `user_id` accepts a pending invitation at `now`: it becomes a member with the
    /// invitation's roles (kept if a member already), and (`verify`: the primary email the
    /// caller checked against the invitee) that address is proven, since the link reached it,
    /// unless it changed meanwhile. False if the invitation was no longer pending.
    pub async fn accept_invitation(
        &self,
        id: &str,
        (user_id, now): (&str, i64),
        verify: Option<&str>,
    ) -> Result<bool> {
        let guard = Statement::new(
            "UPDATE organization_invitations SET status = 'Accepted', accepted_user_id = $2, \
             updated_at = $3 WHERE id = $1 AND status = 'Pending' AND expires_at > $3",
            args![id, user_id, now],
        );
        let mut then = vec![
            Statement::new(
                "INSERT INTO organization_users (organization_id, user_id, created_at) \
                 SELECT organization_id, $2, $3 FROM organization_invitations WHERE id = $1 \
                 ON CONFLICT DO NOTHING",
                args![id, user_id, now],
            ),
            Statement::new(
                "INSERT INTO organization_user_roles \
                 (organization_id, user_id, organization_role_id) \
                 SELECT i.organization_id, $2, g.organization_role_id \
                 FROM organization_invitations i \
                 JOIN organization_invitation_roles g ON g.invitation_id = i.id \
                 WHERE i.id = $1 ON CONFLICT DO NOTHING",
                args![id, user_id],
            ),
        ];
        if let Some(email) = verify {
            then.push(Statement::new(
                "UPDATE users SET primary_email_verified = TRUE, updated_at = $3 \
                 WHERE id = $1 AND primary_email = $2",
                args![user_id, email, now],
            ));
        }
        self.execute_if(guard, then).await
    }
}
