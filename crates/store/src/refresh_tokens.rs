//! Refresh tokens: found without being consumed, rotated by one conditional UPDATE that
//! stores the next token with it (`claim`; one winner however many requests race), and
//! recognised when replayed.

use latchkey_core::grant::{Grant, OpaqueAccessToken, RefreshToken, Taken};

use std::sync::LazyLock;

use latchkey_core::user::User;

use crate::claim::{Artefact, Claimed};
use crate::grants::{ConsumedBy, GRANT_AND_USER_COLUMNS, GRANT_COLUMNS, Issued, insert_refresh};
use crate::sql::row::{Columns, Record};
use crate::{Db, Result};

/// A refresh token and its grant, as `find_refresh_token` selects them.
impl Record for (RefreshToken, Grant) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok((token_of(row)?, Grant::from_row(row)?))
    }
}

fn token_of(row: &impl Columns) -> Result<RefreshToken> {
    Ok(RefreshToken {
        token_hash: row.get("token_hash")?,
        grant_id: row.get("grant_id")?,
        scope: row.get("token_scope")?,
        created_at: row.get("token_created_at")?,
        expires_at: row.get("expires_at")?,
    })
}

/// A refresh token, its grant and the grant's user, as `find_refresh_token_and_user`
/// selects them.
impl Record for (RefreshToken, Grant, Option<User>) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let (grant, user) = <(Grant, Option<User>)>::from_row(row)?;
        Ok((token_of(row)?, grant, user))
    }
}

impl Db {
    pub async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<()> {
        self.execute_one(insert_refresh(token)).await?;
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
        self.fetch_optional(&sql, &[token_hash.into(), now_ms.into()])
            .await
    }

    /// A live refresh token of a live grant, without consuming it, and the grant's user
    /// (`None`: gone), in one statement: what a refresh reads before it decides.
    pub async fn find_refresh_token_and_user(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(RefreshToken, Grant, Option<User>)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT r.token_hash, r.grant_id, r.scope AS token_scope, \
                 r.created_at AS token_created_at, r.expires_at, {} \
                 FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id \
                 LEFT JOIN users u ON u.id = g.user_id \
                 WHERE r.token_hash = $1 AND r.consumed_at IS NULL AND r.expires_at > $2 \
                 AND g.revoked_at IS NULL",
                *GRANT_AND_USER_COLUMNS
            )
        });
        self.fetch_optional(&SQL, &[token_hash.into(), now_ms.into()])
            .await
    }

    /// A refresh token of client `client_id` rotated at `since_ms` or later, unexpired, of a
    /// live grant, with the grant's user: a concurrent request's token, not a replay.
    pub async fn find_rotated_refresh_token_and_user(
        &self,
        (token_hash, client_id): (&str, &str),
        since_ms: i64,
        now_ms: i64,
    ) -> Result<Option<(RefreshToken, Grant, Option<User>)>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT r.token_hash, r.grant_id, r.scope AS token_scope, \
                 r.created_at AS token_created_at, r.expires_at, {} \
                 FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id \
                 LEFT JOIN users u ON u.id = g.user_id \
                 WHERE r.token_hash = $1 AND r.consumed_at >= $2 AND r.expires_at > $3 \
                 AND g.revoked_at IS NULL AND g.client_id = $4",
                *GRANT_AND_USER_COLUMNS
            )
        });
        let args = [
            token_hash.into(),
            since_ms.into(),
            now_ms.into(),
            client_id.into(),
        ];
        self.fetch_optional(&SQL, &args).await
    }

    /// The sealed answer kept with refresh token `token_hash` of client `client_id`, if it
    /// was rotated at `since_ms` or later and its grant is live: a retry within the grace.
    pub async fn find_reuse_answer(
        &self,
        (token_hash, client_id): (&str, &str),
        since_ms: i64,
    ) -> Result<Option<String>> {
        let sql = "SELECT r.reuse_answer FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id \
                   WHERE r.token_hash = $1 AND r.consumed_at >= $2 AND r.reuse_answer IS NOT NULL \
                   AND g.revoked_at IS NULL AND g.client_id = $3";
        let args = [token_hash.into(), since_ms.into(), client_id.into()];
        let found = self.fetch_optional(sql, &args).await?;
        Ok(found.map(|Answer(answer)| answer))
    }

    /// The grant of a refresh token that was consumed before (a replay), if it is one.
    pub async fn find_consumed_refresh_token(&self, token_hash: &str) -> Result<Option<String>> {
        let sql = "SELECT grant_id FROM refresh_tokens \
                   WHERE token_hash = $1 AND consumed_at IS NOT NULL";
        let consumed = self.fetch_optional(sql, &[token_hash.into()]).await?;
        Ok(consumed.map(|ConsumedBy(grant_id)| grant_id))
    }

    /// Consume `old` (as `find_refresh_token` found it) and store `new` in its place, with
    /// the access token issued alongside and the sealed answer for a retry, if any, all or
    /// nothing (`claim`). A token consumed
    /// meanwhile is `Reused`: the caller revokes the family. A grant revoked meanwhile is
    /// `Missing`: the token is spent and nothing is stored.
    pub async fn rotate_refresh_token(
        &self,
        (old_hash, old, grant): (&str, RefreshToken, Grant),
        new: &RefreshToken,
        (access, reuse_answer): (Option<OpaqueAccessToken>, Option<String>),
        now_ms: i64,
    ) -> Result<Taken<(RefreshToken, Grant)>> {
        let issued = Issued {
            refresh: Some(new.clone()),
            access,
            reuse_answer,
        };
        let claimed = self.claim(Artefact::Refresh, old_hash, now_ms, issued);
        Ok(match claimed.await? {
            Claimed::Won => Taken::Taken((old, grant)),
            Claimed::Revoked => Taken::Missing,
            Claimed::Lost => Taken::Reused {
                grant_id: old.grant_id,
            },
        })
    }
}

/// A sealed reuse answer, as `find_reuse_answer` selects it.
struct Answer(String);

impl Record for Answer {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(row.nth(0)?))
    }
}
