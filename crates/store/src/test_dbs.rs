//! The databases every store test runs against.

use std::path::PathBuf;

use super::Db;

/// The databases of one test, in turn; the SQLite file goes when the test is done with them.
pub struct Each {
    dbs: std::vec::IntoIter<Db>,
    _file: Removed,
}

impl Iterator for Each {
    type Item = Db;

    fn next(&mut self) -> Option<Db> {
        self.dbs.next()
    }
}

/// An SQLite file with its WAL and shared-memory companions, removed on drop.
struct Removed(PathBuf);

impl Drop for Removed {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// In-memory SQLite and a new SQLite file (whose token writes are group-committed)
/// always, and PostgreSQL (in a fresh schema) when `LATCHKEY_TEST_POSTGRES_URL` is set.
pub async fn each() -> Each {
    let file = Removed(std::env::temp_dir().join(format!(
        "latchkey-store-test-{}.db",
        latchkey_core::random::id()
    )));
    let mut dbs = Vec::new();
    for url in [
        "sqlite::memory:".to_owned(),
        format!("sqlite:{}", file.0.display()),
    ] {
        dbs.push(Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}")));
    }
    if let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") {
        let url = crate::sql::testing::fresh_postgres_schema(&base).await;
        dbs.push(Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}")));
    }
    for db in &dbs {
        db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    }
    Each {
        dbs: dbs.into_iter(),
        _file: file,
    }
}
