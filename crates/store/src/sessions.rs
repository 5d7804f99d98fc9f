//! Browser sessions and pending interactions. On an SQLite file they are read on the calling
//! thread (`read`) and written by the group-commit writer (`statement`): a sign-in reads and
//! writes them at each of its steps.

use crate::row::Columns;
use crate::statement::Statement;
use crate::{Db, Result, read};
use latchkey_core::session::{Answer, Interaction, Session};

impl Db {
    pub async fn insert_session(&self, session: &Session) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO sessions (id_hash, user_id, auth_time, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                (&session.id_hash).into(),
                (&session.user_id).into(),
                session.auth_time.into(),
                session.created_at.into(),
                session.last_seen_at.into(),
                session.expires_at.into(),
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// The session, if its absolute end is still ahead (the caller checks idleness).
    pub async fn find_session(&self, id_hash: &str, now_ms: i64) -> Result<Option<Session>> {
        const SQL: &str = "SELECT id_hash, user_id, auth_time, created_at, last_seen_at, expires_at \
                           FROM sessions WHERE id_hash = $1 AND expires_at > $2";
        if let Some(readers) = self.readers() {
            return readers.read(|conn| {
                read::optional(conn, SQL, rusqlite::params![id_hash, now_ms], |row| {
                    session_from_row(row)
                })
            });
        }
        let row = sqlx::query(SQL)
            .bind(id_hash)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn touch_session(&self, id_hash: &str, now_ms: i64) -> Result<()> {
        let touch = Statement::new(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
            [now_ms.into(), id_hash.into()],
        );
        self.execute_one(touch).await?;
        Ok(())
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
        if let Some(readers) = self.readers() {
            return readers.read(|conn| {
                read::optional(conn, SQL, rusqlite::params![id, now_ms], |row| {
                    interaction_from_row(row)
                })
            });
        }
        let row = sqlx::query(SQL)
            .bind(id)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(interaction_from_row).transpose()
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

    /// Consume an interaction; `true` for the one caller that did.
    pub async fn take_interaction(&self, id: &str, now_ms: i64) -> Result<bool> {
        let take = Statement::new(
            "UPDATE interactions SET consumed_at = $1 \
             WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1",
            [now_ms.into(), id.into()],
        );
        Ok(self.execute_one(take).await? == 1)
    }

    /// A user by username or primary email, whatever the case.
    pub async fn find_user_by_identifier(
        &self,
        identifier: &str,
    ) -> Result<Option<latchkey_core::user::User>> {
        const SQL: &str = "SELECT id FROM users \
                           WHERE lower(username) = lower($1) OR lower(primary_email) = lower($1)";
        let id: Option<String> = match self.readers() {
            Some(readers) => readers.read(|conn| {
                read::optional(conn, SQL, [identifier], |row| Columns::get(row, "id"))
            })?,
            None => {
                sqlx::query_scalar(SQL)
                    .bind(identifier)
                    .fetch_optional(self.pool())
                    .await?
            }
        };
        match id {
            Some(id) => self.find_user(&id).await,
            None => Ok(None),
        }
    }
}

fn session_from_row(r: &impl Columns) -> Result<Session> {
    Ok(Session {
        id_hash: r.get("id_hash")?,
        user_id: r.get("user_id")?,
        auth_time: r.get("auth_time")?,
        created_at: r.get("created_at")?,
        last_seen_at: r.get("last_seen_at")?,
        expires_at: r.get("expires_at")?,
    })
}

fn interaction_from_row(r: &impl Columns) -> Result<Interaction> {
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
