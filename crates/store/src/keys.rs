//! Signing keys and their rotation.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{KeyState, SigningKey};
use latchkey_core::rotation::Cutoffs;

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Error, Result};

impl Record for SigningKey {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let algorithm: String = row.get("algorithm")?;
        let state: String = row.get("state")?;
        Ok(SigningKey {
            kid: row.get("kid")?,
            algorithm: Algorithm::parse(&algorithm)
                .ok_or_else(|| Error::Corrupt(format!("unknown algorithm {algorithm}")))?,
            state: KeyState::parse(&state)
                .ok_or_else(|| Error::Corrupt(format!("unknown key state {state}")))?,
            private_key: row.get("private_key")?,
            encrypted: row.flag("encrypted")?,
            created_at: row.get("created_at")?,
            retired_at: row.get("retired_at")?,
        })
    }
}

/// The publication times of the next key and of the current one, as a rotation checks them.
struct Published {
    next: i64,
    current: Option<i64>,
}

impl Record for Published {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self {
            next: row.nth(0)?,
            current: row.nth(1)?,
        })
    }
}

impl Db {
    pub async fn find_signing_keys(&self) -> Result<Vec<SigningKey>> {
        const SQL: &str = "SELECT kid, algorithm, state, private_key, encrypted, created_at, \
             retired_at FROM signing_keys ORDER BY algorithm, created_at DESC";
        self.fetch_all(SQL, &[]).await
    }

    /// Add a key. `Conflict` when its algorithm already has a key in that state (another
    /// process got there first) or the kid exists.
    pub async fn insert_signing_key(&self, key: &SigningKey) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO signing_keys \
             (kid, algorithm, state, private_key, encrypted, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                &key.kid,
                key.algorithm.as_str(),
                key.state.as_str(),
                &key.private_key,
                key.encrypted,
                key.created_at,
                key.retired_at,
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// Replace a key's stored private material (to seal a key that was kept in clear).
    pub async fn update_signing_key_material(
        &self,
        kid: &str,
        private_key: &[u8],
        encrypted: bool,
    ) -> Result<()> {
        self.execute_one(Statement::new(
            "UPDATE signing_keys SET private_key = $1, encrypted = $2 WHERE kid = $3",
            args![private_key, encrypted, kid],
        ))
        .await?;
        Ok(())
    }

    /// Remove a key, only when it is `previous`; `NotFound` otherwise.
    pub async fn delete_previous_signing_key(&self, kid: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM signing_keys WHERE kid = $1 AND state = 'previous'",
            args![kid],
        ))
        .await
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
        let new_next = new_next.clone();
        transaction!(self, |tx| rotate(tx, algorithm, &new_next, now_ms, cutoffs)
            .await)
    }
}

/// The body of `rotate_signing_keys`'s transaction.
async fn rotate(
    tx: &mut impl Tx,
    algorithm: Algorithm,
    new_next: &SigningKey,
    now_ms: i64,
    cutoffs: Cutoffs,
) -> Result<()> {
    let alg = algorithm.as_str();
    // A previous key without a retirement time counts as retired now, as in `rotation`.
    let drop_previous = Statement::new(
        "DELETE FROM signing_keys WHERE algorithm = $1 AND state = 'previous' \
         AND COALESCE(retired_at, $2) <= $3",
        args![alg, now_ms, cutoffs.retired_by_ms],
    );
    tx.execute(&drop_previous).await?;
    const KEPT: &str = "SELECT kid FROM signing_keys WHERE algorithm = $1 AND state = 'previous'";
    if tx
        .fetch_optional::<String>(KEPT, &args![alg])
        .await?
        .is_some()
    {
        return Err(Error::Conflict);
    }
    // As in `rotation::check`: a next key published no later than the current one is
    // known wherever the current one is.
    const PUBLISHED: &str = "SELECT n.created_at, c.created_at FROM signing_keys n \
         LEFT JOIN signing_keys c ON c.algorithm = n.algorithm AND c.state = 'current' \
         WHERE n.algorithm = $1 AND n.state = 'next'";
    match tx
        .fetch_optional::<Published>(PUBLISHED, &args![alg])
        .await?
    {
        None => return Err(Error::NotFound),
        Some(Published { next, current })
            if next > cutoffs.published_by_ms && current.is_none_or(|current| next > current) =>
        {
            return Err(Error::Conflict);
        }
        Some(_) => {}
    }
    let retire = Statement::new(
        "UPDATE signing_keys SET state = 'previous', retired_at = $2 \
         WHERE algorithm = $1 AND state = 'current'",
        args![alg, now_ms],
    );
    tx.execute(&retire).await?;
    let promote = Statement::new(
        "UPDATE signing_keys SET state = 'current' WHERE algorithm = $1 AND state = 'next'",
        args![alg],
    );
    if tx.execute(&promote).await? != 1 {
        return Err(Error::NotFound);
    }
    let publish = Statement::new(
        "INSERT INTO signing_keys (kid, algorithm, state, private_key, encrypted, created_at) \
         VALUES ($1, $2, 'next', $3, $4, $5)",
        args![
            &new_next.kid,
            alg,
            &new_next.private_key,
            new_next.encrypted,
            new_next.created_at,
        ],
    );
    tx.execute(&publish).await?;
    Ok(())
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
