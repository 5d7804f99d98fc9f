//! Applications and their client secrets.

use latchkey_core::client::{Application, ApplicationType, ClientSecret};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Error, Result, flag, string_list, to_json_list};

impl Db {
    /// Add an application with its first secrets and roles, all or nothing.
    pub async fn insert_application(
        &self,
        app: &Application,
        secrets: &[ClientSecret],
        role_ids: &[&str],
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO applications (id, name, description, type, is_third_party, redirect_uris, \
             post_logout_redirect_uris, cors_allowed_origins, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&app.id)
        .bind(&app.name)
        .bind(&app.description)
        .bind(app.app_type.as_str())
        .bind(app.is_third_party)
        .bind(to_json_list(&app.redirect_uris))
        .bind(to_json_list(&app.post_logout_redirect_uris))
        .bind(to_json_list(&app.cors_allowed_origins))
        .bind(app.created_at)
        .execute(&mut *tx)
        .await?;
        for secret in secrets {
            sqlx::query(
                "INSERT INTO application_secrets \
                 (application_id, name, secret_hash, created_at, expires_at, last_used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&app.id)
            .bind(&secret.name)
            .bind(&secret.hash)
            .bind(secret.created_at)
            .bind(secret.expires_at)
            .bind(secret.last_used_at)
            .execute(&mut *tx)
            .await?;
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
        let row = sqlx::query(
            "SELECT id, name, description, type, is_third_party, redirect_uris, \
             post_logout_redirect_uris, cors_allowed_origins, created_at \
             FROM applications WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(application_from_row).transpose()
    }

    pub async fn find_secrets(&self, application_id: &str) -> Result<Vec<ClientSecret>> {
        let rows = sqlx::query(
            "SELECT name, secret_hash, created_at, expires_at, last_used_at \
             FROM application_secrets WHERE application_id = $1 ORDER BY created_at, name",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ClientSecret {
                    name: row.try_get("name")?,
                    hash: row.try_get("secret_hash")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Record that a secret was used. Callers skip this when the stored time is recent, so
    /// that a busy client does not turn every token request into a write.
    pub async fn touch_secret(&self, application_id: &str, name: &str, now_ms: i64) -> Result<()> {
        sqlx::query(
            "UPDATE application_secrets SET last_used_at = $1 \
             WHERE application_id = $2 AND name = $3",
        )
        .bind(now_ms)
        .bind(application_id)
        .bind(name)
        .execute(self.pool())
        .await?;
        Ok(())
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
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dbs;

    fn app(id: &str, app_type: ApplicationType, is_third_party: bool) -> Application {
        Application {
            id: id.into(),
            name: "Billing sync".into(),
            description: Some("Nightly export".into()),
            app_type,
            is_third_party,
            redirect_uris: vec!["https://app.example.com/cb".into()],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            created_at: 1_700_000_000_000,
        }
    }

    #[tokio::test]
    async fn an_application_round_trips_with_its_secrets() {
        for db in test_dbs::each().await {
            let (_, secret) = ClientSecret::generate("Default secret", 5, Some(10));
            let a = app("app1", ApplicationType::Traditional, true);
            db.insert_application(&a, std::slice::from_ref(&secret), &[])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                db.find_application("app1")
                    .await
                    .unwrap_or_else(|e| panic!("{e:?}")),
                Some(a)
            );
            assert_eq!(db.find_secrets("app1").await.ok(), Some(vec![secret]));
            assert_eq!(db.find_application("nope").await.ok(), Some(None));
        }
    }

    #[tokio::test]
    async fn a_failed_insert_leaves_nothing_behind() {
        for db in test_dbs::each().await {
            let (_, secret) = ClientSecret::generate("s", 0, None);
            let a = app("app2", ApplicationType::MachineToMachine, false);
            let err = db
                .insert_application(&a, &[secret], &["no-such-role"])
                .await;
            assert!(err.is_err());
            assert_eq!(db.find_application("app2").await.ok(), Some(None));
            assert_eq!(db.find_secrets("app2").await.ok().map(|s| s.len()), Some(0));
        }
    }

    #[tokio::test]
    async fn the_database_refuses_a_third_party_machine() {
        for db in test_dbs::each().await {
            let a = app("app3", ApplicationType::MachineToMachine, true);
            assert!(db.insert_application(&a, &[], &[]).await.is_err());
        }
    }

    #[tokio::test]
    async fn duplicate_ids_are_conflicts() {
        for db in test_dbs::each().await {
            let a = app("app4", ApplicationType::Spa, false);
            assert!(db.insert_application(&a, &[], &[]).await.is_ok());
            assert!(matches!(
                db.insert_application(&a, &[], &[]).await,
                Err(Error::Conflict)
            ));
        }
    }

    #[tokio::test]
    async fn touching_a_secret_records_its_last_use() {
        for db in test_dbs::each().await {
            let (_, secret) = ClientSecret::generate("s", 0, None);
            let a = app("app5", ApplicationType::MachineToMachine, false);
            db.insert_application(&a, &[secret], &[])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            db.touch_secret("app5", "s", 42)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let used = db
                .find_secrets("app5")
                .await
                .ok()
                .and_then(|s| s[0].last_used_at);
            assert_eq!(used, Some(42));
        }
    }
}
