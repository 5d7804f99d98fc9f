//! Authorization codes: read ahead of their redemption without being consumed, so that the
//! response can be prepared while the consumption commits, and consumed by one conditional
//! UPDATE, which alone decides who wins the code.

use latchkey_core::grant::{AuthorizationCode, Grant, Taken};

use std::sync::LazyLock;

use latchkey_core::user::User;

use crate::grants::{ConsumedBy, GRANT_AND_USER_COLUMNS, GRANT_COLUMNS, Issued, store_issued};
use crate::sql::row::{Columns, Record};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Result};

/// The code's columns under the names `AuthorizationCode::from_row` reads, so that a join
/// with its grant (whose `created_at` is not the code's) decodes too.
const CODE_COLUMNS: &str = "code_hash, grant_id, redirect_uri, nonce, code_challenge, \
     created_at AS code_created_at, expires_at AS code_expires_at";

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

impl Record for (AuthorizationCode, Grant) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok((AuthorizationCode::from_row(row)?, Grant::from_row(row)?))
    }
}

/// What the winner of a code gets: the code, its grant, the grant's user (`None`: gone),
/// read in the consuming transaction, and what the caller decided from them.
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

    /// A live code of a live grant, as it stands now.
    pub async fn find_authorization_code(
        &self,
        code_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(AuthorizationCode, Grant)>> {
        let sql = format!(
            "SELECT {GRANT_COLUMNS}, c.* FROM grants g JOIN \
             (SELECT {CODE_COLUMNS} FROM authorization_codes \
              WHERE code_hash = $1 AND consumed_at IS NULL AND expires_at > $2) c \
             ON g.id = c.grant_id WHERE g.revoked_at IS NULL"
        );
        self.fetch_optional(&sql, &[code_hash.into(), now_ms.into()])
            .await
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
    ) -> Result<Taken<Won<X>>> {
        let code_hash = code_hash.to_owned();
        transaction!(self, |tx| take(tx, &code_hash, now_ms, issue).await)
    }
}

/// The body of `take_authorization_code`'s transaction.
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
        let consumed = "SELECT grant_id FROM authorization_codes \
                        WHERE code_hash = $1 AND consumed_at IS NOT NULL";
        return Ok(
            match tx.fetch_optional(consumed, &[code_hash.into()]).await? {
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
