//! Failure counters for brute-force protection, shared by every node. A failure is counted
//! by one atomic upsert, so concurrent failures on several nodes are all counted.

use latchkey_core::throttle::Counter;

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Arg, Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Error, Result};

impl Db {
    /// The live counters among `keys`, in one query.
    pub async fn find_throttles(
        &self,
        keys: &[&str],
        now_ms: i64,
    ) -> Result<Vec<(String, Counter)>> {
        let placeholders: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT key, failures, last_failure_at FROM throttles WHERE forget_at > $1 AND key IN ({})",
            placeholders.join(", ")
        );
        let args: Vec<Arg> = std::iter::once(now_ms.into())
            .chain(keys.iter().map(|&key| key.into()))
            .collect();
        self.fetch_all(&sql, &args).await
    }

    /// The live counter of `key`, if any.
    pub async fn find_throttle(&self, key: &str, now_ms: i64) -> Result<Option<Counter>> {
        const SQL: &str =
            "SELECT failures, last_failure_at FROM throttles WHERE key = $1 AND forget_at > $2";
        self.fetch_optional(SQL, &args![key, now_ms]).await
    }

    /// Count a failure (starting again from one if the old counter was forgotten) and return
    /// the counter as it now stands. Forgotten rows of other keys are swept on the way.
    pub async fn record_failure(&self, key: &str, now_ms: i64, forget_at: i64) -> Result<Counter> {
        let sweep = Statement::new(
            "DELETE FROM throttles WHERE forget_at <= $1 AND key <> $2",
            args![now_ms, key],
        );
        // Committed on its own: in one transaction with the count, two nodes sweeping each
        // other's keys could deadlock.
        self.execute_one(sweep).await?;
        let count = args![key, now_ms, forget_at];
        transaction!(self, |tx| {
            const COUNT: &str = "INSERT INTO throttles (key, failures, last_failure_at, forget_at) \
                 VALUES ($1, 1, $2, $3) ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN throttles.forget_at <= $2 THEN 1 \
                 ELSE throttles.failures + 1 END, last_failure_at = $2 \
                 RETURNING failures, last_failure_at";
            let counter = tx.fetch_optional(COUNT, &count).await?;
            counter.ok_or_else(|| Error::Corrupt("the counter was not returned".into()))
        })
    }

    /// Keep the counter until `forget_at` (never shortens it).
    pub async fn extend_throttle(&self, key: &str, forget_at: i64) -> Result<()> {
        self.execute_one(Statement::new(
            "UPDATE throttles SET forget_at = $1 WHERE key = $2 AND forget_at < $1",
            args![forget_at, key],
        ))
        .await?;
        Ok(())
    }

    pub async fn clear_throttle(&self, key: &str) -> Result<()> {
        let clear = Statement::new("DELETE FROM throttles WHERE key = $1", args![key]);
        self.execute_one(clear).await?;
        Ok(())
    }
}

impl Record for Counter {
    fn from_row(r: &impl Columns) -> Result<Self> {
        Ok(Counter {
            failures: r.get("failures")?,
            last_failure_at: r.get("last_failure_at")?,
        })
    }
}

impl Record for (String, Counter) {
    fn from_row(r: &impl Columns) -> Result<Self> {
        Ok((r.get("key")?, Counter::from_row(r)?))
    }
}
#[cfg(test)]
mod tests {
    use crate::test_dbs;

    #[tokio::test]
    async fn concurrent_failures_are_all_counted_and_forgotten_later() {
        for db in test_dbs::each().await {
            let mut tasks = Vec::new();
            for _ in 0..10 {
                let db = db.clone();
                tasks.push(tokio::spawn(async move {
                    db.record_failure("account:alice", 1_000, 60_000).await
                }));
            }
            for task in tasks {
                task.await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let counter = db.find_throttle("account:alice", 2_000).await;
            let counter = counter.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(counter.map(|c| c.failures), Some(10));
            let both = db
                .find_throttles(&["account:alice", "address:::1"], 2_000)
                .await;
            let both = both.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(both.len(), 1);
            assert_eq!(both[0].0, "account:alice");
            let gone = db.find_throttle("account:alice", 60_000).await;
            assert_eq!(gone.unwrap_or_else(|e| panic!("{e}")), None);
            let again = db.record_failure("account:alice", 70_000, 130_000).await;
            assert_eq!(
                again.map(|c| c.failures).ok(),
                Some(1),
                "counting starts over"
            );
            db.clear_throttle("account:alice")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let cleared = db.find_throttle("account:alice", 70_001).await;
            assert_eq!(cleared.unwrap_or_else(|e| panic!("{e}")), None);
        }
    }
}
