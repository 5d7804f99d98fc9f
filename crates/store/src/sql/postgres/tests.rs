use std::time::Duration;

use crate::sql::statement::{Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::{Backend, test_dbs};

/// A request dropped in the middle of its transaction (its client went away) leaves nothing
/// behind: had its connection gone back to the pool still inside the transaction, the next
/// write on it would have committed what the dropped one began.
#[tokio::test]
async fn a_transaction_dropped_half_way_commits_nothing_later() {
    for db in test_dbs::each().await {
        if db.backend() != Backend::Postgres {
            continue;
        }
        let config = |key: &str| {
            Statement::new(
                "INSERT INTO configs (key, value, updated_at) VALUES ($1, '{}', 0)",
                args![key],
            )
        };
        let abandoned = config("abandoned");
        let write = async {
            transaction!(&db, |tx| {
                tx.execute(&abandoned).await?;
                // Long enough for the timeout below to drop the write here.
                let sql = "SELECT pg_sleep(2)::TEXT";
                let slept: Option<String> = tx.fetch_optional(sql, &[]).await?;
                Ok(slept)
            })
        };
        let dropped = tokio::time::timeout(Duration::from_millis(300), write).await;
        assert!(dropped.is_err(), "the write finished: {dropped:?}");
        // Every connection of the pool writes at least once.
        for n in 0..40 {
            db.execute_one(config(&format!("later-{n}")))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let kept: Option<String> = db
            .fetch_optional(
                "SELECT key FROM configs WHERE key = $1",
                &args!["abandoned"],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, None);
    }
}

/// `sslmode` is taken as libpq takes it, and the other parameters pass through unchanged.
#[test]
fn the_url_keeps_its_options_and_loses_its_tls_parameters() {
    let url = "postgres://u@h/db?sslmode=verify-full&options=-c%20search_path%3Dt_1";
    let (kept, mode, _) = super::tls::split(url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, "postgres://u@h/db?options=-c%20search_path%3Dt_1");
    assert_eq!(mode, tokio_postgres::config::SslMode::Require);
    let (kept, mode, _) = super::tls::split("postgres://u@h/db").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, "postgres://u@h/db");
    assert_eq!(mode, tokio_postgres::config::SslMode::Prefer);
    assert!(super::tls::split("postgres://u@h/db?sslmode=sometimes").is_err());
}

/// With `sslmode=require` the connection is encrypted; with `verify-full` a certificate no
/// authority vouches for (the test server's own) is refused. Skipped where the server
/// offers no TLS.
#[tokio::test]
async fn tls_is_used_and_checked_as_sslmode_says() {
    let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") else {
        return;
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let encrypted = |db: crate::Db| async move {
        let sql = "SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl";
        let ssl: Option<i64> = db.fetch_optional(sql, &[]).await.unwrap_or(None);
        ssl == Some(1)
    };
    let preferred = crate::Db::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if !encrypted(preferred).await {
        eprintln!("the test server offers no TLS: nothing to check");
        return;
    }
    let required = crate::Db::connect(&format!("{base}{sep}sslmode=require"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(encrypted(required).await);
    let verified = crate::Db::connect(&format!("{base}{sep}sslmode=verify-full")).await;
    assert!(verified.is_err(), "an unvouched certificate was accepted");
    let plain = crate::Db::connect(&format!("{base}{sep}sslmode=disable"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!encrypted(plain).await);
}

/// A statement kept for the commit that fails fails the whole transaction, on every backend:
/// what the body wrote before it is not kept, and the caller hears why.
#[tokio::test]
async fn a_failing_statement_at_commit_undoes_the_transaction() {
    for db in test_dbs::each().await {
        let config = |key: &str| {
            Statement::new(
                "INSERT INTO configs (key, value, updated_at) VALUES ($1, '{}', 0)",
                args![key],
            )
        };
        db.execute_one(config("taken"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (first, again) = (config("first"), config("taken"));
        let written = transaction!(&db, |tx| {
            tx.execute(&first).await?;
            tx.execute_at_commit(vec![again]).await
        });
        assert!(
            matches!(written, Err(crate::Error::Conflict)),
            "{written:?}"
        );
        let kept: Option<String> = db
            .fetch_optional("SELECT key FROM configs WHERE key = $1", &args!["first"])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, None, "{:?}", db.backend());
    }
}
