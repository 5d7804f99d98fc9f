//! Signing keys and their rotation.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{KeyState, SigningKey};
use sqlx::Row;

use crate::{Db, Error, Result, flag};

impl Db {
    pub async fn find_signing_keys(&self) -> Result<Vec<SigningKey>> {
        let rows = sqlx::query(
            "SELECT kid, algorithm, state, private_key, encrypted, created_at \
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
                })
            })
            .collect()
    }

    /// Add a key. `Conflict` when its algorithm already has a key in that state (another
    /// process got there first) or the kid exists.
    pub async fn insert_signing_key(&self, key: &SigningKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, algorithm, state, private_key, encrypted, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.kid)
        .bind(key.algorithm.as_str())
        .bind(key.state.as_str())
        .bind(&key.private_key)
        .bind(key.encrypted)
        .bind(key.created_at)
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
    /// current becomes previous, next becomes current, and `new_next` is published as next.
    /// `NotFound` (and nothing changed) when the algorithm has no next key to promote.
    pub async fn rotate_signing_keys(
        &self,
        algorithm: Algorithm,
        new_next: &SigningKey,
    ) -> Result<()> {
        let alg = algorithm.as_str();
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM signing_keys WHERE algorithm = $1 AND state = 'previous'")
            .bind(alg)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE signing_keys SET state = 'previous' WHERE algorithm = $1 AND state = 'current'",
        )
        .bind(alg)
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
mod tests {
    use latchkey_core::jwt::Algorithm;
    use latchkey_core::keys::{KeyState, SigningKey};

    use crate::{Error, test_dbs};

    fn key(kid: &str, state: KeyState) -> SigningKey {
        SigningKey {
            kid: kid.into(),
            algorithm: Algorithm::ES256,
            state,
            private_key: vec![1, 2, 3],
            encrypted: false,
            created_at: 0,
        }
    }

    fn states(keys: &[SigningKey]) -> Vec<(String, &'static str)> {
        let mut s: Vec<_> = keys
            .iter()
            .map(|k| (k.kid.clone(), k.state.as_str()))
            .collect();
        s.sort();
        s
    }

    #[tokio::test]
    async fn only_one_current_key_per_algorithm_can_exist() {
        for db in test_dbs::each().await {
            assert!(
                db.insert_signing_key(&key("a", KeyState::Current))
                    .await
                    .is_ok()
            );
            let second = db.insert_signing_key(&key("b", KeyState::Current)).await;
            assert!(matches!(second, Err(Error::Conflict)));
        }
    }

    #[tokio::test]
    async fn rotation_moves_every_key_one_state_along() {
        for db in test_dbs::each().await {
            for (kid, state) in [
                ("a", KeyState::Previous),
                ("b", KeyState::Current),
                ("c", KeyState::Next),
            ] {
                db.insert_signing_key(&key(kid, state))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            db.rotate_signing_keys(Algorithm::ES256, &key("d", KeyState::Next))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let keys = db.find_signing_keys().await.unwrap_or_default();
            let expected = [("b", "previous"), ("c", "current"), ("d", "next")]
                .map(|(k, s)| (k.to_owned(), s));
            assert_eq!(states(&keys), expected);
        }
    }

    #[tokio::test]
    async fn rotation_without_a_next_key_changes_nothing() {
        for db in test_dbs::each().await {
            db.insert_signing_key(&key("b", KeyState::Current))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let result = db
                .rotate_signing_keys(Algorithm::ES256, &key("d", KeyState::Next))
                .await;
            assert!(matches!(result, Err(Error::NotFound)));
            let keys = db.find_signing_keys().await.unwrap_or_default();
            assert_eq!(states(&keys), [("b".to_owned(), "current")]);
        }
    }
}
