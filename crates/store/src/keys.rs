//! Signing keys and their rotation.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{KeyState, SigningKey};
use latchkey_core::rotation::Cutoffs;
use sqlx::Row;

use crate::{Db, Error, Result, flag};

impl Db {
    pub async fn find_signing_keys(&self) -> Result<Vec<SigningKey>> {
        let rows = sqlx::query(
            "SELECT kid, algorithm, state, private_key, encrypted, created_at, retired_at \
             FROM signing_keys ORDER BY algorithm, created_at DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let algorithm: String = row.try_get("algorithm")?;
                let state: String = row.try_get("state")?;
                Ok(SigningKey {
                    kid: row.try_get("kid")?,
                    algorithm: Algorithm::parse(&algorithm)
                        .ok_or_else(|| Error::Corrupt(format!("unknown algorithm {algorithm}")))?,
                    state: KeyState::parse(&state)
                        .ok_or_else(|| Error::Corrupt(format!("unknown key state {state}")))?,
                    private_key: row.try_get("private_key")?,
                    encrypted: flag(row, "encrypted")?,
                    created_at: row.try_get("created_at")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect()
    }

    /// Add a key. `Conflict` when its algorithm already has a key in that state (another
    /// process got there first) or the kid exists.
    pub async fn insert_signing_key(&self, key: &SigningKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO signing_keys \
             (kid, algorithm, state, private_key, encrypted, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.kid)
        .bind(key.algorithm.as_str())
        .bind(key.state.as_str())
        .bind(&key.private_key)
        .bind(key.encrypted)
        .bind(key.created_at)
        .bind(key.retired_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Replace a key's stored private material (to seal a key that was kept in clear).
    pub async fn update_signing_key_material(
        &self,
        kid: &str,
        private_key: &[u8],
        encrypted: bool,
    ) -> Result<()> {
        sqlx::query("UPDATE signing_keys SET private_key = $1, encrypted = $2 WHERE kid = $3")
            .bind(private_key)
            .bind(encrypted)
            .bind(kid)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Remove a key, only when it is `previous`; `NotFound` otherwise.
    pub async fn delete_previous_signing_key(&self, kid: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM signing_keys WHERE kid = $1 AND state = 'previous'")
            .bind(kid)
            .execute(self.writer())
            .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// One rotation step for `algorithm`, in one transaction: the previous key is dropped,
    /// current becomes previous (retired at `now_ms`), next becomes current, and `new_next` is
    /// published as next. `cutoffs` are checked in the same transaction: `Conflict` (and
    /// nothing changed) when the previous key retired after `retired_by_ms` or the next key
    /// was published after `published_by_ms`; `NotFound` when there is no next key to promote.
    pub async fn rotate_signing_keys(
        &self,
        algorithm: Algorithm,
        new_next: &SigningKey,
        now_ms: i64,
        cutoffs: Cutoffs,
    ) -> Result<()> {
        let alg = algorithm.as_str();
        let mut tx = self.writer().begin().await?;
        // A previous key without a retirement time counts as retired now, as in `rotation`.
        sqlx::query(
            "DELETE FROM signing_keys WHERE algorithm = $1 AND state = 'previous' \
             AND COALESCE(retired_at, $2) <= $3",
        )
        .bind(alg)
        .bind(now_ms)
        .bind(cutoffs.retired_by_ms)
        .execute(&mut *tx)
        .await?;
        let kept: Option<String> = sqlx::query_scalar(
            "SELECT kid FROM signing_keys WHERE algorithm = $1 AND state = 'previous'",
        )
        .bind(alg)
        .fetch_optional(&mut *tx)
        .await?;
        if kept.is_some() {
            return Err(Error::Conflict);
        }
        // As in `rotation::check`: a next key published no later than the current one is
        // known wherever the current one is.
        let next: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT n.created_at, c.created_at FROM signing_keys n \
             LEFT JOIN signing_keys c ON c.algorithm = n.algorithm AND c.state = 'current' \
             WHERE n.algorithm = $1 AND n.state = 'next'",
        )
        .bind(alg)
        .fetch_optional(&mut *tx)
        .await?;
        match next {
            None => return Err(Error::NotFound),
            Some((published, current))
                if published > cutoffs.published_by_ms
                    && current.is_none_or(|current| published > current) =>
            {
                return Err(Error::Conflict);
            }
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE signing_keys SET state = 'previous', retired_at = $2 \
             WHERE algorithm = $1 AND state = 'current'",
        )
        .bind(alg)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let promoted = sqlx::query(
            "UPDATE signing_keys SET state = 'current' WHERE algorithm = $1 AND state = 'next'",
        )
        .bind(alg)
        .execute(&mut *tx)
        .await?;
        if promoted.rows_affected() != 1 {
            return Err(Error::NotFound);
        }
        sqlx::query(
            "INSERT INTO signing_keys (kid, algorithm, state, private_key, encrypted, created_at) \
             VALUES ($1, $2, 'next', $3, $4, $5)",
        )
        .bind(&new_next.kid)
        .bind(alg)
        .bind(&new_next.private_key)
        .bind(new_next.encrypted)
        .bind(new_next.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
