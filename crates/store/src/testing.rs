//! Support for tests of crates that use the store (the `testing` feature).

/// A URL for a fresh, empty PostgreSQL schema on the server `base` points to.
pub async fn fresh_postgres_schema(base: &str) -> String {
    crate::testing_support::fresh_postgres_schema(base).await
}
