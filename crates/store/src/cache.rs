//! What a node polls to know that its in-memory copies of clients and API permissions are
//! current (migration 0011), and whether any brute-force counter is live.

use sqlx::Row;

use crate::{Db, Result};

impl Db {
    /// The cache generation, and whether any throttle counter is live at `now_ms`.
    pub async fn cache_state(&self, now_ms: i64) -> Result<(i64, bool)> {
        let row = sqlx::query(
            "SELECT (SELECT n FROM cache_generation WHERE id = 1) AS n, \
             (SELECT COUNT(*) FROM throttles WHERE forget_at > $1) AS live",
        )
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?;
        let live: i64 = row.try_get("live")?;
        Ok((row.try_get("n")?, live > 0))
    }
}
