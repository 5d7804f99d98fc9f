//! A row's columns read the same way whichever driver fetched it: sqlx (both backends) or
//! rusqlite (the SQLite file's direct paths, `batch` and `read`), so that each record has one
//! decoding function.

use sqlx::any::AnyRow;

use crate::Result;

/// A column type both drivers decode.
pub(crate) trait Value:
    for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}
impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}

pub(crate) trait Columns {
    fn get<T: Value>(&self, column: &str) -> Result<T>;
    /// A flag column: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite.
    fn flag(&self, column: &str) -> Result<bool>;
}

impl Columns for AnyRow {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, column)?)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        crate::flag(self, column)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        Ok(rusqlite::Row::get(self, column)?)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        Ok(rusqlite::Row::get::<_, i64>(self, column)? != 0)
    }
}

/// A record decoded from one row, whichever driver fetched it.
pub(crate) trait Record: Sized {
    fn from_row(row: &impl Columns) -> Result<Self>;
}
