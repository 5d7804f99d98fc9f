//! Several nodes may run different versions during a rolling upgrade, so PostgreSQL migrations
//! only ever add (expand); removing or renaming what an older node still uses (contract) waits
//! for a later release and is listed here with the release that may do it.

/// Statements that would break a node still running the previous version.
const CONTRACTING: [&str; 4] = ["DROP TABLE", "DROP COLUMN", "RENAME", "DROP INDEX"];
/// Migrations allowed to contract, with why.
const ALLOWED: [&str; 0] = [];

#[test]
fn postgres_migrations_only_add() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let sql = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let code: String = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
            .to_uppercase();
        seen += 1;
        if ALLOWED.contains(&name.as_str()) {
            continue;
        }
        for statement in CONTRACTING {
            assert!(
                !code.contains(statement),
                "{name} contracts the schema ({statement})"
            );
        }
        // A column's type changed under an older node's feet.
        let retyped = code
            .lines()
            .any(|l| l.contains("ALTER COLUMN") && l.contains(" TYPE "));
        assert!(!retyped, "{name} changes a column's type");
    }
    assert!(seen >= 10, "every migration was read");
}

/// Every column that refers to another table (the first, for a key of several columns)
/// leads an index: a cascade from the row it
/// refers to (a user, an application, a role, a grant) then finds its rows without reading
/// the whole table.
#[test]
fn every_foreign_key_is_indexed() {
    let files = sqlite_migrations();
    let conn = rusqlite::Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    for file in &files {
        let sql = std::fs::read_to_string(file).unwrap_or_default();
        conn.execute_batch(&sql)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    let rows = |sql: &str| -> Vec<(String, String)> {
        let mut statement = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}"));
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .collect()
    };
    let keys = rows(
        "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND f.seq = 0",
    );
    let leading = rows(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_index_list(m.name) l, \
         pragma_index_info(l.name) c WHERE m.type = 'table' AND c.seqno = 0",
    );
    assert!(keys.len() >= 20, "the foreign keys were read: {keys:?}");
    let unindexed: Vec<_> = keys.iter().filter(|k| !leading.contains(k)).collect();
    assert!(unindexed.is_empty(), "no index leads with {unindexed:?}");
}

/// Keys already `previous` when 0013 adds `retired_at` count as retired then (when they
/// retired is unknown; "just now" is the safe guess); the others have none.
#[test]
fn keys_previous_before_0013_count_as_retired_when_it_runs() {
    let files = sqlite_migrations();
    let conn = rusqlite::Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let apply = |file: &std::path::PathBuf| {
        let sql = std::fs::read_to_string(file).unwrap_or_default();
        conn.execute_batch(&sql)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    };
    let (before, after): (Vec<_>, Vec<_>) = files.iter().partition(|f| {
        f.file_name()
            .is_some_and(|n| *n.to_string_lossy() < *"0013")
    });
    before.into_iter().for_each(apply);
    conn.execute_batch(
        "INSERT INTO signing_keys (kid, algorithm, state, private_key, encrypted, created_at) \
         VALUES ('p', 'ES256', 'previous', x'00', 0, 1), ('c', 'ES256', 'current', x'00', 0, 2);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    after.into_iter().for_each(apply);
    let retired = |kid: &str| -> Option<i64> {
        conn.query_row(
            "SELECT retired_at FROM signing_keys WHERE kid = ?1",
            [kid],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    // The migration stamps the database's own time, so the test reads the wall clock too.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let previous = retired("p").unwrap_or_default();
    assert!((now - previous).abs() < 60_000, "{previous} vs {now}");
    assert_eq!(retired("c"), None);
}

/// The migration files of one backend, in the order they apply.
fn migrations(backend: &str) -> Vec<std::path::PathBuf> {
    let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

fn sqlite_migrations() -> Vec<std::path::PathBuf> {
    migrations("sqlite")
}

/// Both backends apply the same steps: a migration written for one only is a schema the
/// other never gets.
#[test]
fn both_backends_hold_the_same_migrations() {
    let names = |backend| -> Vec<String> {
        let files = migrations(backend).into_iter();
        files
            .filter_map(|f| Some(f.file_name()?.to_string_lossy().into_owned()))
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(names("sqlite").len() >= 14);
}
