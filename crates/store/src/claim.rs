//! Claiming a single-use artefact (an authorization code, a refresh token) that was read
//! ahead: consume its row and, if its grant is still live, store what was issued for it, all
//! or nothing. The consuming `UPDATE` alone decides who wins. On PostgreSQL this is one
//! statement (the writes inside `WITH`, committed on their own): no `BEGIN`, no `COMMIT`,
//! no round trip between deciding and writing. Elsewhere it is one transaction.

use std::fmt::Write;

use crate::grants::{Issued, store_issued};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::Arg;
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Result};

/// The table of an artefact, and how its row is consumed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Artefact {
    /// A code is consumed only while it lives.
    Code,
    /// A refresh token read ahead is consumed even if it expired since: it was valid when
    /// it was presented.
    Refresh,
}

impl Artefact {
    /// `$1`: now, `$2`: the artefact's hash; with `answer` (a refresh token's sealed
    /// answer, `$3`), kept on the consumed row.
    fn consume(self, answer: bool) -> &'static str {
        match (self, answer) {
            (Artefact::Code, _) => {
                "UPDATE authorization_codes SET consumed_at = $1 \
                 WHERE code_hash = $2 AND consumed_at IS NULL AND expires_at > $1 \
                 RETURNING grant_id"
            }
            (Artefact::Refresh, false) => {
                "UPDATE refresh_tokens SET consumed_at = $1 \
                 WHERE token_hash = $2 AND consumed_at IS NULL RETURNING grant_id"
            }
            (Artefact::Refresh, true) => {
                "UPDATE refresh_tokens SET consumed_at = $1, reuse_answer = $3 \
                 WHERE token_hash = $2 AND consumed_at IS NULL RETURNING grant_id"
            }
        }
    }

    /// The consuming statement's arguments.
    fn args(self, hash: &str, now_ms: i64, issued: &Issued) -> Vec<Arg> {
        let mut args: Vec<Arg> = vec![now_ms.into(), hash.into()];
        if let (Artefact::Refresh, Some(answer)) = (self, &issued.reuse_answer) {
            args.push(answer.into());
        }
        args
    }

    fn keeps_answer(self, issued: &Issued) -> bool {
        matches!(self, Artefact::Refresh) && issued.reuse_answer.is_some()
    }
}

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claimed {
    /// Consumed here, and what was issued is stored.
    Won,
    /// Consumed before (or gone): nothing changed.
    Lost,
    /// Consumed here, but its grant was revoked meanwhile: nothing stored.
    Revoked,
}

/// The counts the one PostgreSQL statement answers with.
struct Counts {
    consumed: i64,
    live: i64,
}

impl Record for Counts {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Counts {
            consumed: row.get("consumed")?,
            live: row.get("live")?,
        })
    }
}

impl Db {
    /// Consume the artefact `hash` at `now_ms` and, if its grant is live, store `issued`.
    pub(crate) async fn claim(
        &self,
        artefact: Artefact,
        hash: &str,
        now_ms: i64,
        issued: Issued,
    ) -> Result<Claimed> {
        if self.postgres().is_some() {
            let (sql, args) = one_statement(artefact, hash, now_ms, &issued);
            let counts: Option<Counts> = self.fetch_optional(&sql, &args).await?;
            return Ok(match counts {
                Some(Counts {
                    consumed: 1,
                    live: 1,
                }) => Claimed::Won,
                Some(Counts { consumed: 1, .. }) => Claimed::Revoked,
                _ => Claimed::Lost,
            });
        }
        let hash = hash.to_owned();
        transaction!(self, |tx| in_steps(tx, artefact, &hash, now_ms, &issued)
            .await)
    }
}

/// The claim as one PostgreSQL statement: the consumption, the grant's liveness, and each
/// issued row inserted only for a live grant of a consumed artefact.
fn one_statement(
    artefact: Artefact,
    hash: &str,
    now_ms: i64,
    issued: &Issued,
) -> (String, Vec<Arg>) {
    let mut sql = format!(
        "WITH c AS ({}), g AS (SELECT g.id FROM grants g JOIN c ON g.id = c.grant_id \
         WHERE g.revoked_at IS NULL)",
        artefact.consume(artefact.keeps_answer(issued))
    );
    let mut args = artefact.args(hash, now_ms, issued);
    let rows = [
        issued.refresh.as_ref().map(|t| {
            let (h, s, c, e) = (&t.token_hash, &t.scope, t.created_at, t.expires_at);
            ("refresh_tokens", h, s, c, e)
        }),
        issued.access.as_ref().map(|t| {
            let (h, s, c, e) = (&t.token_hash, &t.scope, t.created_at, t.expires_at);
            ("access_tokens", h, s, c, e)
        }),
    ];
    for (table, token_hash, scope, created_at, expires_at) in rows.into_iter().flatten() {
        let n = args.len();
        // The grant is the consumed artefact's: the one the caller read ahead.
        let _ = write!(
            sql,
            ", {table} AS (INSERT INTO {table} (token_hash, grant_id, scope, created_at, \
             expires_at) SELECT ${}, g.id, ${}, ${}, ${} FROM g)",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        args.extend([
            token_hash.into(),
            scope.into(),
            created_at.into(),
            expires_at.into(),
        ]);
    }
    sql.push_str(" SELECT (SELECT COUNT(*) FROM c) AS consumed, (SELECT COUNT(*) FROM g) AS live");
    (sql, args)
}

/// The claim as a transaction's steps, where a statement cannot write inside `WITH`.
async fn in_steps(
    tx: &mut impl Tx,
    artefact: Artefact,
    hash: &str,
    now_ms: i64,
    issued: &Issued,
) -> Result<Claimed> {
    let args = artefact.args(hash, now_ms, issued);
    let consume = artefact.consume(artefact.keeps_answer(issued));
    let Some(Grant(grant_id)) = tx.fetch_optional(consume, &args).await? else {
        return Ok(Claimed::Lost);
    };
    let live = "SELECT id FROM grants WHERE id = $1 AND revoked_at IS NULL";
    if tx
        .fetch_optional::<Grant>(live, &[grant_id.into()])
        .await?
        .is_none()
    {
        return Ok(Claimed::Revoked);
    }
    store_issued(tx, issued).await?;
    Ok(Claimed::Won)
}

/// A grant's id, as `RETURNING grant_id` or `SELECT id` give it.
struct Grant(String);

impl Record for Grant {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Grant(row.nth(0)?))
    }
}

#[cfg(test)]
#[path = "claim_tests.rs"]
mod tests;
