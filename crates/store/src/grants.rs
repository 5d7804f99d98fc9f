//! Grants, issued with their first code (and the consent that allowed them), revoked with
//! everything issued under them; the opaque access tokens; and what a code's redemption or a
//! refresh token's rotation stores in its transaction (`Issued`). The single-use artefacts
//! themselves are in `codes` and `refresh_tokens`: each consumed by one conditional UPDATE,
//! so exactly one caller wins however many nodes race for it.

use latchkey_core::grant::{AuthorizationCode, Grant, OpaqueAccessToken, RefreshToken};
use latchkey_core::mfa::Amr;
use latchkey_core::user::User;

use std::sync::LazyLock;

use crate::consent::{Agreed, consent_statements};
use crate::sql::row::{Columns, Prefixed, Record};
use crate::sql::statement::{Arg, Statement, args};
use crate::sql::tx::Tx;
use crate::users::JOINED_COLUMNS;
use crate::{Db, Result, string_list, to_json_list};

/// Tokens stored in the same transaction as the consumption of a code or a refresh token:
/// one write, so one fsync, per redemption, and nothing issued unless the consumption won.
#[derive(Debug, Default, Clone)]
pub struct Issued {
    pub refresh: Option<RefreshToken>,
    pub access: Option<OpaqueAccessToken>,
    /// For a rotated refresh token: the answer its rotation gave, sealed under a key only
    /// the token's value opens, kept with the consumed token for a retry within the
    /// application's reuse grace.
    pub reuse_answer: Option<String>,
}

pub(crate) fn insert_refresh(t: &RefreshToken) -> Statement {
    let sql = "INSERT INTO refresh_tokens (token_hash, grant_id, scope, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5)";
    insert_token(
        sql,
        [&t.token_hash, &t.grant_id, &t.scope],
        [t.created_at, t.expires_at],
    )
}

fn insert_access(t: &OpaqueAccessToken) -> Statement {
    let sql = "INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5)";
    insert_token(
        sql,
        [&t.token_hash, &t.grant_id, &t.scope],
        [t.created_at, t.expires_at],
    )
}

/// The two token tables have the same columns: hash, grant, scope, then the two times.
fn insert_token(sql: &'static str, text: [&String; 3], times: [i64; 2]) -> Statement {
    let args = text.into_iter().map(Arg::from);
    Statement::new(sql, args.chain(times.map(Arg::from)))
}

/// Store what a redemption or a rotation issued, inside its transaction.
pub(crate) async fn store_issued(tx: &mut impl Tx, issued: &Issued) -> Result<()> {
    let refresh = issued.refresh.as_ref().map(insert_refresh);
    let access = issued.access.as_ref().map(insert_access);
    tx.execute_at_commit(refresh.into_iter().chain(access).collect())
        .await
}

pub(crate) const GRANT_COLUMNS: &str = "g.id, g.client_id, g.user_id, g.session_id_hash, g.scope, g.resources, g.auth_time, g.amr, g.created_at, g.revoked_at";

impl Record for Grant {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Grant {
            id: row.get("id")?,
            client_id: row.get("client_id")?,
            user_id: row.get("user_id")?,
            session_id_hash: row.get("session_id_hash")?,
            scope: row.get("scope")?,
            resources: string_list("resources", &row.get::<String>("resources")?)?,
            auth_time: row.get("auth_time")?,
            amr: Amr::parse(&row.get::<String>("amr")?),
            created_at: row.get("created_at")?,
            revoked_at: row.get("revoked_at")?,
        })
    }
}

/// An opaque access token and its grant, as `find_access_token` selects them.
impl Record for (OpaqueAccessToken, Grant) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let token = OpaqueAccessToken {
            token_hash: row.get("token_hash")?,
            grant_id: row.get("grant_id")?,
            scope: row.get("token_scope")?,
            created_at: row.get("token_created_at")?,
            expires_at: row.get("expires_at")?,
        };
        Ok((token, Grant::from_row(row)?))
    }
}

/// The grant a consumed code or refresh token was issued under, when it is presented again.
pub(crate) struct ConsumedBy(pub(crate) String);

impl Record for ConsumedBy {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(row.get("grant_id")?))
    }
}

impl Db {
    /// Record a grant and the code that carries it to the client, together; with `consent`
    /// (what the user agreed to), the user's consent to the client too,
    /// as `record_consent` does, in the same transaction. With `finishes`, the interaction the
    /// code answers (its id, and now) is consumed in that transaction too, and nothing is
    /// written if another request consumed it first: `false` then. With `device`, the code
    /// answers that device authorization (RFC 8628), approved in the same transaction, and
    /// nothing is written (`false`) if it was decided before or has expired.
    pub async fn insert_grant_with_code(
        &self,
        grant: &Grant,
        code: &AuthorizationCode,
        consent: Option<Agreed<'_>>,
        (finishes, device): (Option<(&str, i64)>, Option<&str>),
    ) -> Result<bool> {
        let insert_grant = Statement::new(
            "INSERT INTO grants \
             (id, client_id, user_id, session_id_hash, scope, resources, auth_time, amr, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                (&grant.id).into(),
                (&grant.client_id).into(),
                (&grant.user_id).into(),
                (&grant.session_id_hash).into(),
                (&grant.scope).into(),
                to_json_list(&grant.resources).into(),
                grant.auth_time.into(),
                grant.amr.stored().into(),
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
            Some(agreed) => {
                let (user, client) = (&grant.user_id, &grant.client_id);
                consent_statements(user, client, &agreed, grant.created_at)
            }
            None => Vec::new(),
        };
        statements.extend([insert_grant, insert_code]);
        if let Some(id) = device {
            let approve = crate::device::approve_device(id, &code.code_hash, grant.created_at);
            statements.push(approve);
        }
        match (finishes, device) {
            (Some((id, now_ms)), Some(device)) => {
                let take = crate::device::take_interaction_for_device(id, device, now_ms);
                self.execute_if(take, statements).await
            }
            (Some((id, now_ms)), None) => {
                let take = crate::sessions::take_interaction(id, now_ms);
                self.execute_if(take, statements).await
            }
            (None, _) => self.execute(statements).await.map(|_| true),
        }
    }

    /// A live grant: not revoked.
    pub async fn find_grant(&self, id: &str) -> Result<Option<Grant>> {
        let sql = format!(
            "SELECT {GRANT_COLUMNS} FROM grants g WHERE g.id = $1 AND g.revoked_at IS NULL"
        );
        self.fetch_optional(&sql, &args![id]).await
    }

    /// End a grant and everything issued under it. Idempotent.
    pub async fn revoke_grant(&self, grant_id: &str, now_ms: i64) -> Result<()> {
        let revoke = Statement::new(
            "UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            args![now_ms, grant_id],
        );
        let tokens = [
            "DELETE FROM refresh_tokens WHERE grant_id = $1",
            "DELETE FROM access_tokens WHERE grant_id = $1",
        ]
        .map(|sql| Statement::new(sql, args![grant_id]));
        self.execute(std::iter::once(revoke).chain(tokens).collect())
            .await?;
        Ok(())
    }

    pub async fn insert_access_token(&self, token: &OpaqueAccessToken) -> Result<()> {
        self.execute_one(insert_access(token)).await?;
        Ok(())
    }

    pub async fn delete_access_token(&self, token_hash: &str) -> Result<()> {
        let delete = Statement::new(
            "DELETE FROM access_tokens WHERE token_hash = $1",
            args![token_hash],
        );
        self.execute_one(delete).await?;
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
        self.fetch_optional(&sql, &[token_hash.into(), now_ms.into()])
            .await
    }
}

impl Db {
    /// A live opaque access token of a live grant, and the grant's user: what userinfo reads,
    /// in one statement.
    pub async fn find_access_token_and_user(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(OpaqueAccessToken, Grant, User)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT a.token_hash, a.grant_id, a.scope AS token_scope, \
                 a.created_at AS token_created_at, a.expires_at, {GRANT_COLUMNS}, {} \
                 FROM access_tokens a JOIN grants g ON g.id = a.grant_id \
                 JOIN users u ON u.id = g.user_id \
                 WHERE a.token_hash = $1 AND a.expires_at > $2 AND g.revoked_at IS NULL",
                *JOINED_COLUMNS
            )
        });
        self.fetch_optional(&SQL, &[token_hash.into(), now_ms.into()])
            .await
    }
}

/// A grant and its user (`None`: the user is gone), from `grants g LEFT JOIN users u`.
impl Record for (Grant, Option<User>) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let user = match row.get::<Option<String>>("u_id")? {
            Some(_) => Some(User::from_row(&Prefixed(row, "u_"))?),
            None => None,
        };
        Ok((Grant::from_row(row)?, user))
    }
}

/// The columns of a grant and of its user, for `grants g LEFT JOIN users u`.
pub(crate) static GRANT_AND_USER_COLUMNS: LazyLock<String> =
    LazyLock::new(|| format!("{GRANT_COLUMNS}, {}", *JOINED_COLUMNS));

impl Record for (OpaqueAccessToken, Grant, User) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let (token, grant) = <(OpaqueAccessToken, Grant)>::from_row(row)?;
        Ok((token, grant, User::from_row(&Prefixed(row, "u_"))?))
    }
}

#[cfg(test)]
#[path = "grants_tests.rs"]
pub(crate) mod tests;
