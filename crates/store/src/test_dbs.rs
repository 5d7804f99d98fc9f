//! The databases every store test runs against.

use super::Db;

/// In-memory SQLite and a new SQLite file (whose token writes are group-committed)
/// always, and PostgreSQL (in a fresh schema) when `LATCHKEY_TEST_POSTGRES_URL` is set.
pub async fn each() -> Vec<Db> {
    let file = std::env::temp_dir().join(format!(
        "latchkey-store-test-{}.db",
        latchkey_core::random::id()
    ));
    let mut dbs = Vec::new();
    for url in [
        "sqlite::memory:".to_owned(),
        format!("sqlite:{}", file.display()),
    ] {
        dbs.push(Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}")));
    }
    if let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") {
        let url = crate::testing_support::fresh_postgres_schema(&base).await;
        dbs.push(Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}")));
    }
    for db in &dbs {
        db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    }
    dbs
}
