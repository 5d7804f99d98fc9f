//! Roles, the scopes they grant, and the users and applications that hold them.

use latchkey_core::resource::Scope;
use latchkey_core::role::BUILTIN_ROLE_IDS;
use latchkey_core::role::{Role, RoleType};

use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::{Db, Error, Result};

const COLUMNS: &str = "id, name, description, type, created_at";

impl Record for Role {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let role_type: String = row.get("type")?;
        Ok(Role {
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            role_type: RoleType::parse(&role_type)
                .ok_or_else(|| Error::Corrupt(format!("unknown role type {role_type}")))?,
            created_at: row.get("created_at")?,
        })
    }
}

fn affected(rows: u64) -> Result<()> {
    match rows {
        0 => Err(Error::NotFound),
        _ => Ok(()),
    }
}

/// Who holds roles: a user or an application, each with its own link table.
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    User(&'a str),
    Application(&'a str),
}

impl Holder<'_> {
    fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            Self::User(_) => ("users_roles", "user_id"),
            Self::Application(_) => ("applications_roles", "application_id"),
        }
    }

    fn id(self) -> String {
        match self {
            Self::User(id) | Self::Application(id) => id.to_owned(),
        }
    }
}

impl Db {
    pub async fn find_role(&self, id: &str) -> Result<Option<Role>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM roles WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Role::from_row).transpose()
    }

    pub async fn list_roles(&self, search: Option<&str>, page: Page) -> Result<(Vec<Role>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "description"], term);
        }
        let (rows, total) = self
            .list_page(COLUMNS, "roles", &filter, "created_at, id", page)
            .await?;
        Ok((
            rows.iter().map(Role::from_row).collect::<Result<_>>()?,
            total,
        ))
    }

    /// Add a role; `Conflict` when the name is taken.
    pub async fn insert_role(&self, role: &Role) -> Result<()> {
        sqlx::query("INSERT INTO roles (id, name, description, type, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&role.id)
            .bind(&role.name)
            .bind(&role.description)
            .bind(role.role_type.as_str())
            .bind(role.created_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Change name and description; built-in roles never change here.
    pub async fn update_role(&self, role: &Role) -> Result<()> {
        let done = sqlx::query(
            "UPDATE roles SET name = $1, description = $2 WHERE id = $3 AND id NOT IN ($4, $5)",
        )
        .bind(&role.name)
        .bind(&role.description)
        .bind(&role.id)
        .bind(BUILTIN_ROLE_IDS[0])
        .bind(BUILTIN_ROLE_IDS[1])
        .execute(self.writer())
        .await?;
        affected(done.rows_affected())
    }

    pub async fn delete_role(&self, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM roles WHERE id = $1 AND id NOT IN ($2, $3)")
            .bind(id)
            .bind(BUILTIN_ROLE_IDS[0])
            .bind(BUILTIN_ROLE_IDS[1])
            .execute(self.writer())
            .await?;
        affected(done.rows_affected())
    }

    /// The scopes a role grants.
    pub async fn find_role_scopes(&self, role_id: &str) -> Result<Vec<Scope>> {
        let rows = sqlx::query(
            "SELECT s.id, s.resource_id, s.name, s.description, s.created_at FROM scopes s \
             JOIN roles_scopes rs ON rs.scope_id = s.id WHERE rs.role_id = $1 ORDER BY s.resource_id, s.name",
        )
        .bind(role_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Scope::from_row).collect()
    }

    /// Grant scopes to a role, all or nothing; already granted ones are kept as they are.
    pub async fn add_role_scopes(&self, role_id: &str, scope_ids: &[String]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for scope_id in scope_ids {
            sqlx::query("INSERT INTO roles_scopes (role_id, scope_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(role_id)
                .bind(scope_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_role_scope(&self, role_id: &str, scope_id: &str) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM roles_scopes WHERE role_id = $1 AND scope_id = $2 AND role_id NOT IN ($3, $4)",
        )
        .bind(role_id)
        .bind(scope_id)
        .bind(BUILTIN_ROLE_IDS[0])
            .bind(BUILTIN_ROLE_IDS[1])
        .execute(self.writer())
        .await?;
        affected(done.rows_affected())
    }

    /// The roles a user or an application holds.
    pub async fn find_roles_of(&self, holder: Holder<'_>) -> Result<Vec<Role>> {
        let (table, column) = holder.table_and_column();
        let sql = format!(
            "SELECT r.id, r.name, r.description, r.type, r.created_at FROM roles r \
             JOIN {table} h ON h.role_id = r.id WHERE h.{column} = $1 ORDER BY r.name"
        );
        self.fetch_all(&sql, &[holder.id().into()]).await
    }

    /// Who holds a role: users (id, username or email) and applications (id, name).
    pub async fn find_role_holders(
        &self,
        role_id: &str,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>)> {
        let users = sqlx::query_as(
            "SELECT u.id, coalesce(u.username, u.primary_email, u.primary_phone, u.id) FROM users u \
             JOIN users_roles h ON h.user_id = u.id WHERE h.role_id = $1 ORDER BY 2",
        )
        .bind(role_id)
        .fetch_all(self.pool())
        .await?;
        let apps = sqlx::query_as(
            "SELECT a.id, a.name FROM applications a \
             JOIN applications_roles h ON h.application_id = a.id WHERE h.role_id = $1 ORDER BY 2",
        )
        .bind(role_id)
        .fetch_all(self.pool())
        .await?;
        Ok((users, apps))
    }

    /// Assign roles, all or nothing; roles already held are kept.
    pub async fn add_roles_to(&self, holder: Holder<'_>, role_ids: &[String]) -> Result<()> {
        let (table, column) = holder.table_and_column();
        let sql = format!(
            "INSERT INTO {table} ({column}, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        );
        let mut tx = self.writer().begin().await?;
        for role_id in role_ids {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(holder.id())
                .bind(role_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_role_from(&self, holder: Holder<'_>, role_id: &str) -> Result<()> {
        let (table, column) = holder.table_and_column();
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE {column} = $1 AND role_id = $2"
        )))
        .bind(holder.id())
        .bind(role_id)
        .execute(self.writer())
        .await?;
        affected(done.rows_affected())
    }
}
