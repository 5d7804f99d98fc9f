//! Reads of records (`Db::fetch_optional`, `Db::fetch_all`), written once for both
//! backends. On an SQLite file they run on the calling thread through connections of their
//! own: a read of one indexed row costs a few microseconds there, where a trip to a pooled
//! sqlx connection's thread and back costs more than the read on a busy machine, and in WAL
//! mode a reader never waits for the writer. On PostgreSQL they go through its pool
//! (`postgres`), in memory through sqlx. The hottest
//! lookups use them (tokens, their user and the user's roles; a sign-in's session,
//! interaction, account, throttle counters and consent); the rest still read through sqlx.

use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

use crate::sql::row::Record;
use crate::sql::statement::Arg;
use crate::sql::tx::{Direct, Tx, run_now};
use crate::{Db, Result};

/// Connections kept between reads; more are opened when more callers read at once.
const MAX_IDLE: usize = 8;

/// `reading!(db, |conn| body)`: run `body`, an expression awaiting `Tx` reads on `conn`,
/// with one connection for all of them: on an SQLite file a direct reader (on the calling
/// thread, so the body must not wait for anything else, as `transaction!` says), on
/// PostgreSQL a pooled connection, in memory sqlx's.
macro_rules! reading {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let db: &$crate::Db = $db;
        match (db.readers(), db.postgres()) {
            (Some(readers), _) => readers.read(|c| {
                $crate::sql::tx::run_now(async {
                    let $conn = &mut $crate::sql::plans::Noting {
                        tx: &mut $crate::sql::tx::Direct(c),
                        plans: db.plans(),
                    };
                    $body
                })
            }),
            (None, Some(pool)) => match pool.get().await {
                Ok(mut client) => {
                    async {
                        let $conn = &mut $crate::sql::plans::Noting {
                            tx: &mut client,
                            plans: db.plans(),
                        };
                        $body
                    }
                    .await
                }
                Err(e) => Err(e.into()),
            },
            (None, None) => match db.pool().acquire().await {
                Ok(mut c) => {
                    async {
                        let $conn = &mut $crate::sql::plans::Noting {
                            tx: &mut *c,
                            plans: db.plans(),
                        };
                        $body
                    }
                    .await
                }
                Err(e) => Err(e.into()),
            },
        }
    }};
}
pub(crate) use reading;

#[derive(Debug)]
pub(crate) struct Readers {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: String) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Run `read` on an idle connection (or a new one).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        result
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA query_only = ON;")?;
        // The hot reads (clients, codes, tokens, sessions, throttles) all stay prepared.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }
}

impl Db {
    /// The first row `sql` returns with `args` bound to `$1`, `$2`…, decoded.
    pub(crate) async fn fetch_optional<T: Record>(
        &self,
        sql: &str,
        args: &[Arg],
    ) -> Result<Option<T>> {
        self.plans.note(sql, args);
        match self.readers() {
            Some(readers) => readers.read(|conn| run_now(Direct(conn).fetch_optional(sql, args))),
            None => match self.postgres() {
                Some(pool) => pool.get().await?.fetch_optional(sql, args).await,
                None => self.pool().acquire().await?.fetch_optional(sql, args).await,
            },
        }
    }

    /// Every row `sql` returns with `args` bound to `$1`, `$2`…, decoded.
    pub(crate) async fn fetch_all<T: Record>(&self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        self.plans.note(sql, args);
        match self.readers() {
            Some(readers) => readers.read(|conn| run_now(Direct(conn).fetch_all(sql, args))),
            None => match self.postgres() {
                Some(pool) => pool.get().await?.fetch_all(sql, args).await,
                None => self.pool().acquire().await?.fetch_all(sql, args).await,
            },
        }
    }
}
