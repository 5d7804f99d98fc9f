//! Grants and their codes and tokens. Every single-use artefact is consumed by one
//! conditional UPDATE, so exactly one caller wins however many nodes race for it.

use latchkey_core::grant::{AuthorizationCode, Grant, OpaqueAccessToken, RefreshToken, Taken};
use latchkey_core::scope::Scopes;
use sqlx::{Any, AnyConnection, Row};

use crate::consent::consent_statements;
use crate::row::Columns;
use crate::statement::Statement;
use crate::{Db, Result, batch_writes, read, string_list, to_json_list};

/// Tokens stored in the same transaction as the consumption of a code or a refresh token:
/// one write, so one fsync, per redemption, and nothing issued unless the consumption won.
#[derive(Debug, Default, Clone)]
pub struct Issued {
    pub refresh: Option<RefreshToken>,
    pub access: Option<OpaqueAccessToken>,
}

pub(crate) const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens (token_hash, grant_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const INSERT_ACCESS: &str = "INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

/// The insert of a refresh or opaque access token (the two tables have the same columns).
fn insert_token<'q>(
    sql: &'static str,
    (hash, grant_id, scope, created_at, expires_at): (&'q str, &'q str, &'q str, i64, i64),
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    sqlx::query(sql)
        .bind(hash)
        .bind(grant_id)
        .bind(scope)
        .bind(created_at)
        .bind(expires_at)
}

pub(crate) fn insert_refresh(
    t: &RefreshToken,
) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    insert_token(
        INSERT_REFRESH,
        (
            &t.token_hash,
            &t.grant_id,
            &t.scope,
            t.created_at,
            t.expires_at,
        ),
    )
}

fn insert_access(t: &OpaqueAccessToken) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    insert_token(
        INSERT_ACCESS,
        (
            &t.token_hash,
            &t.grant_id,
            &t.scope,
            t.created_at,
            t.expires_at,
        ),
    )
}

pub(crate) async fn store_issued(conn: &mut AnyConnection, issued: &Issued) -> Result<()> {
    if let Some(refresh) = &issued.refresh {
        insert_refresh(refresh).execute(&mut *conn).await?;
    }
    if let Some(access) = &issued.access {
        insert_access(access).execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) const GRANT_COLUMNS: &str = "g.id, g.client_id, g.user_id, g.session_id_hash, g.scope, g.resources, g.auth_time, g.created_at, g.revoked_at";

pub(crate) fn grant_from_row(row: &impl Columns) -> Result<Grant> {
    Ok(Grant {
        id: row.get("id")?,
        client_id: row.get("client_id")?,
        user_id: row.get("user_id")?,
        session_id_hash: row.get("session_id_hash")?,
        scope: row.get("scope")?,
        resources: string_list("resources", &row.get::<String>("resources")?)?,
        auth_time: row.get("auth_time")?,
        created_at: row.get("created_at")?,
        revoked_at: row.get("revoked_at")?,
    })
}

/// An opaque access token and its grant, as `find_access_token` selects them.
fn access_from_row(row: &impl Columns) -> Result<(OpaqueAccessToken, Grant)> {
    let token = OpaqueAccessToken {
        token_hash: row.get("token_hash")?,
        grant_id: row.get("grant_id")?,
        scope: row.get("token_scope")?,
        created_at: row.get("token_created_at")?,
        expires_at: row.get("expires_at")?,
    };
    Ok((token, grant_from_row(row)?))
}

impl Db {
    /// Record a grant and the code that carries it to the client, together; with `consent`
    /// (the user's scopes and the API permission ids), the user's consent to the client too,
    /// as `record_consent` does, in the same transaction.
    pub async fn insert_grant_with_code(
        &self,
        grant: &Grant,
        code: &AuthorizationCode,
        consent: Option<(&Scopes, &[String])>,
    ) -> Result<()> {
        let insert_grant = Statement::new(
            "INSERT INTO grants \
             (id, client_id, user_id, session_id_hash, scope, resources, auth_time, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                (&grant.id).into(),
                (&grant.client_id).into(),
                (&grant.user_id).into(),
                (&grant.session_id_hash).into(),
                (&grant.scope).into(),
                to_json_list(&grant.resources).into(),
                grant.auth_time.into(),
                grant.created_at.into(),
            ],
        );
        let insert_code = Statement::new(
            "INSERT INTO authorization_codes \
             (code_hash, grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (&code.code_hash).into(),
                (&code.grant_id).into(),
                (&code.redirect_uri).into(),
                (&code.nonce).into(),
                (&code.code_challenge).into(),
                code.created_at.into(),
                code.expires_at.into(),
            ],
        );
        let mut statements = match consent {
            Some((user_scopes, scope_ids)) => {
                let (user, client) = (&grant.user_id, &grant.client_id);
                consent_statements(user, client, user_scopes, scope_ids, grant.created_at)
            }
            None => Vec::new(),
        };
        statements.extend([insert_grant, insert_code]);
        self.execute(statements).await?;
        Ok(())
    }

    /// A live grant: not revoked.
    pub async fn find_grant(&self, id: &str) -> Result<Option<Grant>> {
        let sql = format!(
            "SELECT {GRANT_COLUMNS} FROM grants g WHERE g.id = $1 AND g.revoked_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(grant_from_row).transpose()
    }

    /// Consume a code. One caller ever gets `Taken`; a later one gets `Reused`. The winner
    /// reads its grant in the same transaction as the consumption, so a concurrent replay
    /// (which revokes the grant) cannot slip in between and leave nobody with the code; and
    /// what `issue` decides from the code and grant is stored in that transaction too (with
    /// whatever else it returns handed back to the caller).
    pub async fn take_authorization_code<X: Send + 'static>(
        &self,
        code_hash: &str,
        now_ms: i64,
        issue: impl FnOnce(&AuthorizationCode, &Grant) -> (Issued, X) + Send + 'static,
    ) -> Result<Taken<(AuthorizationCode, Grant, X)>> {
        let code_hash = code_hash.to_owned();
        if let Some(batcher) = self.batcher() {
            let take = move |conn: &_| batch_writes::take_code(conn, code_hash, now_ms, issue);
            return batcher.write(take).await;
        }
        self.write(move |conn| Box::pin(take_code(conn, code_hash, now_ms, issue)))
            .await
    }

    /// End a grant and everything issued under it. Idempotent.
    pub async fn revoke_grant(&self, grant_id: &str, now_ms: i64) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        for table in ["refresh_tokens", "access_tokens"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE grant_id = $1"
            )))
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn insert_access_token(&self, token: &OpaqueAccessToken) -> Result<()> {
        insert_access(token).execute(self.writer()).await?;
        Ok(())
    }

    pub async fn delete_access_token(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM access_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// A live opaque access token of a live grant.
    pub async fn find_access_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(OpaqueAccessToken, Grant)>> {
        let sql = format!(
            "SELECT a.token_hash, a.grant_id, a.scope AS token_scope, a.created_at AS token_created_at, \
             a.expires_at, {GRANT_COLUMNS} FROM access_tokens a JOIN grants g ON g.id = a.grant_id \
             WHERE a.token_hash = $1 AND a.expires_at > $2 AND g.revoked_at IS NULL"
        );
        if let Some(readers) = self.readers() {
            let params = rusqlite::params![token_hash, now_ms];
            return readers
                .read(|conn| read::optional(conn, &sql, params, |row| access_from_row(row)));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(access_from_row).transpose()
    }
}

/// The consuming side of `take_authorization_code`, run inside its transaction.
async fn take_code<X>(
    conn: &mut AnyConnection,
    code_hash: String,
    now_ms: i64,
    issue: impl FnOnce(&AuthorizationCode, &Grant) -> (Issued, X),
) -> Result<Taken<(AuthorizationCode, Grant, X)>> {
    let won = sqlx::query(
        "UPDATE authorization_codes SET consumed_at = $1 \
         WHERE code_hash = $2 AND consumed_at IS NULL AND expires_at > $1 \
         RETURNING grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at",
    )
    .bind(now_ms)
    .bind(&code_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = won else {
        // Lost: consumed before (a replay, which revokes the grant) or unknown or expired.
        let consumed = sqlx::query(
            "SELECT grant_id FROM authorization_codes \
             WHERE code_hash = $1 AND consumed_at IS NOT NULL",
        )
        .bind(&code_hash)
        .fetch_optional(&mut *conn)
        .await?;
        return Ok(match consumed {
            Some(row) => Taken::Reused {
                grant_id: row.try_get("grant_id")?,
            },
            None => Taken::Missing,
        });
    };
    let grant_id: String = row.try_get("grant_id")?;
    let sql =
        format!("SELECT {GRANT_COLUMNS} FROM grants g WHERE g.id = $1 AND g.revoked_at IS NULL");
    let grant = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&grant_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(grant) = grant.as_ref().map(grant_from_row).transpose()? else {
        return Ok(Taken::Missing);
    };
    let code = AuthorizationCode {
        code_hash,
        grant_id,
        redirect_uri: row.try_get("redirect_uri")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    };
    let (issued, decided) = issue(&code, &grant);
    store_issued(conn, &issued).await?;
    Ok(Taken::Taken((code, grant, decided)))
}

#[cfg(test)]
#[path = "grants_tests.rs"]
pub(crate) mod tests;
