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
    /// The column at `index` (from 0), for rows of unnamed expressions.
    fn nth<T: Value>(&self, index: usize) -> Result<T>;
    /// A flag column: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite.
    fn flag(&self, column: &str) -> Result<bool>;
}

impl Columns for AnyRow {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, column)?)
    }

    fn nth<T: Value>(&self, index: usize) -> Result<T> {
        Ok(sqlx::Row::try_get(self, index)?)
    }

    /// The Any driver cannot read SQLite's BOOLEAN affinity as `bool`.
    fn flag(&self, column: &str) -> Result<bool> {
        match sqlx::Row::try_get::<bool, _>(self, column) {
            Ok(value) => Ok(value),
            Err(_) => Ok(sqlx::Row::try_get::<i64, _>(self, column)? != 0),
        }
    }
}

impl Columns for rusqlite::Row<'_> {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        Ok(rusqlite::Row::get(self, column)?)
    }

    fn nth<T: Value>(&self, index: usize) -> Result<T> {
        Ok(rusqlite::Row::get(self, index)?)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        Ok(rusqlite::Row::get::<_, i64>(self, column)? != 0)
    }
}

/// A record decoded from one row, whichever driver fetched it.
pub(crate) trait Record: Sized {
    fn from_row(row: &impl Columns) -> Result<Self>;
}

/// A single value: the first column.
impl Record for String {
    fn from_row(row: &impl Columns) -> Result<Self> {
        row.nth(0)
    }
}

/// A single number (a count, a time): the first column.
impl Record for i64 {
    fn from_row(row: &impl Columns) -> Result<Self> {
        row.nth(0)
    }
}

/// A number that may be NULL (`MAX` over no rows): the first column.
impl Record for Option<i64> {
    fn from_row(row: &impl Columns) -> Result<Self> {
        row.nth(0)
    }
}

/// An id and a label: the first two columns.
impl Record for (String, String) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok((row.nth(0)?, row.nth(1)?))
    }
}
