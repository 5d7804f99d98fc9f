//! Consents: what each user agreed to share with each application, kept across sessions,
//! and their revocation, which ends everything issued to that application for that user.

use latchkey_core::consent::Consent;
use latchkey_core::resource::Scope;
use latchkey_core::scope::Scopes;

use crate::sql::read::reading;
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Arg, Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Error, Result};

pub(crate) const COLUMNS: &str = "id, user_id, application_id, created_at, last_used_at";

const USER_SCOPES: &str =
    "SELECT scope FROM consent_user_scopes WHERE consent_id = $1 ORDER BY scope";
const ORGANIZATION_SCOPES: &str = "SELECT s.id, s.name, s.description, s.created_at \
     FROM organization_scopes s JOIN consent_organization_scopes c \
     ON c.organization_scope_id = s.id WHERE c.consent_id = $1 ORDER BY s.name";
const ORGANIZATIONS: &str = "SELECT c.organization_id FROM consent_organizations c \
     JOIN organizations o ON o.id = c.organization_id WHERE c.consent_id = $1 \
     ORDER BY o.created_at, o.id";
const RESOURCE_SCOPES: &str = "SELECT s.id, s.resource_id, s.name, s.description, s.descriptions, s.created_at \
     FROM scopes s JOIN consent_resource_scopes c ON c.scope_id = s.id WHERE c.consent_id = $1 \
     ORDER BY s.resource_id, s.name";

/// A consent's own row; its scopes are read by `complete`.
impl Record for Consent {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            user_id: row.get("user_id")?,
            application_id: row.get("application_id")?,
            user_scopes: Scopes::default(),
            resource_scopes: Vec::new(),
            organization_scopes: Vec::new(),
            organizations: Vec::new(),
            created_at: row.get("created_at")?,
            last_used_at: row.get("last_used_at")?,
        })
    }
}

/// A scope name the user agreed to share.
struct UserScope(String);

impl Record for UserScope {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(row.get("scope")?))
    }
}

/// The consent with its scopes.
pub(crate) async fn complete(tx: &mut impl Tx, mut consent: Consent) -> Result<Consent> {
    let id = [consent.id.as_str().into()];
    let user_scopes: Vec<UserScope> = tx.fetch_all(USER_SCOPES, &id).await?;
    consent.user_scopes = Scopes::from_names(user_scopes.into_iter().map(|UserScope(s)| s));
    consent.resource_scopes = tx.fetch_all(RESOURCE_SCOPES, &id).await?;
    consent.organization_scopes = tx.fetch_all(ORGANIZATION_SCOPES, &id).await?;
    consent.organizations = tx.fetch_all(ORGANIZATIONS, &id).await?;
    Ok(consent)
}

/// The consent of `user_id` to `application_id`, if any.
async fn find(tx: &mut impl Tx, user_id: &str, application_id: &str) -> Result<Option<Consent>> {
    let sql = format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 AND application_id = $2");
    let args = [user_id.into(), application_id.into()];
    match tx.fetch_optional(&sql, &args).await? {
        Some(head) => Ok(Some(complete(tx, head).await?)),
        None => Ok(None),
    }
}

impl Db {
    /// The API scopes of a resource the user holds through roles; for a third-party
    /// application (`ceiling_of`), only those also in its ceiling.
    pub async fn find_grantable_scopes(
        &self,
        user_id: &str,
        resource_id: &str,
        ceiling_of: Option<&str>,
    ) -> Result<Vec<Scope>> {
        let base = "SELECT DISTINCT s.id, s.resource_id, s.name, s.description, s.descriptions, s.created_at \
             FROM scopes s JOIN roles_scopes rs ON rs.scope_id = s.id \
             JOIN users_roles ur ON ur.role_id = rs.role_id \
             WHERE ur.user_id = $1 AND s.resource_id = $2";
        let sql = match ceiling_of {
            None => format!("{base} ORDER BY s.name"),
            Some(_) => format!(
                "{base} AND s.id IN (SELECT scope_id FROM application_resource_consent_scopes \
                 WHERE application_id = $3) ORDER BY s.name"
            ),
        };
        let mut args = vec![user_id.into(), resource_id.into()];
        args.extend(ceiling_of.map(Arg::from));
        self.fetch_all(&sql, &args).await
    }

    /// The user's consent to the application, if any.
    pub async fn find_consent(
        &self,
        user_id: &str,
        application_id: &str,
    ) -> Result<Option<Consent>> {
        // Every sign-in looks its consent up: on an SQLite file, on the calling thread.
        reading!(self, |conn| find(conn, user_id, application_id).await)
    }

    /// Every consent the user gave, oldest first.
    pub async fn list_consents(&self, user_id: &str) -> Result<Vec<Consent>> {
        let sql =
            format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 ORDER BY created_at, id");
        reading!(self, |conn| {
            let rows: Vec<Consent> = conn.fetch_all(&sql, &[user_id.into()]).await?;
            let mut consents = Vec::with_capacity(rows.len());
            for row in rows {
                consents.push(complete(conn, row).await?);
            }
            Ok(consents)
        })
    }

    /// Add to what the user agreed to share with the application (creating the consent the
    /// first time) and mark it used now. Returns the consent's id.
    pub async fn record_consent(
        &self,
        user_id: &str,
        application_id: &str,
        agreed: &Agreed<'_>,
        now_ms: i64,
    ) -> Result<String> {
        let record = consent_statements(user_id, application_id, agreed, now_ms);
        self.execute(record).await?;
        const SQL: &str = "SELECT id FROM consents WHERE user_id = $1 AND application_id = $2";
        let id = self
            .fetch_optional(SQL, &args![user_id, application_id])
            .await?;
        id.ok_or(Error::NotFound)
    }

    /// End the user's consent `id` and, in the same transaction, every grant of that user to
    /// that application with its refresh and opaque access tokens.
    pub async fn revoke_consent(&self, user_id: &str, id: &str, now_ms: i64) -> Result<Consent> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        transaction!(self, |tx| revoke(tx, &user_id, &id, now_ms).await)
    }
}

/// The body of `revoke_consent`'s transaction.
async fn revoke(tx: &mut impl Tx, user_id: &str, id: &str, now_ms: i64) -> Result<Consent> {
    let sql = format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 AND id = $2");
    let head = tx.fetch_optional(&sql, &args![user_id, id]).await?;
    let consent = complete(tx, head.ok_or(Error::NotFound)?).await?;
    let app = consent.application_id.as_str();
    let statements = [
        Statement::new("DELETE FROM consents WHERE id = $1", args![id]),
        Statement::new(
            "DELETE FROM refresh_tokens WHERE grant_id IN \
             (SELECT id FROM grants WHERE client_id = $1 AND user_id = $2)",
            args![app, user_id],
        ),
        Statement::new(
            "DELETE FROM access_tokens WHERE grant_id IN \
             (SELECT id FROM grants WHERE client_id = $1 AND user_id = $2)",
            args![app, user_id],
        ),
        Statement::new(
            "UPDATE grants SET revoked_at = $1 \
             WHERE client_id = $2 AND user_id = $3 AND revoked_at IS NULL",
            args![now_ms, app, user_id],
        ),
    ];
    for statement in &statements {
        tx.execute(statement).await?;
    }
    Ok(consent)
}

/// What a consent adds: user scopes, API scope ids and organization scope ids; and, when the
/// user answered the consent page (`Some`), the organizations chosen there (ids), which
/// replace those chosen before: an organization unticked is taken back.
#[derive(Debug, Clone, Copy)]
pub struct Agreed<'a> {
    pub user_scopes: &'a Scopes,
    pub scope_ids: &'a [String],
    pub organization_scope_ids: &'a [String],
    pub organizations: Option<&'a [String]>,
}

/// Create the consent of `user_id` to `application_id`, or mark its last use, and add the
/// scopes allowed now to those allowed before (`openid` is implied, not stored).
pub(crate) fn consent_statements(
    user_id: &str,
    application_id: &str,
    agreed: &Agreed<'_>,
    now_ms: i64,
) -> Vec<Statement> {
    let Agreed {
        user_scopes,
        scope_ids,
        organization_scope_ids,
        organizations,
    } = *agreed;
    let upsert = Statement::new(
        "INSERT INTO consents (id, user_id, application_id, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id, application_id) DO UPDATE SET last_used_at = excluded.last_used_at",
        [
            latchkey_core::random::id().into(),
            user_id.into(),
            application_id.into(),
            now_ms.into(),
        ],
    );
    let user: Vec<&str> = user_scopes.iter().filter(|s| *s != "openid").collect();
    let resource: Vec<&str> = scope_ids.iter().map(String::as_str).collect();
    let organization_scopes: Vec<&str> =
        organization_scope_ids.iter().map(String::as_str).collect();
    let chosen: Vec<&str> = organizations
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    let unchosen = organizations.map(|_| {
        Statement::new(
            "DELETE FROM consent_organizations WHERE consent_id IN \
             (SELECT id FROM consents WHERE user_id = $1 AND application_id = $2)",
            args![user_id, application_id],
        )
    });
    std::iter::once(upsert)
        .chain(unchosen)
        .chain(add_all(
            user_id,
            application_id,
            "consent_user_scopes (consent_id, scope)",
            &user,
        ))
        .chain(add_all(
            user_id,
            application_id,
            "consent_resource_scopes (consent_id, scope_id)",
            &resource,
        ))
        .chain(add_all(
            user_id,
            application_id,
            "consent_organization_scopes (consent_id, organization_scope_id)",
            &organization_scopes,
        ))
        .chain(add_all(
            user_id,
            application_id,
            "consent_organizations (consent_id, organization_id)",
            &chosen,
        ))
        .collect()
}

/// One statement adding `values` to `into` for the consent of `user_id` to `application_id`
/// (none if there are none), whatever their number.
fn add_all(
    user_id: &str,
    application_id: &str,
    into: &'static str,
    values: &[&str],
) -> Option<Statement> {
    if values.is_empty() {
        return None;
    }
    // Both databases name a VALUES list's column `column1`. The WHERE clause also tells
    // SQLite's parser that ON CONFLICT is not a join's ON.
    let rows = (3..values.len() + 3)
        .map(|n| format!("(${n})"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {into} SELECT c.id, v.column1 FROM consents c, (VALUES {rows}) v \
         WHERE c.user_id = $1 AND c.application_id = $2 ON CONFLICT DO NOTHING"
    );
    let args = [user_id, application_id]
        .into_iter()
        .chain(values.iter().copied());
    Some(Statement::new(sql, args.map(Arg::from)))
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
