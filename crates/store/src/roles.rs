//! Roles, the scopes they grant, and the users and applications that hold them.

use latchkey_core::resource::Scope;
use latchkey_core::role::BUILTIN_ROLE_IDS;
use latchkey_core::role::{Role, RoleType};

use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
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

/// Who holds roles: a user or an application, each with its own link table.
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    User(&'a str),
    Application(&'a str),
}

impl Holder<'_> {
    /// The statements of each link table, as literals: `(roles held, add, remove)`.
    fn sql(self) -> [&'static str; 3] {
        match self {
            Self::User(_) => [
                "SELECT r.id, r.name, r.description, r.type, r.created_at FROM roles r \
                 JOIN users_roles h ON h.role_id = r.id WHERE h.user_id = $1 ORDER BY r.name",
                "INSERT INTO users_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                "DELETE FROM users_roles WHERE user_id = $1 AND role_id = $2",
            ],
            Self::Application(_) => [
                "SELECT r.id, r.name, r.description, r.type, r.created_at FROM roles r \
                 JOIN applications_roles h ON h.role_id = r.id WHERE h.application_id = $1 \
                 ORDER BY r.name",
                "INSERT INTO applications_roles (application_id, role_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                "DELETE FROM applications_roles WHERE application_id = $1 AND role_id = $2",
            ],
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
        let sql = format!("SELECT {COLUMNS} FROM roles WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    pub async fn list_roles(&self, search: Option<&str>, page: Page) -> Result<(Vec<Role>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "description"], term);
        }
        self.list_page(COLUMNS, "roles", &filter, "created_at, id", page)
            .await
    }

    /// Add a role; `Conflict` when the name is taken.
    pub async fn insert_role(&self, role: &Role) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO roles (id, name, description, type, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![
                &role.id,
                &role.name,
                &role.description,
                role.role_type.as_str(),
                role.created_at,
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// Change name and description; built-in roles never change here.
    pub async fn update_role(&self, role: &Role) -> Result<()> {
        let [first, second] = BUILTIN_ROLE_IDS;
        self.execute_found(Statement::new(
            "UPDATE roles SET name = $1, description = $2 WHERE id = $3 AND id NOT IN ($4, $5)",
            args![&role.name, &role.description, &role.id, first, second],
        ))
        .await
    }

    pub async fn delete_role(&self, id: &str) -> Result<()> {
        let [first, second] = BUILTIN_ROLE_IDS;
        self.execute_found(Statement::new(
            "DELETE FROM roles WHERE id = $1 AND id NOT IN ($2, $3)",
            args![id, first, second],
        ))
        .await
    }

    /// The scopes a role grants.
    pub async fn find_role_scopes(&self, role_id: &str) -> Result<Vec<Scope>> {
        const SQL: &str = "SELECT s.id, s.resource_id, s.name, s.description, s.descriptions, s.created_at \
             FROM scopes s JOIN roles_scopes rs ON rs.scope_id = s.id WHERE rs.role_id = $1 \
             ORDER BY s.resource_id, s.name";
        self.fetch_all(SQL, &args![role_id]).await
    }

    /// Grant scopes to a role, all or nothing; already granted ones are kept as they are.
    pub async fn add_role_scopes(&self, role_id: &str, scope_ids: &[String]) -> Result<()> {
        let inserts = scope_ids.iter().map(|scope_id| {
            Statement::new(
                "INSERT INTO roles_scopes (role_id, scope_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                args![role_id, scope_id],
            )
        });
        self.execute(inserts.collect()).await?;
        Ok(())
    }

    pub async fn remove_role_scope(&self, role_id: &str, scope_id: &str) -> Result<()> {
        let [first, second] = BUILTIN_ROLE_IDS;
        self.execute_found(Statement::new(
            "DELETE FROM roles_scopes \
             WHERE role_id = $1 AND scope_id = $2 AND role_id NOT IN ($3, $4)",
            args![role_id, scope_id, first, second],
        ))
        .await
    }

    /// The roles a user or an application holds.
    pub async fn find_roles_of(&self, holder: Holder<'_>) -> Result<Vec<Role>> {
        let [held, _, _] = holder.sql();
        self.fetch_all(held, &args![holder.id()]).await
    }

    /// Who holds a role: users (id, username or email) and applications (id, name).
    pub async fn find_role_holders(
        &self,
        role_id: &str,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>)> {
        const USERS: &str = "SELECT u.id, coalesce(u.username, u.primary_email, u.primary_phone, u.id) \
             FROM users u JOIN users_roles h ON h.user_id = u.id WHERE h.role_id = $1 ORDER BY 2";
        const APPLICATIONS: &str = "SELECT a.id, a.name FROM applications a \
             JOIN applications_roles h ON h.application_id = a.id WHERE h.role_id = $1 ORDER BY 2";
        let users = self.fetch_all(USERS, &args![role_id]).await?;
        let apps = self.fetch_all(APPLICATIONS, &args![role_id]).await?;
        Ok((users, apps))
    }

    /// Assign roles, all or nothing; roles already held are kept.
    pub async fn add_roles_to(&self, holder: Holder<'_>, role_ids: &[String]) -> Result<()> {
        let [_, add, _] = holder.sql();
        let inserts = role_ids
            .iter()
            .map(|role_id| Statement::new(add, args![holder.id(), role_id]));
        self.execute(inserts.collect()).await?;
        Ok(())
    }

    pub async fn remove_role_from(&self, holder: Holder<'_>, role_id: &str) -> Result<()> {
        let [_, _, remove] = holder.sql();
        self.execute_found(Statement::new(remove, args![holder.id(), role_id]))
            .await
    }
}
