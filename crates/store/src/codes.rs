//! An authorization code read ahead of its redemption, without consuming it, so that the
//! response can be prepared while the consumption commits. Only the conditional UPDATE in
//! `take_authorization_code` decides who wins the code.

use latchkey_core::grant::{AuthorizationCode, Grant};

use crate::grants::{GRANT_COLUMNS, grant_from_row};
use crate::row::Columns;
use crate::{Db, Result, read};

fn code_from_row(row: &impl Columns) -> Result<(AuthorizationCode, Grant)> {
    let code = AuthorizationCode {
        code_hash: row.get("code_hash")?,
        grant_id: row.get("grant_id")?,
        redirect_uri: row.get("redirect_uri")?,
        nonce: row.get("nonce")?,
        code_challenge: row.get("code_challenge")?,
        created_at: row.get("code_created_at")?,
        expires_at: row.get("code_expires_at")?,
    };
    Ok((code, grant_from_row(row)?))
}

impl Db {
    /// A live code of a live grant, as it stands now.
    pub async fn find_authorization_code(
        &self,
        code_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(AuthorizationCode, Grant)>> {
        let sql = format!(
            "SELECT c.code_hash, c.grant_id, c.redirect_uri, c.nonce, c.code_challenge, \
             c.created_at AS code_created_at, c.expires_at AS code_expires_at, {GRANT_COLUMNS} \
             FROM authorization_codes c JOIN grants g ON g.id = c.grant_id \
             WHERE c.code_hash = $1 AND c.consumed_at IS NULL AND c.expires_at > $2 \
             AND g.revoked_at IS NULL"
        );
        if let Some(readers) = self.readers() {
            let params = rusqlite::params![code_hash, now_ms];
            return readers
                .read(|conn| read::optional(conn, &sql, params, |row| code_from_row(row)));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code_hash)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(code_from_row).transpose()
    }
}
