//! The hottest lookups on an SQLite file (tokens, their user and the user's roles; a sign-in's
//! session, interaction, account, throttle counters and consent), read on the calling thread
//! through connections of their own. A read of one indexed row costs a few microseconds
//! there; through sqlx it is a trip to the pooled connection's thread and back, which on a
//! busy machine costs more than the read. In WAL mode a reader never waits for the writer,
//! so the caller is not held up. Everything else reads through sqlx.

use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, Params, Row};

use crate::Result;

/// Connections kept between reads; more are opened when more callers read at once.
const MAX_IDLE: usize = 8;

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
        Ok(conn)
    }
}

/// The first row `sql` returns, decoded.
pub(crate) fn optional<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl FnOnce(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    rows.next()?.map(decode).transpose()
}

/// Every row `sql` returns, decoded.
pub(crate) fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next()? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}
