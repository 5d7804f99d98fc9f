//! Members of organizations (users and machine applications) and the organization roles each
//! holds there. A user who leaves an organization also takes it back from every third-party
//! application it was shared with.

use latchkey_core::organization::OrganizationRole;
use latchkey_core::user::User;

use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Prefixed, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

/// Who belongs to organizations: a user or a machine application, each with its own tables.
#[derive(Debug, Clone, Copy)]
pub enum Member<'a> {
    User(&'a str),
    Application(&'a str),
}

/// One kind of member's tables and columns, as literals.
pub(crate) struct Tables {
    pub members: &'static str,
    pub roles: &'static str,
    pub column: &'static str,
}

impl Member<'_> {
    pub(crate) fn tables(self) -> Tables {
        match self {
            Self::User(_) => Tables {
                members: "organization_users",
                roles: "organization_user_roles",
                column: "user_id",
            },
            Self::Application(_) => Tables {
                members: "organization_applications",
                roles: "organization_application_roles",
                column: "application_id",
            },
        }
    }

    pub(crate) fn id(self) -> String {
        match self {
            Self::User(id) | Self::Application(id) => id.to_owned(),
        }
    }
}

impl Db {
    /// Make each of `ids` a member (kept as they are if already); all or nothing, and
    /// `Missing` when one does not exist. `replace`: everyone else leaves.
    pub async fn add_members(
        &self,
        organization_id: &str,
        ids: Vec<Member<'_>>,
        replace: Option<Member<'_>>,
        now: i64,
    ) -> Result<()> {
        let mut statements = Vec::new();
        if let Some(kind) = replace {
            statements.extend(leave_all_but(organization_id, kind, &ids));
        }
        for member in &ids {
            let Tables {
                members, column, ..
            } = member.tables();
            let sql = format!(
                "INSERT INTO {members} (organization_id, {column}, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
            );
            statements.push(Statement::new(
                sql,
                args![organization_id, member.id(), now],
            ));
        }
        self.execute(statements).await?;
        Ok(())
    }

    /// `member` leaves the organization, losing its roles there and (a user) what it chose
    /// to share from it with third-party applications. `NotFound` if it was not a member.
    pub async fn remove_member(&self, organization_id: &str, member: Member<'_>) -> Result<()> {
        let Tables {
            members, column, ..
        } = member.tables();
        let leave = Statement::new(
            format!("DELETE FROM {members} WHERE organization_id = $1 AND {column} = $2"),
            args![organization_id, member.id()],
        );
        let then = match member {
            Member::User(user_id) => vec![forget_consents(organization_id, user_id)],
            Member::Application(_) => vec![],
        };
        match self.execute_if(leave, then).await? {
            true => Ok(()),
            false => Err(Error::NotFound),
        }
    }

    /// Whether `member` belongs to the organization.
    pub async fn find_membership(&self, organization_id: &str, member: Member<'_>) -> Result<bool> {
        let Tables {
            members, column, ..
        } = member.tables();
        let sql =
            format!("SELECT COUNT(*) FROM {members} WHERE organization_id = $1 AND {column} = $2");
        let found: Option<i64> = self
            .fetch_optional(&sql, &args![organization_id, member.id()])
            .await?;
        Ok(found.unwrap_or(0) > 0)
    }

    /// A page of the organization's users, by name; `search` as for users, `role_id` only
    /// those holding that organization role there.
    pub async fn list_organization_users(
        &self,
        organization_id: &str,
        search: Option<&str>,
        role_id: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, i64)> {
        let mut filter = Filter::default();
        filter.text_eq("member_of", organization_id);
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "username", "primary_email", "name"], term);
        }
        if let Some(role_id) = role_id {
            filter.clause(
                "id IN (SELECT user_id FROM organization_user_roles \
                 WHERE organization_id = {} AND organization_role_id = {})",
                [organization_id, role_id],
            );
        }
        const MEMBERS: &str = "(SELECT u.*, m.organization_id AS member_of FROM users u \
             JOIN organization_users m ON m.user_id = u.id) members";
        let columns = crate::users::COLUMNS;
        self.list_page(columns, MEMBERS, &filter, "created_at, id", page)
            .await
    }

    /// The machine applications that are members, by id.
    pub async fn list_organization_applications(
        &self,
        organization_id: &str,
    ) -> Result<Vec<String>> {
        const SQL: &str = "SELECT application_id FROM organization_applications \
             WHERE organization_id = $1 ORDER BY application_id";
        self.fetch_all(SQL, &args![organization_id]).await
    }

    /// The organization roles each member of `kind` holds in the organization, as
    /// (member id, role), for the members among `ids`.
    pub async fn find_members_roles(
        &self,
        organization_id: &str,
        ids: &[Member<'_>],
    ) -> Result<Vec<(String, OrganizationRole)>> {
        let Some(first) = ids.first() else {
            return Ok(Vec::new());
        };
        let Tables { roles, column, .. } = first.tables();
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT h.{column} AS member_id, r.id AS r_id, r.name AS r_name, \
             r.description AS r_description, r.type AS r_type, r.created_at AS r_created_at \
             FROM {roles} h JOIN organization_roles r ON r.id = h.organization_role_id \
             WHERE h.organization_id = $1 AND h.{column} IN ({}) ORDER BY r.name",
            placeholders.join(", ")
        );
        let mut values = vec![organization_id.into()];
        values.extend(ids.iter().map(|m| m.id().into()));
        let rows: Vec<MemberRole> = self.fetch_all(&sql, &values).await?;
        Ok(rows.into_iter().map(|r| (r.0, r.1)).collect())
    }

    /// Give a member roles (kept if held already), or (`replace`) exactly these; all or
    /// nothing. `Missing` when a role does not exist or `member` is not a member.
    pub async fn set_member_roles(
        &self,
        organization_id: &str,
        member: Member<'_>,
        role_ids: &[String],
        replace: bool,
    ) -> Result<()> {
        let Tables { roles, column, .. } = member.tables();
        let mut statements = Vec::new();
        if replace {
            statements.push(Statement::new(
                format!("DELETE FROM {roles} WHERE organization_id = $1 AND {column} = $2"),
                args![organization_id, member.id()],
            ));
        }
        for role_id in role_ids {
            statements.push(Statement::new(
                format!(
                    "INSERT INTO {roles} (organization_id, {column}, organization_role_id) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                ),
                args![organization_id, member.id(), role_id],
            ));
        }
        self.execute(statements).await?;
        Ok(())
    }

    /// Take one organization role from a member; `NotFound` if it did not hold it.
    pub async fn remove_member_role(
        &self,
        organization_id: &str,
        member: Member<'_>,
        role_id: &str,
    ) -> Result<()> {
        let Tables { roles, column, .. } = member.tables();
        self.execute_found(Statement::new(
            format!(
                "DELETE FROM {roles} WHERE organization_id = $1 AND {column} = $2 \
                 AND organization_role_id = $3"
            ),
            args![organization_id, member.id(), role_id],
        ))
        .await
    }
}

/// Statements making every member of `kind` but `staying` leave.
fn leave_all_but(
    organization_id: &str,
    kind: Member<'_>,
    staying: &[Member<'_>],
) -> Vec<Statement> {
    let Tables {
        members, column, ..
    } = kind.tables();
    let mut placeholders = vec!["''".to_owned()];
    placeholders.extend((0..staying.len()).map(|i| format!("${}", i + 2)));
    let mut values = vec![organization_id.into()];
    values.extend(staying.iter().map(|m| m.id().into()));
    let mut statements = Vec::new();
    if let Member::User(_) = kind {
        statements.push(Statement::new(
            format!(
                "DELETE FROM consent_organizations WHERE organization_id = $1 AND consent_id IN \
                 (SELECT c.id FROM consents c JOIN organization_users m ON m.user_id = c.user_id \
                 WHERE m.organization_id = $1 AND m.user_id NOT IN ({}))",
                placeholders.join(", ")
            ),
            values.clone(),
        ));
    }
    statements.push(Statement::new(
        format!(
            "DELETE FROM {members} WHERE organization_id = $1 AND {column} NOT IN ({})",
            placeholders.join(", ")
        ),
        values,
    ));
    statements
}

/// The statement forgetting which third-party applications `user_id` let into the
/// organization.
fn forget_consents(organization_id: &str, user_id: &str) -> Statement {
    Statement::new(
        "DELETE FROM consent_organizations WHERE organization_id = $1 \
         AND consent_id IN (SELECT id FROM consents WHERE user_id = $2)",
        args![organization_id, user_id],
    )
}

/// A member's id and one role it holds.
struct MemberRole(String, OrganizationRole);

impl Record for MemberRole {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(
            row.get("member_id")?,
            OrganizationRole::from_row(&Prefixed(row, "r_"))?,
        ))
    }
}
