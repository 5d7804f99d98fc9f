//! The group-committed writes (`batch`) in SQLite's own terms: consuming a code, rotating a
//! refresh token and recording audit entries, with the same statements and outcomes as their
//! portable versions in `grants`, `refresh_tokens` and `audit`.

use latchkey_core::grant::{AuthorizationCode, Grant, RefreshToken, Taken};
use rusqlite::{Connection, OptionalExtension, params};

use crate::audit::AuditEntry;
use crate::grants::{GRANT_COLUMNS, INSERT_ACCESS, INSERT_REFRESH, Issued, grant_from_row};
use crate::{Result, read};

/// Store what a redemption or a rotation issued.
fn store_issued(conn: &Connection, issued: &Issued) -> Result<()> {
    let refresh = issued.refresh.as_ref().map(|t| {
        let columns = (&t.token_hash, &t.grant_id, &t.scope, t.created_at);
        (INSERT_REFRESH, columns, t.expires_at)
    });
    let access = issued.access.as_ref().map(|t| {
        let columns = (&t.token_hash, &t.grant_id, &t.scope, t.created_at);
        (INSERT_ACCESS, columns, t.expires_at)
    });
    for (sql, (hash, grant_id, scope, created_at), expires_at) in refresh.into_iter().chain(access)
    {
        conn.prepare_cached(sql)?
            .execute(params![hash, grant_id, scope, created_at, expires_at])?;
    }
    Ok(())
}

/// `grants::take_code` on the group-commit writer.
pub(crate) fn take_code<X>(
    conn: &Connection,
    code_hash: String,
    now_ms: i64,
    issue: impl FnOnce(&AuthorizationCode, &Grant) -> (Issued, X),
) -> Result<Taken<(AuthorizationCode, Grant, X)>> {
    let won = conn
        .prepare_cached(
            "UPDATE authorization_codes SET consumed_at = ?1 \
             WHERE code_hash = ?2 AND consumed_at IS NULL AND expires_at > ?1 \
             RETURNING grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at",
        )?
        .query_row(params![now_ms, code_hash], |row| {
            Ok(AuthorizationCode {
                code_hash: String::new(),
                grant_id: row.get("grant_id")?,
                redirect_uri: row.get("redirect_uri")?,
                nonce: row.get("nonce")?,
                code_challenge: row.get("code_challenge")?,
                created_at: row.get("created_at")?,
                expires_at: row.get("expires_at")?,
            })
        })
        .optional()?;
    let Some(code) = won else {
        // Lost: consumed before (a replay, which revokes the grant) or unknown or expired.
        let consumed: Option<String> = conn
            .prepare_cached(
                "SELECT grant_id FROM authorization_codes \
                 WHERE code_hash = ?1 AND consumed_at IS NOT NULL",
            )?
            .query_row(params![code_hash], |row| row.get(0))
            .optional()?;
        return Ok(match consumed {
            Some(grant_id) => Taken::Reused { grant_id },
            None => Taken::Missing,
        });
    };
    let code = AuthorizationCode { code_hash, ..code };
    let sql =
        format!("SELECT {GRANT_COLUMNS} FROM grants g WHERE g.id = ?1 AND g.revoked_at IS NULL");
    let grant = read::optional(conn, &sql, params![code.grant_id], |row| {
        grant_from_row(row)
    })?;
    let Some(grant) = grant else {
        return Ok(Taken::Missing);
    };
    let (issued, decided) = issue(&code, &grant);
    store_issued(conn, &issued)?;
    Ok(Taken::Taken((code, grant, decided)))
}

/// `Db::rotate_refresh_token` on the group-commit writer.
pub(crate) fn rotate(
    conn: &Connection,
    (old_hash, old, grant): (String, RefreshToken, Grant),
    issued: Issued,
    now_ms: i64,
) -> Result<Taken<(RefreshToken, Grant)>> {
    let won = conn
        .prepare_cached(
            "UPDATE refresh_tokens SET consumed_at = ?1 \
             WHERE token_hash = ?2 AND consumed_at IS NULL",
        )?
        .execute(params![now_ms, old_hash])?
        == 1;
    if !won {
        return Ok(Taken::Reused {
            grant_id: old.grant_id,
        });
    }
    store_issued(conn, &issued)?;
    Ok(Taken::Taken((old, grant)))
}

/// `Db::insert_audit_batch` on the group-commit writer.
pub(crate) fn insert_audit(conn: &Connection, entries: &[(AuditEntry, i64)]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO audit_logs \
         (id, created_at, actor_type, actor_id, action, target_type, target_id, details) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (entry, now_ms) in entries {
        insert.execute(params![
            latchkey_core::random::id(),
            now_ms,
            entry.actor_type,
            entry.actor_id,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.details.to_string()
        ])?;
    }
    Ok(())
}
