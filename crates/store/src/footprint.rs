//! What a database takes on disk, table by table, and what a schema change costs on it: the
//! footprint the scale benchmark (`latchkey-bench --scale`) reports.

use crate::sql::statement::Statement;
use crate::{Db, Result};

/// One table with its indexes: rows and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSize {
    pub table: String,
    pub rows: i64,
    pub bytes: i64,
}

impl Db {
    /// The bytes the database's tables and indexes take: SQLite's pages (those still in the
    /// write-ahead log included), or PostgreSQL's relations in the current schema.
    pub async fn size_on_disk(&self) -> Result<i64> {
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            }
            crate::Backend::Postgres => {
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
            }
        };
        let size: Option<i64> = self.fetch_optional(sql, &[]).await?;
        Ok(size.unwrap_or(0))
    }

    /// Each table's rows and the bytes it takes with its indexes, largest first: SQLite's
    /// `dbstat` pages (free pages left out), PostgreSQL's relation sizes. Counting reads
    /// every row: for a benchmark's report, not for a server.
    pub async fn size_by_table(&self) -> Result<Vec<TableSize>> {
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                "SELECT SUM(d.pgsize), s.tbl_name FROM dbstat d \
                 JOIN sqlite_schema s ON s.name = d.name \
                 WHERE d.aggregate = TRUE AND s.tbl_name NOT LIKE 'sqlite%' \
                 GROUP BY s.tbl_name"
            }
            crate::Backend::Postgres => {
                "SELECT pg_total_relation_size(c.oid)::BIGINT, c.relname::TEXT FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            }
        };
        let sizes: Vec<(i64, String)> = self.fetch_all(sql, &[]).await?;
        let mut out = Vec::with_capacity(sizes.len());
        for (bytes, table) in sizes {
            // The names come from the database's own catalogue, quoted all the same.
            let count = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
            let rows: Option<i64> = self.fetch_optional(&count, &[]).await?;
            out.push(TableSize {
                table,
                rows: rows.unwrap_or(0),
                bytes,
            });
        }
        out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.table.cmp(&b.table)));
        Ok(out)
    }

    /// Gather PostgreSQL's planner statistics, as its autovacuum keeps them in service: right
    /// after a bulk load it has none and guesses, and a guess can walk a whole index. SQLite
    /// plans without statistics in service too (Latchkey never runs its `ANALYZE`), so it is
    /// left as it is.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend == crate::Backend::Postgres {
            self.execute(vec![Statement::new("ANALYZE", [])]).await?;
        }
        Ok(())
    }

    /// What a migration that adds an indexed column to `users` does, in one transaction as
    /// the migrator runs it (the scale benchmark times it; no shipped migration holds it).
    pub async fn rehearse_indexed_column(&self) -> Result<()> {
        let statements = vec![
            Statement::new("ALTER TABLE users ADD COLUMN rehearsal TEXT", []),
            Statement::new("CREATE INDEX users_rehearsal ON users (rehearsal)", []),
        ];
        self.execute(statements).await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "footprint_tests.rs"]
mod tests;
