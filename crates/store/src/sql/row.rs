//! A row's columns read the same way whichever driver fetched it: sqlx (SQLite in memory and
//! its pooled reads), rusqlite (the SQLite file's direct paths, `batch` and `read`) or
//! tokio-postgres (`postgres`), so that each record has one decoding function.

use sqlx::any::AnyRow;

use crate::Result;

/// A column type every driver decodes: sqlx's and rusqlite's by their own traits, and
/// tokio-postgres's here, where a number may come from an `INTEGER` column as well as a
/// `BIGINT` one (tokio-postgres reads each type as its own width only).
pub(crate) trait Value:
    Sized + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
    fn from_postgres(row: &tokio_postgres::Row, index: usize) -> Result<Self>;
}

macro_rules! value {
    ($($t:ty),*) => {
        $(impl Value for $t {
            fn from_postgres(row: &tokio_postgres::Row, index: usize) -> Result<Self> {
                Ok(row.try_get(index)?)
            }
        })*
    };
}
value!(
    String,
    Option<String>,
    bool,
    Option<bool>,
    Vec<u8>,
    Option<Vec<u8>>
);

impl Value for Option<i64> {
    fn from_postgres(row: &tokio_postgres::Row, index: usize) -> Result<Self> {
        use tokio_postgres::types::Type;
        let column = row.columns().get(index).map(|c| c.type_());
        Ok(match column {
            Some(&Type::INT4) => row.try_get::<_, Option<i32>>(index)?.map(i64::from),
            Some(&Type::INT2) => row.try_get::<_, Option<i16>>(index)?.map(i64::from),
            _ => row.try_get(index)?,
        })
    }
}

impl Value for i64 {
    fn from_postgres(row: &tokio_postgres::Row, index: usize) -> Result<Self> {
        Option::<i64>::from_postgres(row, index)?
            .ok_or_else(|| crate::Error::Corrupt(format!("column {index} is NULL")))
    }
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

/// The columns of a row whose names start with a prefix, read without it: a record joined
/// with another whose column names are the same (`u.id AS u_id`).
pub(crate) struct Prefixed<'r, R>(pub &'r R, pub &'static str);

impl<R: Columns> Columns for Prefixed<'_, R> {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        self.0.get(&format!("{}{column}", self.1))
    }

    fn nth<T: Value>(&self, index: usize) -> Result<T> {
        self.0.nth(index)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        self.0.flag(&format!("{}{column}", self.1))
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
/// A sort key and an id, the cursor of a pass through a table.
impl Record for (i64, String) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok((row.nth(0)?, row.nth(1)?))
    }
}

impl Record for (String, String) {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok((row.nth(0)?, row.nth(1)?))
    }
}
