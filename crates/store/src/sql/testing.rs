//! Test set-up shared with the server's tests (feature `testing`).

use sqlx::Connection;

/// Create a schema with a random name and return `base` with its `search_path` set to it,
/// so that concurrent tests never see each other's rows.
pub async fn fresh_postgres_schema(base: &str) -> String {
    sqlx::any::install_default_drivers();
    let schema = format!("t_{}", latchkey_core::random::id());
    let mut conn = sqlx::AnyConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {base}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// See `testing::break_table`.
pub async fn break_table(url: &str, table: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
    let sql = format!("ALTER TABLE {table} RENAME TO {table}_broken");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
