//! Applications: registration, listing, changes and removal.

use latchkey_core::client::{Application, ApplicationType, ClientSecret, TokenSettings};
use latchkey_core::dynamic::{Approval, Dynamic, Registration};

use crate::secrets::insert_secret;
use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result, string_list, to_json_list};

pub(crate) const COLUMNS: &str = "id, name, description, type, is_third_party, redirect_uris, \
     post_logout_redirect_uris, cors_allowed_origins, id_token_ttl, refresh_token_ttl_days, \
     rotate_refresh_token, always_issue_refresh_token, id_token_signed_response_alg, created_at, \
     registration, approval, policy_ceiling, metadata_fetched_at, metadata_fresh_until, \
     authorized_at, device_flow, token_exchange, refresh_token_reuse_grace_secs, require_mfa";

/// Which applications a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub is_third_party: Option<bool>,
    pub types: Vec<ApplicationType>,
    /// Substring of the id, name or description, case-insensitive.
    pub search: Option<String>,
    pub registration: Option<RegistrationFilter>,
    /// Self-registered clients with this decision only; `Some(None)`: none made yet.
    pub approval: Option<Option<Approval>>,
}

/// Applications by how they were registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationFilter {
    /// By an administrator.
    Administrator,
    /// By themselves, either way.
    Themselves,
    Only(Registration),
}

impl Db {
    /// Add an application with its first secrets and roles, all or nothing.
    pub async fn insert_application(
        &self,
        app: &Application,
        secrets: &[ClientSecret],
        role_ids: &[&str],
    ) -> Result<()> {
        let insert = insert(app, None, "");
        let secrets = secrets.iter().map(|s| insert_secret(&app.id, s));
        let roles = role_ids.iter().map(|role_id| {
            Statement::new(
                "INSERT INTO applications_roles (application_id, role_id) VALUES ($1, $2)",
                args![&app.id, *role_id],
            )
        });
        let statements = std::iter::once(insert).chain(secrets).chain(roles);
        self.execute(statements.collect()).await?;
        Ok(())
    }

    pub async fn find_application(&self, id: &str) -> Result<Option<Application>> {
        let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// One page of applications, newest first, and how many match in all.
    pub async fn list_applications(
        &self,
        filter: &ApplicationFilter,
        page: Page,
    ) -> Result<(Vec<Application>, i64)> {
        let mut sql = Filter::default();
        // The console's built-in application is Latchkey's own, not one of the tenant's.
        sql.text_ne("id", latchkey_core::client::CONSOLE_APP_ID);
        if let Some(third) = filter.is_third_party {
            sql.bool_eq("is_third_party", third);
        }
        sql.text_in("type", filter.types.iter().map(|t| t.as_str().to_owned()));
        match filter.registration {
            None => {}
            Some(RegistrationFilter::Administrator) => sql.is_null("registration", true),
            Some(RegistrationFilter::Themselves) => sql.is_null("registration", false),
            Some(RegistrationFilter::Only(r)) => sql.text_eq("registration", r.as_str()),
        }
        match filter.approval {
            None => {}
            Some(None) => {
                sql.is_null("registration", false);
                sql.is_null("approval", true);
            }
            Some(Some(a)) => sql.text_eq("approval", a.as_str()),
        }
        if let Some(term) = filter.search.as_deref().filter(|t| !t.is_empty()) {
            sql.search(&["id", "name", "description"], term);
        }
        self.list_page(COLUMNS, "applications", &sql, "created_at DESC, id", page)
            .await
    }

    /// Write the fields an administrator may change; `NotFound` if the application is gone.
    pub async fn update_application(&self, app: &Application) -> Result<()> {
        let update = Statement::new(
            "UPDATE applications SET name = $1, description = $2, redirect_uris = $3, \
             post_logout_redirect_uris = $4, cors_allowed_origins = $5, id_token_ttl = $6, \
             refresh_token_ttl_days = $7, rotate_refresh_token = $8, always_issue_refresh_token = $9, \
             id_token_signed_response_alg = $10, device_flow = $11, token_exchange = $12, \
             refresh_token_reuse_grace_secs = $13, require_mfa = $14 WHERE id = $15",
            args![
                &app.name,
                &app.description,
                to_json_list(&app.redirect_uris),
                to_json_list(&app.post_logout_redirect_uris),
                to_json_list(&app.cors_allowed_origins),
                app.settings.id_token_ttl,
                app.settings.refresh_token_ttl_days,
                app.settings.rotate_refresh_token,
                app.settings.always_issue_refresh_token,
                app.settings.id_token_alg.as_str(),
                app.settings.device_flow,
                app.settings.token_exchange,
                app.settings.refresh_reuse_grace_secs,
                app.settings.require_mfa,
                &app.id,
            ],
        );
        self.execute_found(update).await
    }

    /// Point the console's redirect URIs at this deployment's public URL.
    pub async fn set_console_uris(&self, redirect_uri: &str, post_logout_uri: &str) -> Result<()> {
        let update = Statement::new(
            "UPDATE applications SET redirect_uris = $1, post_logout_redirect_uris = $2 WHERE id = $3",
            args![
                to_json_list(&[redirect_uri.to_owned()]),
                to_json_list(&[post_logout_uri.to_owned()]),
                latchkey_core::client::CONSOLE_APP_ID,
            ],
        );
        self.execute_one(update).await?;
        Ok(())
    }

    /// Whether any application registered `origin` for CORS. Origins are validated on
    /// registration (no quotes), so the JSON text holds each one as `"origin"`.
    pub async fn is_registered_origin(&self, origin: &str) -> Result<bool> {
        let escaped = origin
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%\"{escaped}\"%");
        const SQL: &str =
            "SELECT id FROM applications WHERE cors_allowed_origins LIKE $1 ESCAPE '\\' LIMIT 1";
        let found: Option<String> = self.fetch_optional(SQL, &args![pattern]).await?;
        Ok(found.is_some())
    }

    /// Remove an application with its secrets and role assignments.
    pub async fn delete_application(&self, id: &str) -> Result<()> {
        let delete = Statement::new("DELETE FROM applications WHERE id = $1", args![id]);
        self.execute_found(delete).await
    }
}

/// The statement adding `app` (every column, a self-registered client's too), followed by
/// `suffix` (an `ON CONFLICT` clause, say); `digest` identifies a dynamic registration.
pub(crate) fn insert(app: &Application, digest: Option<&str>, suffix: &'static str) -> Statement {
    let dynamic = app.dynamic.as_ref();
    let sql = format!(
        "INSERT INTO applications (id, name, description, type, is_third_party, redirect_uris, \
         post_logout_redirect_uris, cors_allowed_origins, id_token_ttl, refresh_token_ttl_days, \
         rotate_refresh_token, always_issue_refresh_token, id_token_signed_response_alg, created_at, \
         registration, approval, policy_ceiling, metadata_fetched_at, metadata_fresh_until, \
         authorized_at, registration_digest, device_flow, token_exchange, \
         refresh_token_reuse_grace_secs, require_mfa) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25){suffix}"
    );
    Statement::new(
        sql,
        args![
            &app.id,
            &app.name,
            &app.description,
            app.app_type.as_str(),
            app.is_third_party,
            to_json_list(&app.redirect_uris),
            to_json_list(&app.post_logout_redirect_uris),
            to_json_list(&app.cors_allowed_origins),
            app.settings.id_token_ttl,
            app.settings.refresh_token_ttl_days,
            app.settings.rotate_refresh_token,
            app.settings.always_issue_refresh_token,
            app.settings.id_token_alg.as_str(),
            app.created_at,
            dynamic.map(|d| d.registration.as_str()),
            dynamic.and_then(|d| d.approval).map(|a| a.as_str()),
            dynamic.is_some_and(|d| d.policy_ceiling),
            dynamic.and_then(|d| d.fetched_at),
            dynamic.and_then(|d| d.fresh_until),
            dynamic.and_then(|d| d.authorized_at),
            digest,
            app.settings.device_flow,
            app.settings.token_exchange,
            app.settings.refresh_reuse_grace_secs,
            app.settings.require_mfa,
        ],
    )
}

impl Record for Application {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let app_type: String = row.get("type")?;
        let alg: String = row.get("id_token_signed_response_alg")?;
        let list = |column: &str| string_list(column, &row.get::<String>(column)?);
        let registration: Option<String> = row.get("registration")?;
        let dynamic = match registration {
            None => None,
            Some(name) => Some(Dynamic {
                registration: Registration::parse(&name)
                    .ok_or_else(|| Error::Corrupt(format!("unknown registration {name}")))?,
                approval: match row.get::<Option<String>>("approval")? {
                    None => None,
                    Some(a) => Some(
                        Approval::parse(&a)
                            .ok_or_else(|| Error::Corrupt(format!("unknown approval {a}")))?,
                    ),
                },
                policy_ceiling: row.flag("policy_ceiling")?,
                fetched_at: row.get("metadata_fetched_at")?,
                fresh_until: row.get("metadata_fresh_until")?,
                authorized_at: row.get("authorized_at")?,
            }),
        };
        Ok(Application {
            dynamic,
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            app_type: ApplicationType::parse(&app_type)
                .ok_or_else(|| Error::Corrupt(format!("unknown application type {app_type}")))?,
            is_third_party: row.flag("is_third_party")?,
            redirect_uris: list("redirect_uris")?,
            post_logout_redirect_uris: list("post_logout_redirect_uris")?,
            cors_allowed_origins: list("cors_allowed_origins")?,
            settings: TokenSettings {
                id_token_ttl: row.get("id_token_ttl")?,
                refresh_token_ttl_days: row.get("refresh_token_ttl_days")?,
                rotate_refresh_token: row.flag("rotate_refresh_token")?,
                always_issue_refresh_token: row.flag("always_issue_refresh_token")?,
                id_token_alg: latchkey_core::jwt::Algorithm::parse(&alg)
                    .ok_or_else(|| Error::Corrupt(format!("unknown ID token algorithm {alg}")))?,
                device_flow: row.flag("device_flow")?,
                token_exchange: row.flag("token_exchange")?,
                refresh_reuse_grace_secs: row.get("refresh_token_reuse_grace_secs")?,
                require_mfa: row.flag("require_mfa")?,
            },
            created_at: row.get("created_at")?,
        })
    }
}

#[cfg(test)]
#[path = "applications_tests.rs"]
mod tests;
