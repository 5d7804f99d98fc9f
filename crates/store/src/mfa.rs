//! Second factors (`core::mfa`): a user's authenticator app, passkeys and recovery codes,
//! each change written with its audit entry; a TOTP step and a recovery code act once
//! (guarded `UPDATE`s); WebAuthn ceremonies wait here between their two requests, taken once.

use latchkey_core::mfa::{Kind, Verification};
use latchkey_core::user::User;

use crate::audit::AuditEntry;
use crate::outbox::{Mail, insert as queue};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

const COLUMNS: &str = "v.id, v.user_id, v.type, v.name, v.material, v.credential_id, v.last_step, \
     v.created_at, v.last_used_at, \
     (SELECT COUNT(*) FROM recovery_codes r WHERE r.verification_id = v.id AND r.used_at IS NULL) \
     AS remaining";

impl Record for Verification {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let kind: String = row.get("type")?;
        let remaining: i64 = row.get("remaining")?;
        Ok(Verification {
            id: row.get("id")?,
            user_id: row.get("user_id")?,
            kind: Kind::parse(&kind).ok_or_else(|| Error::Corrupt(format!("factor {kind}")))?,
            name: row.get("name")?,
            secret: row.get("material")?,
            credential_id: row.get("credential_id")?,
            last_step: row.get("last_step")?,
            remaining: usize::try_from(remaining).unwrap_or_default(),
            created_at: row.get("created_at")?,
            last_used_at: row.get("last_used_at")?,
        })
    }
}

fn insert(v: &Verification) -> Statement {
    Statement::new(
        "INSERT INTO mfa_verifications (id, user_id, type, name, material, credential_id, \
         last_step, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            &v.id,
            &v.user_id,
            v.kind.as_str(),
            v.name.as_deref(),
            v.secret.as_deref(),
            v.credential_id.as_deref(),
            v.last_step,
            v.created_at
        ],
    )
}

fn insert_codes(verification_id: &str, code_hashes: &[String]) -> Vec<Statement> {
    let insert = |hash: &String| {
        Statement::new(
            "INSERT INTO recovery_codes (verification_id, code_hash) VALUES ($1, $2)",
            args![verification_id, hash],
        )
    };
    code_hashes.iter().map(insert).collect()
}

impl Db {
    /// The user's factors, oldest first (recovery codes after the factor they came with,
    /// made in the same millisecond).
    pub async fn list_verifications(&self, user_id: &str) -> Result<Vec<Verification>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mfa_verifications v WHERE v.user_id = $1 \
             ORDER BY v.created_at, CASE v.type WHEN 'BackupCode' THEN 1 ELSE 0 END, v.id"
        );
        self.fetch_all(&sql, &[user_id.into()]).await
    }

    /// The passkey with this credential id, whoever owns it.
    pub async fn find_passkey(&self, credential_id: &str) -> Result<Option<Verification>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mfa_verifications v \
             WHERE v.credential_id = $1 AND v.type = 'WebAuthn'"
        );
        self.fetch_optional(&sql, &[credential_id.into()]).await
    }

    /// Enroll `factor`, with its recovery codes' hashes for a [`Kind::BackupCode`] set.
    /// `Conflict` when the user already has an authenticator app (one each) or the passkey
    /// is registered already.
    pub async fn insert_verification(
        &self,
        factor: &Verification,
        code_hashes: &[String],
        audit: &AuditEntry,
        now_ms: i64,
    ) -> Result<()> {
        let mut statements = vec![insert(factor)];
        statements.extend(insert_codes(&factor.id, code_hashes));
        statements.push(crate::audit::insert(audit, now_ms));
        self.execute(statements).await?;
        Ok(())
    }

    /// A new account whose only way in is `factor` (a passkey), written together: `Conflict`
    /// when the username is taken or the passkey registered already.
    pub async fn insert_user_with_verification(
        &self,
        user: &User,
        factor: &Verification,
        audits: &[AuditEntry],
        now_ms: i64,
    ) -> Result<()> {
        let mut statements = vec![crate::users::insert(user), insert(factor)];
        statements.extend(audits.iter().map(|a| crate::audit::insert(a, now_ms)));
        self.execute(statements).await?;
        Ok(())
    }

    /// A new set of recovery codes in place of the user's old one, whose codes stop working.
    pub async fn replace_recovery_codes(
        &self,
        set: &Verification,
        code_hashes: &[String],
        audit: &AuditEntry,
        now_ms: i64,
    ) -> Result<()> {
        let mut statements = vec![Statement::new(
            "DELETE FROM mfa_verifications WHERE user_id = $1 AND type = 'BackupCode'",
            args![&set.user_id],
        )];
        statements.push(insert(set));
        statements.extend(insert_codes(&set.id, code_hashes));
        statements.push(crate::audit::insert(audit, now_ms));
        self.execute(statements).await?;
        Ok(())
    }

    /// Accept TOTP time step `step` for factor `id`: `false` if that step or a later one was
    /// accepted before (a code acts once, even on two nodes at the same moment).
    pub async fn use_totp_step(&self, id: &str, step: i64, now_ms: i64) -> Result<bool> {
        let accept = Statement::new(
            "UPDATE mfa_verifications SET last_step = $1, last_used_at = $2 \
             WHERE id = $3 AND type = 'Totp' AND (last_step IS NULL OR last_step < $1)",
            args![step, now_ms, id],
        );
        Ok(self.execute_one(accept).await? == 1)
    }

    /// Use the recovery code hashed `code_hash` of set `set_id`: `true` for the one caller
    /// that did.
    pub async fn use_recovery_code(
        &self,
        set_id: &str,
        code_hash: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let take = Statement::new(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE verification_id = $2 AND code_hash = $3 AND used_at IS NULL",
            args![now_ms, set_id, code_hash],
        );
        let touch = Statement::new(
            "UPDATE mfa_verifications SET last_used_at = $1 WHERE id = $2",
            args![now_ms, set_id],
        );
        self.execute_if(take, vec![touch]).await
    }

    /// A passkey used: its new counter (in `material`), written only if the stored one is
    /// still `before` (two uses at once cannot both move it).
    pub async fn update_passkey(
        &self,
        id: &str,
        before: &str,
        material: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let update = Statement::new(
            "UPDATE mfa_verifications SET material = $1, last_used_at = $2 \
             WHERE id = $3 AND material = $4",
            args![material, now_ms, id, before],
        );
        Ok(self.execute_one(update).await? == 1)
    }

    /// Rename the user's passkey; `NotFound` if they have no such passkey.
    pub async fn rename_passkey(&self, user_id: &str, id: &str, name: &str) -> Result<()> {
        let rename = Statement::new(
            "UPDATE mfa_verifications SET name = $1 \
             WHERE id = $2 AND user_id = $3 AND type = 'WebAuthn'",
            args![name, id, user_id],
        );
        self.execute_found(rename).await
    }

    /// Remove one of the user's factors (its recovery codes with it), with the mail that
    /// tells them; `false` if it was gone.
    pub async fn delete_verification(
        &self,
        (user_id, id): (&str, &str),
        audit: &AuditEntry,
        mails: &[Mail],
        now_ms: i64,
    ) -> Result<bool> {
        let delete = Statement::new(
            "DELETE FROM mfa_verifications WHERE id = $1 AND user_id = $2",
            args![id, user_id],
        );
        let mut then = vec![crate::audit::insert(audit, now_ms)];
        then.extend(mails.iter().map(queue));
        self.execute_if(delete, then).await
    }

    /// Keep a WebAuthn ceremony's state until the browser answers it.
    pub async fn insert_ceremony(&self, ceremony: &Ceremony) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO webauthn_ceremonies (id, user_id, purpose, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![
                &ceremony.id,
                ceremony.user_id.as_deref(),
                &ceremony.purpose,
                &ceremony.state,
                ceremony.expires_at
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// Take ceremony `id` of `purpose` if it is live: once, by one caller.
    pub async fn take_ceremony(
        &self,
        id: &str,
        purpose: &str,
        now_ms: i64,
    ) -> Result<Option<Ceremony>> {
        let found: Option<Ceremony> = self
            .fetch_optional(
                "SELECT id, user_id, purpose, state, expires_at FROM webauthn_ceremonies \
                 WHERE id = $1 AND purpose = $2 AND expires_at > $3",
                &[id.into(), purpose.into(), now_ms.into()],
            )
            .await?;
        let Some(ceremony) = found else {
            return Ok(None);
        };
        let delete = Statement::new("DELETE FROM webauthn_ceremonies WHERE id = $1", args![id]);
        Ok((self.execute_one(delete).await? == 1).then_some(ceremony))
    }
}

/// A WebAuthn ceremony between its options and the browser's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceremony {
    pub id: String,
    /// Whose passkey is registered or asked for; none for a username-less sign-in.
    pub user_id: Option<String>,
    /// `register`, `sign_up`, `sign_in` or `second_factor`.
    pub purpose: String,
    /// The library's state, serialised.
    pub state: String,
    pub expires_at: i64,
}

impl Record for Ceremony {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Ceremony {
            id: row.get("id")?,
            user_id: row.get("user_id")?,
            purpose: row.get("purpose")?,
            state: row.get("state")?,
            expires_at: row.get("expires_at")?,
        })
    }
}

#[cfg(test)]
#[path = "mfa_tests.rs"]
mod tests;
