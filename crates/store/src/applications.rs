//! Applications: registration, listing, changes and removal.

use latchkey_core::client::{Application, ApplicationType, ClientSecret, TokenSettings};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::list::{Filter, Page};
use crate::{Db, Error, Result, flag, string_list, to_json_list};

const COLUMNS: &str = "id, name, description, type, is_third_party, redirect_uris, \
     post_logout_redirect_uris, cors_allowed_origins, id_token_ttl, refresh_token_ttl_days, \
     rotate_refresh_token, always_issue_refresh_token, id_token_signed_response_alg, created_at";

/// Which applications a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub is_third_party: Option<bool>,
    pub types: Vec<ApplicationType>,
    /// Substring of the id, name or description, case-insensitive.
    pub search: Option<String>,
}

impl Db {
    /// Add an application with its first secrets and roles, all or nothing.
    pub async fn insert_application(
        &self,
        app: &Application,
        secrets: &[ClientSecret],
        role_ids: &[&str],
    ) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO applications (id, name, description, type, is_third_party, redirect_uris, \
             post_logout_redirect_uris, cors_allowed_origins, id_token_ttl, refresh_token_ttl_days, \
             rotate_refresh_token, always_issue_refresh_token, id_token_signed_response_alg, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&app.id)
        .bind(&app.name)
        .bind(&app.description)
        .bind(app.app_type.as_str())
        .bind(app.is_third_party)
        .bind(to_json_list(&app.redirect_uris))
        .bind(to_json_list(&app.post_logout_redirect_uris))
        .bind(to_json_list(&app.cors_allowed_origins))
        .bind(app.settings.id_token_ttl)
        .bind(app.settings.refresh_token_ttl_days)
        .bind(app.settings.rotate_refresh_token)
        .bind(app.settings.always_issue_refresh_token)
        .bind(app.settings.id_token_alg.as_str())
        .bind(app.created_at)
        .execute(&mut *tx)
        .await?;
        for secret in secrets {
            crate::secrets::insert_secret_in(&mut tx, &app.id, secret).await?;
        }
        for role_id in role_ids {
            sqlx::query("INSERT INTO applications_roles (application_id, role_id) VALUES ($1, $2)")
                .bind(&app.id)
                .bind(*role_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn find_application(&self, id: &str) -> Result<Option<Application>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM applications WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(application_from_row).transpose()
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
        if let Some(term) = filter.search.as_deref().filter(|t| !t.is_empty()) {
            sql.search(&["id", "name", "description"], term);
        }
        let (rows, total) = self
            .list_page(COLUMNS, "applications", &sql, "created_at DESC, id", page)
            .await?;
        let apps = rows
            .iter()
            .map(application_from_row)
            .collect::<Result<_>>()?;
        Ok((apps, total))
    }

    /// Write the fields an administrator may change; `NotFound` if the application is gone.
    pub async fn update_application(&self, app: &Application) -> Result<()> {
        let done = sqlx::query(
            "UPDATE applications SET name = $1, description = $2, redirect_uris = $3, \
             post_logout_redirect_uris = $4, cors_allowed_origins = $5, id_token_ttl = $6, \
             refresh_token_ttl_days = $7, rotate_refresh_token = $8, always_issue_refresh_token = $9, \
             id_token_signed_response_alg = $10 WHERE id = $11",
        )
        .bind(&app.name)
        .bind(&app.description)
        .bind(to_json_list(&app.redirect_uris))
        .bind(to_json_list(&app.post_logout_redirect_uris))
        .bind(to_json_list(&app.cors_allowed_origins))
        .bind(app.settings.id_token_ttl)
        .bind(app.settings.refresh_token_ttl_days)
        .bind(app.settings.rotate_refresh_token)
        .bind(app.settings.always_issue_refresh_token)
        .bind(app.settings.id_token_alg.as_str())
        .bind(&app.id)
        .execute(self.writer())
        .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Point the console's redirect URIs at this deployment's public URL.
    pub async fn set_console_uris(&self, redirect_uri: &str, post_logout_uri: &str) -> Result<()> {
        sqlx::query("UPDATE applications SET redirect_uris = $1, post_logout_redirect_uris = $2 WHERE id = $3")
            .bind(to_json_list(&[redirect_uri.to_owned()]))
            .bind(to_json_list(&[post_logout_uri.to_owned()]))
            .bind(latchkey_core::client::CONSOLE_APP_ID)
            .execute(self.writer())
            .await?;
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
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE cors_allowed_origins LIKE $1 ESCAPE '\\' LIMIT 1",
        )
        .bind(pattern)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Remove an application with its secrets and role assignments.
    pub async fn delete_application(&self, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM applications WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }
}

fn application_from_row(row: &AnyRow) -> Result<Application> {
    let app_type: String = row.try_get("type")?;
    Ok(Application {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        app_type: ApplicationType::parse(&app_type)
            .ok_or_else(|| Error::Corrupt(format!("unknown application type {app_type}")))?,
        is_third_party: flag(row, "is_third_party")?,
        redirect_uris: string_list("redirect_uris", row.try_get("redirect_uris")?)?,
        post_logout_redirect_uris: string_list(
            "post_logout_redirect_uris",
            row.try_get("post_logout_redirect_uris")?,
        )?,
        cors_allowed_origins: string_list(
            "cors_allowed_origins",
            row.try_get("cors_allowed_origins")?,
        )?,
        settings: TokenSettings {
            id_token_ttl: row.try_get("id_token_ttl")?,
            refresh_token_ttl_days: row.try_get("refresh_token_ttl_days")?,
            rotate_refresh_token: flag(row, "rotate_refresh_token")?,
            always_issue_refresh_token: flag(row, "always_issue_refresh_token")?,
            id_token_alg: {
                let alg: String = row.try_get("id_token_signed_response_alg")?;
                latchkey_core::jwt::Algorithm::parse(&alg)
                    .ok_or_else(|| Error::Corrupt(format!("unknown ID token algorithm {alg}")))?
            },
        },
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
#[path = "applications_tests.rs"]
mod tests;
