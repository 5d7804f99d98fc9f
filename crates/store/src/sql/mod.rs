//! How SQL runs, on either database: opening it (`connect`), the database as a whole
//! (`database`: migrations, integrity, backup), statements with owned arguments
//! (`statement`), one transaction body for both drivers (`tx`), rows decoded the same way
//! whichever driver read them (`row`), the SQLite file's group-commit writer (`batch`) and
//! direct reads (`read`), pages of results (`list`), what ran while a test watched (`plans`), the errors the store answers with
//! (`error`), and throwaway schemas for tests (`testing`). The table modules above use these;
//! none of them runs SQL any other way.

pub(crate) mod batch;
pub(crate) mod connect;
pub(crate) mod database;
pub(crate) mod error;
pub(crate) mod list;
pub(crate) mod plans;
pub(crate) mod postgres;
pub(crate) mod read;
pub(crate) mod row;
pub(crate) mod statement;
#[cfg(any(test, feature = "testing"))]
pub(crate) mod testing;
pub(crate) mod tx;

#[cfg(test)]
mod tests {
    /// The table modules hold SQL text and decoders; only this engine calls a driver.
    #[test]
    fn no_table_module_runs_sql_itself() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let entries = std::fs::read_dir(&src).unwrap_or_else(|e| panic!("{e}"));
        let mut read = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            for call in ["sqlx::query", ".bind(", "rusqlite::", "sqlx::Row"] {
                assert!(!text.contains(call), "{} calls {call}", path.display());
            }
            read += 1;
        }
        assert!(read > 10, "only {read} modules found in {}", src.display());
    }
}
