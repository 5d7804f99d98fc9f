//! Browser sessions and pending interactions. On an SQLite file they are read on the calling
//! thread (`read`) and written by the group-commit writer (`statement`): a sign-in reads and
//! writes them at each of its steps.

use crate::audit::AuditEntry;
use crate::sql::row::{Columns, Record};
use crate::sql::statement::Statement;
use crate::{Db, Result};
use latchkey_core::mfa::Amr;
use latchkey_core::session::{Answer, Interaction, Session};

impl Db {
    /// Start `session` (a sign-in) in one transaction: end the one it `replaces` on the same
    /// browser, if any, mark the user's last sign-in, and record `audit`, the sign-in, with it.
    pub async fn start_session(
        &self,
        session: &Session,
        replaces: Option<&str>,
        audit: Option<(&AuditEntry, i64)>,
    ) -> Result<()> {
        self.start_session_for(session, (replaces, None), audit)
            .await
    }

    /// [`Db::start_session`], signing in on interaction `finishes` (when given): a half-done
    /// sign-in waiting there is over with it.
    pub async fn start_session_for(
        &self,
        session: &Session,
        (replaces, finishes): (Option<&str>, Option<&str>),
        audit: Option<(&AuditEntry, i64)>,
    ) -> Result<()> {
        let mut statements = Vec::with_capacity(5);
        if let Some(interaction) = finishes {
            statements.push(Statement::new(
                "UPDATE interactions SET proof_user_id = NULL, proof_amr = NULL WHERE id = $1",
                [interaction.into()],
            ));
        }
        if let Some(old) = replaces {
            statements.push(Statement::new(
                "DELETE FROM sessions WHERE id_hash = $1",
                [old.into()],
            ));
        }
        statements.push(Statement::new(
            "INSERT INTO sessions (id_hash, user_id, auth_time, amr, created_at, last_seen_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (&session.id_hash).into(),
                (&session.user_id).into(),
                session.auth_time.into(),
                session.amr.stored().into(),
                session.created_at.into(),
                session.last_seen_at.into(),
                session.expires_at.into(),
            ],
        ));
        // The user's last sign-in is the session's start, written with it.
        statements.push(Statement::new(
            "UPDATE users SET last_sign_in_at = $1 WHERE id = $2",
            [session.created_at.into(), (&session.user_id).into()],
        ));
        if let Some((entry, now_ms)) = audit {
            statements.push(crate::audit::insert(entry, now_ms));
        }
        self.execute(statements).await?;
        Ok(())
    }

    /// The session, if its absolute end is still ahead (the caller checks idleness).
    pub async fn find_session(&self, id_hash: &str, now_ms: i64) -> Result<Option<Session>> {
        const SQL: &str = "SELECT id_hash, user_id, auth_time, amr, created_at, last_seen_at, expires_at \
                           FROM sessions WHERE id_hash = $1 AND expires_at > $2";
        self.fetch_optional(SQL, &[id_hash.into(), now_ms.into()])
            .await
    }

    pub async fn touch_session(&self, id_hash: &str, now_ms: i64) -> Result<()> {
        let touch = Statement::new(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
            [now_ms.into(), id_hash.into()],
        );
        self.execute_one(touch).await?;
        Ok(())
    }

    /// A second factor proved on a signed-in browser: the session now says both. Its
    /// `auth_time` stays: a second factor alone is not a new sign-in (`max_age`, the account
    /// pages' recent sign-in).
    pub async fn prove_session(&self, id_hash: &str, amr: &Amr) -> Result<bool> {
        let prove = Statement::new(
            "UPDATE sessions SET amr = $1 WHERE id_hash = $2",
            [amr.stored().into(), id_hash.into()],
        );
        Ok(self.execute_one(prove).await? == 1)
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let delete = Statement::new("DELETE FROM sessions WHERE id_hash = $1", [id_hash.into()]);
        self.execute_one(delete).await?;
        Ok(())
    }

    pub async fn insert_interaction(&self, interaction: &Interaction) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO interactions \
             (id, client_id, request, csrf_hash, session_id_hash, answer, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                (&interaction.id).into(),
                (&interaction.client_id).into(),
                (&interaction.request).into(),
                (&interaction.csrf_hash).into(),
                (&interaction.session_id_hash).into(),
                interaction.answer.map(Answer::as_str).into(),
                interaction.created_at.into(),
                interaction.expires_at.into(),
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// A pending interaction: not consumed, not expired.
    pub async fn find_interaction(&self, id: &str, now_ms: i64) -> Result<Option<Interaction>> {
        const SQL: &str = "SELECT id, client_id, request, csrf_hash, session_id_hash, answer, \
                           created_at, expires_at FROM interactions \
                           WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2";
        self.fetch_optional(SQL, &[id.into(), now_ms.into()]).await
    }

    /// An interaction already finished (consumed) and not yet expired: what a page reached
    /// again by the back button explains.
    pub async fn find_finished_interaction(
        &self,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<Interaction>> {
        const SQL: &str = "SELECT id, client_id, request, csrf_hash, session_id_hash, answer, \
                           created_at, expires_at FROM interactions \
                           WHERE id = $1 AND consumed_at IS NOT NULL AND expires_at > $2";
        self.fetch_optional(SQL, &[id.into(), now_ms.into()]).await
    }

    /// Record the consent page's answer and the session that gave it; `false` if the
    /// interaction is no longer pending.
    pub async fn answer_interaction(
        &self,
        id: &str,
        answer: Answer,
        session_id_hash: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let record = Statement::new(
            "UPDATE interactions SET answer = $1, session_id_hash = $2 \
             WHERE id = $3 AND consumed_at IS NULL AND expires_at > $4",
            [
                answer.as_str().into(),
                session_id_hash.into(),
                id.into(),
                now_ms.into(),
            ],
        );
        Ok(self.execute_one(record).await? == 1)
    }

    /// A sign-in half done on interaction `id`: `user_id` proved `amr` (a password), and a
    /// second factor is to come before a session starts.
    pub async fn set_interaction_proof(&self, id: &str, user_id: &str, amr: &Amr) -> Result<()> {
        let record = Statement::new(
            "UPDATE interactions SET proof_user_id = $1, proof_amr = $2 \
             WHERE id = $3 AND consumed_at IS NULL",
            [user_id.into(), amr.stored().into(), id.into()],
        );
        self.execute_one(record).await?;
        Ok(())
    }

    /// The half-done sign-in of interaction `id`, if any: its user and what they proved.
    pub async fn find_interaction_proof(&self, id: &str) -> Result<Option<(String, Amr)>> {
        const SQL: &str = "SELECT proof_user_id, proof_amr FROM interactions \
                           WHERE id = $1 AND consumed_at IS NULL AND proof_user_id IS NOT NULL";
        let found: Option<Proof> = self.fetch_optional(SQL, &[id.into()]).await?;
        Ok(found.map(|p| (p.0, p.1)))
    }

    /// Consume an interaction; `true` for the one caller that did.
    pub async fn take_interaction(&self, id: &str, now_ms: i64) -> Result<bool> {
        Ok(self.execute_one(take_interaction(id, now_ms)).await? == 1)
    }
}

/// Consume interaction `id`, unless another request did first or it has expired.
pub(crate) fn take_interaction(id: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE interactions SET consumed_at = $1 \
         WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1",
        [now_ms.into(), id.into()],
    )
}

impl Record for Session {
    fn from_row(r: &impl Columns) -> Result<Self> {
        Ok(Session {
            id_hash: r.get("id_hash")?,
            user_id: r.get("user_id")?,
            auth_time: r.get("auth_time")?,
            amr: Amr::parse(&r.get::<String>("amr")?),
            created_at: r.get("created_at")?,
            last_seen_at: r.get("last_seen_at")?,
            expires_at: r.get("expires_at")?,
        })
    }
}

impl Record for Interaction {
    fn from_row(r: &impl Columns) -> Result<Self> {
        let answer: Option<String> = r.get("answer")?;
        Ok(Interaction {
            id: r.get("id")?,
            client_id: r.get("client_id")?,
            request: r.get("request")?,
            csrf_hash: r.get("csrf_hash")?,
            session_id_hash: r.get("session_id_hash")?,
            answer: answer.as_deref().and_then(Answer::parse),
            created_at: r.get("created_at")?,
            expires_at: r.get("expires_at")?,
        })
    }
}

/// A half-done sign-in, as `find_interaction_proof` selects it.
struct Proof(String, Amr);

impl Record for Proof {
    fn from_row(r: &impl Columns) -> Result<Self> {
        let amr: Option<String> = r.get("proof_amr")?;
        Ok(Proof(
            r.get("proof_user_id")?,
            Amr::parse(amr.as_deref().unwrap_or_default()),
        ))
    }
}
