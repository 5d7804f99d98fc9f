//! Users: profiles, passwords (argon2id hashes only), suspension.

use latchkey_core::user::User;

use crate::sql::list::{Filter, Page, Search};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

pub(crate) const COLUMNS: &str = "id, username, primary_email, primary_email_verified, primary_phone, name, password_hash, is_suspended, \
     created_at, updated_at, last_sign_in_at, custom_data, profile, avatar";

/// The columns of `users u` named `u_<column>`, for joins (read with `Prefixed(row, "u_")`).
pub(crate) static JOINED_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let joined: Vec<String> = COLUMNS
        .split(", ")
        .map(|c| format!("u.{c} AS u_{c}"))
        .collect();
    joined.join(", ")
});

impl Record for User {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(User {
            id: row.get("id")?,
            username: row.get("username")?,
            primary_email: row.get("primary_email")?,
            primary_email_verified: row.flag("primary_email_verified")?,
            primary_phone: row.get("primary_phone")?,
            name: row.get("name")?,
            password_hash: row.get("password_hash")?,
            is_suspended: row.flag("is_suspended")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            last_sign_in_at: row.get("last_sign_in_at")?,
            custom_data: serde_json::from_str(&row.get::<String>("custom_data")?)
                .map_err(|_| Error::Corrupt("custom_data is not JSON".into()))?,
            profile: serde_json::from_str(&row.get::<String>("profile")?)
                .map_err(|_| Error::Corrupt("profile is not JSON".into()))?,
            avatar: row.get("avatar")?,
        })
    }
}

/// The users list's search by prefix: each expression is an index's (migration 0022).
const PREFIXED: [&str; 5] = [
    "id",
    "lower(username)",
    "lower(primary_email)",
    "primary_phone",
    "lower(name)",
];
/// The columns a LIKE pattern is matched against.
const SEARCHED: [&str; 5] = ["id", "username", "primary_email", "primary_phone", "name"];

impl Db {
    pub async fn find_user(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        self.fetch_optional(&sql, &[id.into()]).await
    }

    /// A user by username or primary email, whatever the case.
    pub async fn find_user_by_identifier(&self, identifier: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM users \
             WHERE lower(username) = lower($1) OR lower(primary_email) = lower($1)"
        );
        self.fetch_optional(&sql, &[identifier.into()]).await
    }

    pub async fn list_users(&self, search: Option<&str>, page: Page) -> Result<(Vec<User>, i64)> {
        let mut filter = Filter::default();
        match search.and_then(Search::of) {
            Some(Search::Prefix(prefix)) => filter.prefix(&PREFIXED, &prefix, self.backend()),
            Some(Search::Pattern(like)) => filter.pattern(&SEARCHED, &like),
            None => {}
        }
        self.list_page(COLUMNS, "users", &filter, "created_at DESC, id", page)
            .await
    }

    /// Add a user; `Conflict` when the username, email or phone is taken (in any case).
    pub async fn insert_user(&self, user: &User) -> Result<()> {
        self.execute_one(insert(user)).await?;
        Ok(())
    }

    /// Write profile, password hash and suspension; `Conflict` on a taken identifier.
    pub async fn update_user(&self, user: &User) -> Result<()> {
        let update = Statement::new(
            "UPDATE users SET username = $1, primary_email = $2, primary_phone = $3, name = $4, \
             password_hash = $5, is_suspended = $6, updated_at = $7, custom_data = $8, profile = $9, \
             avatar = $10, primary_email_verified = $11 WHERE id = $12",
            args![
                &user.username,
                &user.primary_email,
                &user.primary_phone,
                &user.name,
                &user.password_hash,
                user.is_suspended,
                user.updated_at,
                user.custom_data.to_string(),
                user.profile.to_string(),
                &user.avatar,
                user.primary_email_verified,
                &user.id,
            ],
        );
        self.execute_found(update).await
    }

    /// Set a user's password hash and end what the old password opened, in one transaction:
    /// every session of the user, and every refresh token, opaque access token and unused
    /// code of every grant (consent stays; the user signs in again everywhere). `NotFound`
    /// for an unknown user.
    pub async fn set_password(&self, id: &str, password_hash: &str, now_ms: i64) -> Result<()> {
        let mut statements = set_password(id, password_hash, now_ms).into_iter();
        let update = statements.next().ok_or(Error::NotFound)?;
        match self.execute_if(update, statements.collect()).await? {
            true => Ok(()),
            false => Err(Error::NotFound),
        }
    }

    pub async fn delete_user(&self, id: &str) -> Result<()> {
        let delete = Statement::new("DELETE FROM users WHERE id = $1", args![id]);
        self.execute_found(delete).await
    }
}

/// The row that adds `user`.
pub(crate) fn insert(user: &User) -> Statement {
    Statement::new(
        "INSERT INTO users (id, username, primary_email, primary_phone, name, password_hash, \
         is_suspended, created_at, updated_at, last_sign_in_at, custom_data, profile, avatar, \
         primary_email_verified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        args![
            &user.id,
            &user.username,
            &user.primary_email,
            &user.primary_phone,
            &user.name,
            &user.password_hash,
            user.is_suspended,
            user.created_at,
            user.updated_at,
            user.last_sign_in_at,
            user.custom_data.to_string(),
            user.profile.to_string(),
            &user.avatar,
            user.primary_email_verified,
        ],
    )
}

/// The password hash of user `id` set, then what the old password opened ended: every
/// session, and every refresh token, opaque access token and unused code of every grant.
pub(crate) fn set_password(id: &str, password_hash: &str, now_ms: i64) -> Vec<Statement> {
    let update = Statement::new(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
        [password_hash.into(), now_ms.into(), id.into()],
    );
    let ended = [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM refresh_tokens WHERE grant_id IN (SELECT id FROM grants WHERE user_id = $1)",
        "DELETE FROM access_tokens WHERE grant_id IN (SELECT id FROM grants WHERE user_id = $1)",
        "DELETE FROM authorization_codes WHERE consumed_at IS NULL \
         AND grant_id IN (SELECT id FROM grants WHERE user_id = $1)",
    ]
    .map(|sql| Statement::new(sql, [id.into()]));
    std::iter::once(update).chain(ended).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dbs;

    fn user(id: &str, username: &str) -> User {
        User {
            id: id.into(),
            username: Some(username.into()),
            primary_email: None,
            primary_email_verified: false,
            primary_phone: None,
            name: None,
            password_hash: None,
            is_suspended: false,
            created_at: 0,
            updated_at: 0,
            last_sign_in_at: None,
            custom_data: serde_json::json!({}),
            profile: serde_json::json!({}),
            avatar: None,
        }
    }

    #[tokio::test]
    async fn usernames_are_unique_whatever_their_case() {
        for db in test_dbs::each().await {
            db.insert_user(&user("u1", "Alice"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(
                db.insert_user(&user("u2", "alice")).await,
                Err(Error::Conflict)
            ));
            let mut bob = user("u3", "bob");
            bob.is_suspended = true;
            db.insert_user(&bob).await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(db.find_user("u3").await.ok().flatten(), Some(bob.clone()));
            bob.username = Some("ALICE".into());
            assert!(matches!(db.update_user(&bob).await, Err(Error::Conflict)));
            let (found, total) = db
                .list_users(
                    Some("ali"),
                    Page {
                        page: 1,
                        page_size: 10,
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((found.len(), total), (1, 1));
        }
    }

    #[tokio::test]
    async fn search_matches_the_start_of_identifiers_or_logtos_patterns() {
        for db in test_dbs::each().await {
            let mut elodie = user("u1", "elodie_d");
            elodie.name = Some("Élodie Durand".into());
            elodie.primary_email = Some("Elodie@Example.com".into());
            db.insert_user(&elodie)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            db.insert_user(&user("u2", "dur_100%"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let page = Page {
                page: 1,
                page_size: 10,
            };
            let ids = |term: &'static str| {
                let db = db.clone();
                async move {
                    let (found, total) = db
                        .list_users(Some(term), page)
                        .await
                        .unwrap_or_else(|e| panic!("{term}: {e}"));
                    assert_eq!(found.len() as i64, total, "{term}");
                    found.into_iter().map(|u| u.id).collect::<Vec<_>>()
                }
            };
            // A plain term is a prefix, whatever the case, of any identifier or the name.
            assert_eq!(ids("ELOD").await, ["u1"]);
            assert_eq!(ids("elodie@ex").await, ["u1"]);
            assert_eq!(ids("Élo").await, ["u1"]);
            assert_eq!(ids("u2").await, ["u2"]);
            assert!(ids("durand").await.is_empty(), "not inside a name");
            assert!(ids("odie").await.is_empty(), "not inside a username");
            // Logto's patterns: `%` anywhere, `\%` a literal one, a lone `\` at the end
            // taken literally rather than failing.
            assert_eq!(ids("%durand%").await, ["u1"]);
            assert_eq!(ids("dur\\_100\\%").await, ["u2"]);
            assert_eq!(ids("dur%").await, ["u2"]);
            assert!(ids("%\\").await.is_empty());
            assert!(ids("%").await.len() == 2, "`%` alone lists everyone");
        }
    }
}
