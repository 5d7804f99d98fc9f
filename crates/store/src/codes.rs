//! Authorization codes: read ahead of their redemption without being consumed, then claimed
//! (`claim`): one conditional UPDATE, which alone decides who wins the code, stores what the
//! redemption issued with it.

use latchkey_core::grant::{AuthorizationCode, Grant, Taken};

use std::sync::LazyLock;

use latchkey_core::user::User;

use crate::claim::{Artefact, Claimed};
use crate::grants::{ConsumedBy, GRANT_AND_USER_COLUMNS, Issued, store_issued};
use crate::sql::row::{Columns, Record};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Result};

/// The code's columns under the names `AuthorizationCode::from_row` reads, so that a join
/// with its grant (whose `created_at` is not the code's) decodes too.
const CODE_COLUMNS: &str = "code_hash, grant_id, redirect_uri, nonce, code_challenge, \
     created_at AS code_created_at, expires_at AS code_expires_at";

/// The same, of `authorization_codes c` in a join.
const JOINED_CODE_COLUMNS: &str = "c.code_hash, c.grant_id, c.redirect_uri, c.nonce, \
     c.code_challenge, c.created_at AS code_created_at, c.expires_at AS code_expires_at";

/// The grant of a code consumed before: a replay.
const CONSUMED: &str =
    "SELECT grant_id FROM authorization_codes WHERE code_hash = $1 AND consumed_at IS NOT NULL";

impl Record for AuthorizationCode {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(AuthorizationCode {
            code_hash: row.get("code_hash")?,
            grant_id: row.get("grant_id")?,
            redirect_uri: row.get("redirect_uri")?,
            nonce: row.get("nonce")?,
            code_challenge: row.get("code_challenge")?,
            created_at: row.get("code_created_at")?,
            expires_at: row.get("code_expires_at")?,
        })
    }
}

impl Record for (AuthorizationCode, Grant, Option<User>) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let (grant, user) = <(Grant, Option<User>)>::from_row(row)?;
        Ok((AuthorizationCode::from_row(row)?, grant, user))
    }
}

/// What the winner of a code gets: the code, its grant, the grant's user (`None`: gone),
/// and what the caller decided from them.
#[derive(Debug, PartialEq)]
pub struct Won<X> {
    pub code: AuthorizationCode,
    pub grant: Grant,
    pub user: Option<User>,
    pub decided: X,
}

impl Db {
    /// The grant of a code `client_id` was issued before with the PKCE challenge
    /// `challenge`, if one is still remembered (live, consumed, or expired within the replay
    /// memory): a client must make a new challenge for each authorization (RFC 9700 §2.1.1).
    pub async fn find_code_with_challenge(
        &self,
        client_id: &str,
        challenge: &str,
    ) -> Result<Option<String>> {
        let sql = "SELECT c.grant_id FROM authorization_codes c JOIN grants g ON g.id = c.grant_id \
                   WHERE c.code_challenge = $1 AND g.client_id = $2 LIMIT 1";
        let found = self
            .fetch_optional(sql, &[challenge.into(), client_id.into()])
            .await?;
        Ok(found.map(|ConsumedBy(grant_id)| grant_id))
    }

    /// A live code of a live grant, with the grant's user (`None`: gone), in one statement:
    /// what a redemption reads before it decides.
    pub async fn find_authorization_code(
        &self,
        code_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(AuthorizationCode, Grant, Option<User>)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {JOINED_CODE_COLUMNS}, {} FROM authorization_codes c \
                 JOIN grants g ON g.id = c.grant_id LEFT JOIN users u ON u.id = g.user_id \
                 WHERE c.code_hash = $1 AND c.consumed_at IS NULL AND c.expires_at > $2 \
                 AND g.revoked_at IS NULL",
                *GRANT_AND_USER_COLUMNS
            )
        });
        self.fetch_optional(&SQL, &[code_hash.into(), now_ms.into()])
            .await
    }

    /// Redeem a code. One caller ever gets `Taken`; a later one gets `Reused`. `issue`
    /// decides from the code and its grant what to store, which is stored only with the
    /// code's consumption, and only if the grant is still live (a concurrent replay revokes
    /// it), all or nothing; what it returns besides is handed back to the caller. A decision
    /// to store nothing still spends the code.
    ///
    /// On PostgreSQL the code, grant and user are read ahead and the claim is one statement
    /// (`claim`); on SQLite the writer consumes the code and reads the rest in one step,
    /// where a read ahead would only add a read (decision 0021).
    pub async fn take_authorization_code<X: Send + 'static>(
        &self,
        code_hash: &str,
        now_ms: i64,
        issue: impl FnOnce(&AuthorizationCode, &Grant) -> (Issued, X) + Send + 'static,
    ) -> Result<Taken<Won<X>>> {
        if self.postgres().is_none() {
            let code_hash = code_hash.to_owned();
            return transaction!(self, |tx| take(tx, &code_hash, now_ms, issue).await);
        }
        let Some((code, grant, user)) = self.find_authorization_code(code_hash, now_ms).await?
        else {
            return self.lost_code(code_hash).await;
        };
        let (issued, decided) = issue(&code, &grant);
        match self
            .claim(Artefact::Code, code_hash, now_ms, issued)
            .await?
        {
            Claimed::Won => Ok(Taken::Taken(Won {
                code,
                grant,
                user,
                decided,
            })),
            Claimed::Revoked => Ok(Taken::Missing),
            Claimed::Lost => self.lost_code(code_hash).await,
        }
    }

    /// Why a code could not be taken: consumed before (a replay, which revokes the grant),
    /// or unknown, expired, or of a revoked grant.
    async fn lost_code<X>(&self, code_hash: &str) -> Result<Taken<X>> {
        Ok(
            match self.fetch_optional(CONSUMED, &[code_hash.into()]).await? {
                Some(ConsumedBy(grant_id)) => Taken::Reused { grant_id },
                None => Taken::Missing,
            },
        )
    }
}

/// The body of `take_authorization_code`'s transaction where it is not one statement: the
/// code consumed first, its grant and user read after, in the writer's one step.
async fn take<X>(
    tx: &mut impl Tx,
    code_hash: &str,
    now_ms: i64,
    issue: impl FnOnce(&AuthorizationCode, &Grant) -> (Issued, X),
) -> Result<Taken<Won<X>>> {
    let consume = format!(
        "UPDATE authorization_codes SET consumed_at = $1 \
         WHERE code_hash = $2 AND consumed_at IS NULL AND expires_at > $1 \
         RETURNING {CODE_COLUMNS}"
    );
    let won = tx
        .fetch_optional::<AuthorizationCode>(&consume, &[now_ms.into(), code_hash.into()])
        .await?;
    let Some(code) = won else {
        // Lost: consumed before (a replay, which revokes the grant) or unknown or expired.
        return Ok(
            match tx.fetch_optional(CONSUMED, &[code_hash.into()]).await? {
                Some(ConsumedBy(grant_id)) => Taken::Reused { grant_id },
                None => Taken::Missing,
            },
        );
    };
    static LIVE_GRANT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {} FROM grants g LEFT JOIN users u ON u.id = g.user_id \
             WHERE g.id = $1 AND g.revoked_at IS NULL",
            *GRANT_AND_USER_COLUMNS
        )
    });
    let grant_id = [(&code.grant_id).into()];
    let Some((grant, user)) = tx.fetch_optional(&LIVE_GRANT, &grant_id).await? else {
        return Ok(Taken::Missing);
    };
    let (issued, decided) = issue(&code, &grant);
    store_issued(tx, &issued).await?;
    Ok(Taken::Taken(Won {
        code,
        grant,
        user,
        decided,
    }))
}
