//! What a node polls to know that its in-memory copies of clients and API permissions are
//! current (migration 0011), and whether any brute-force counter is live.

use crate::sql::row::{Columns, Record};
use crate::sql::statement::args;
use crate::{Db, Error, Result};

/// The generation and the number of live counters.
struct CacheState(i64, i64);

impl Record for CacheState {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(row.get("n")?, row.get("live")?))
    }
}

impl Db {
    /// The cache generation, and whether any throttle counter is live at `now_ms`.
    pub async fn cache_state(&self, now_ms: i64) -> Result<(i64, bool)> {
        const SQL: &str = "SELECT (SELECT n FROM cache_generation WHERE id = 1) AS n, \
             (SELECT COUNT(*) FROM throttles WHERE forget_at > $1) AS live";
        let state = self.fetch_optional(SQL, &args![now_ms]).await?;
        let CacheState(n, live) = state.ok_or_else(|| Error::Corrupt("no cache state".into()))?;
        Ok((n, live > 0))
    }
}
