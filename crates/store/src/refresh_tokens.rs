//! Refresh tokens: found without being consumed, rotated by one conditional UPDATE (one
//! winner however many requests race), and recognised when replayed.

use latchkey_core::grant::{Grant, OpaqueAccessToken, RefreshToken, Taken};
use sqlx::Row;

use crate::grants::{GRANT_COLUMNS, Issued, grant_from_row, insert_refresh, store_issued};
use crate::row::Columns;
use crate::{Db, Result, batch_writes, read};

/// A refresh token and its grant, as `find_refresh_token` selects them.
fn refresh_from_row(row: &impl Columns) -> Result<(RefreshToken, Grant)> {
    let token = RefreshToken {
        token_hash: row.get("token_hash")?,
        grant_id: row.get("grant_id")?,
        scope: row.get("token_scope")?,
        created_at: row.get("token_created_at")?,
        expires_at: row.get("expires_at")?,
    };
    Ok((token, grant_from_row(row)?))
}

impl Db {
    pub async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<()> {
        insert_refresh(token).execute(self.writer()).await?;
        Ok(())
    }

    /// A live refresh token of a live grant, without consuming it.
    pub async fn find_refresh_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(RefreshToken, Grant)>> {
        let sql = format!(
            "SELECT r.token_hash, r.grant_id, r.scope AS token_scope, r.created_at AS token_created_at, \
             r.expires_at, {GRANT_COLUMNS} FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id \
             WHERE r.token_hash = $1 AND r.consumed_at IS NULL AND r.expires_at > $2 AND g.revoked_at IS NULL"
        );
        if let Some(readers) = self.readers() {
            let params = rusqlite::params![token_hash, now_ms];
            return readers
                .read(|conn| read::optional(conn, &sql, params, |row| refresh_from_row(row)));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(refresh_from_row).transpose()
    }

    /// The grant of a refresh token that was consumed before (a replay), if it is one.
    pub async fn find_consumed_refresh_token(&self, token_hash: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT grant_id FROM refresh_tokens WHERE token_hash = $1 AND consumed_at IS NOT NULL",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(r.try_get("grant_id")?)).transpose()
    }

    /// Consume `old` (as `find_refresh_token` found it) and store `new` in its place, with
    /// the access token issued alongside, atomically. A token consumed meanwhile is
    /// `Reused`: the caller revokes the family.
    pub async fn rotate_refresh_token(
        &self,
        (old_hash, old, grant): (&str, RefreshToken, Grant),
        new: &RefreshToken,
        access: Option<OpaqueAccessToken>,
        now_ms: i64,
    ) -> Result<Taken<(RefreshToken, Grant)>> {
        let old_hash = old_hash.to_owned();
        let issued = Issued {
            refresh: Some(new.clone()),
            access,
        };
        if let Some(batcher) = self.batcher() {
            let old = (old_hash, old, grant);
            let rotate = move |conn: &_| batch_writes::rotate(conn, old, issued, now_ms);
            return batcher.write(rotate).await;
        }
        self.write(move |conn| {
            Box::pin(async move {
                let won = sqlx::query(
                    "UPDATE refresh_tokens SET consumed_at = $1 \
                     WHERE token_hash = $2 AND consumed_at IS NULL",
                )
                .bind(now_ms)
                .bind(&old_hash)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1;
                if !won {
                    return Ok(Taken::Reused {
                        grant_id: old.grant_id,
                    });
                }
                store_issued(conn, &issued).await?;
                Ok(Taken::Taken((old, grant)))
            })
        })
        .await
    }
}
