//! Codes sent to an address (`core::email`): written with the mail that carries them, found
//! by id, charged for each wrong code, and consumed once, in the transaction of what the code
//! proves (a new account, a proven or changed address, a new password).

use latchkey_core::email::{Challenge, MAX_CODE_ATTEMPTS, Purpose};
use latchkey_core::user::User;

use crate::outbox::{Mail, insert as queue};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

const COLUMNS: &str = "id, purpose, user_id, email, code_hash, attempts, created_at, expires_at, \
     consumed_at, pending";

impl Record for Challenge {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let purpose: String = row.get("purpose")?;
        Ok(Challenge {
            id: row.get("id")?,
            purpose: Purpose::parse(&purpose)
                .ok_or_else(|| Error::Corrupt(format!("challenge purpose {purpose}")))?,
            user_id: row.get("user_id")?,
            email: row.get("email")?,
            code_hash: row.get("code_hash")?,
            attempts: row.get("attempts")?,
            created_at: row.get("created_at")?,
            expires_at: row.get("expires_at")?,
            consumed_at: row.get("consumed_at")?,
            pending: row.get("pending")?,
        })
    }
}

fn insert(c: &Challenge) -> Statement {
    Statement::new(
        "INSERT INTO email_challenges (id, purpose, user_id, email, code_hash, created_at, \
         expires_at, pending) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            &c.id,
            c.purpose.as_str(),
            c.user_id.as_deref(),
            &c.email,
            &c.code_hash,
            c.created_at,
            c.expires_at,
            c.pending.as_deref()
        ],
    )
}

/// Consumes challenge `id` if `code_hash` is its code and it is live: the guard of every
/// write a code allows, so that a code acts once.
fn take(id: &str, code_hash: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE email_challenges SET consumed_at = $1 WHERE id = $2 AND code_hash = $3 \
         AND consumed_at IS NULL AND expires_at > $1 AND attempts < $4",
        args![now_ms, id, code_hash, MAX_CODE_ATTEMPTS],
    )
}

impl Db {
    /// Record `challenge` and queue `mails` (the one carrying its code, and any other), in
    /// one transaction.
    pub async fn insert_challenge(&self, challenge: &Challenge, mails: &[Mail]) -> Result<()> {
        let mut statements = vec![insert(challenge)];
        statements.extend(mails.iter().map(queue));
        self.execute(statements).await.map(|_| ())
    }

    /// Add `user` with `challenge` for its address and the mail carrying its code, in one
    /// transaction; `Conflict` when an identifier is taken.
    pub async fn insert_user_with_challenge(
        &self,
        user: &User,
        challenge: &Challenge,
        mail: &Mail,
    ) -> Result<()> {
        let statements = vec![crate::users::insert(user), insert(challenge), queue(mail)];
        self.execute(statements).await.map(|_| ())
    }

    pub async fn find_challenge(&self, id: &str) -> Result<Option<Challenge>> {
        let sql = format!("SELECT {COLUMNS} FROM email_challenges WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// The newest challenge of `user_id` for `purpose` that a code can still open.
    pub async fn find_live_challenge(
        &self,
        user_id: &str,
        purpose: Purpose,
        now_ms: i64,
    ) -> Result<Option<Challenge>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM email_challenges WHERE user_id = $1 AND purpose = $2 \
             AND consumed_at IS NULL AND expires_at > $3 AND attempts < $4 \
             ORDER BY created_at DESC LIMIT 1"
        );
        let purpose = purpose.as_str();
        self.fetch_optional(&sql, &args![user_id, purpose, now_ms, MAX_CODE_ATTEMPTS])
            .await
    }

    /// Count a wrong code against challenge `id`.
    pub async fn count_challenge_failure(&self, id: &str) -> Result<()> {
        let update = Statement::new(
            "UPDATE email_challenges SET attempts = attempts + 1 WHERE id = $1",
            args![id],
        );
        self.execute_one(update).await.map(|_| ())
    }

    /// A sign-up's code typed back: consume the challenge and add `user` (its address proven).
    /// `false` when the code no longer opens it; `Conflict` when an identifier was taken
    /// meanwhile (nothing is consumed then).
    pub async fn finish_sign_up(
        &self,
        id: &str,
        code_hash: &str,
        now_ms: i64,
        user: &User,
    ) -> Result<bool> {
        self.execute_if(
            take(id, code_hash, now_ms),
            vec![crate::users::insert(user)],
        )
        .await
    }

    /// An address's code typed back: consume `challenge` and make its address the proven one
    /// of its account (a `Verify` challenge only while that address is still the account's),
    /// queuing `mails` (the old address told of a change). `false` when the code no longer
    /// opens it; `Conflict` when another account took the address meanwhile.
    pub async fn prove_email(
        &self,
        challenge: &Challenge,
        code_hash: &str,
        now_ms: i64,
        mails: &[Mail],
    ) -> Result<bool> {
        let user_id = challenge.user_id.as_deref().unwrap_or_default();
        let same = match challenge.purpose {
            Purpose::Verify => " AND lower(primary_email) = lower($1)",
            _ => "",
        };
        let mut then = vec![Statement::new(
            format!(
                "UPDATE users SET primary_email = $1, primary_email_verified = $4, \
                 updated_at = $2 WHERE id = $3{same}"
            ),
            args![&challenge.email, now_ms, user_id, true],
        )];
        then.extend(mails.iter().map(queue));
        self.execute_if(take(&challenge.id, code_hash, now_ms), then)
            .await
    }

    /// A recovery code typed back: consume `challenge`, set its account's new password hash
    /// and end what the old password opened (as [`Db::set_password`]), queuing `mails` (the
    /// owner told). `false` when the code no longer opens it.
    pub async fn recover_password(
        &self,
        challenge: &Challenge,
        code_hash: &str,
        now_ms: i64,
        password_hash: &str,
        mails: &[Mail],
    ) -> Result<bool> {
        let user_id = challenge.user_id.as_deref().unwrap_or_default();
        let mut then = crate::users::set_password(user_id, password_hash, now_ms);
        then.extend(mails.iter().map(queue));
        self.execute_if(take(&challenge.id, code_hash, now_ms), then)
            .await
    }
}

#[cfg(test)]
#[path = "challenges_tests.rs"]
pub(crate) mod tests;
