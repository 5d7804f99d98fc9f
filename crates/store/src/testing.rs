//! Support for tests of crates that use the store (the `testing` feature).

/// A URL for a fresh, empty PostgreSQL schema on the server `base` points to.
pub async fn fresh_postgres_schema(base: &str) -> String {
    crate::sql::testing::fresh_postgres_schema(base).await
}

/// Rename `table` in the database at `url`, so that every later query on it fails: a store
/// failure in the middle of a request, for tests of what the client is then told.
pub async fn break_table(url: &str, table: &str) {
    crate::sql::testing::break_table(url, table).await
}

/// A tokio-postgres pool on `url` opened as Latchkey opens its own (TLS as `sslmode` says,
/// the same size and recycling), for benchmarks that do Latchkey's work without Latchkey.
pub async fn postgres_pool(url: &str) -> crate::Result<deadpool_postgres::Pool> {
    crate::sql::postgres::connect(url).await
}
