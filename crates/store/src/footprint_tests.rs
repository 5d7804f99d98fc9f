use latchkey_core::grant::token_hash;

use crate::bulk::{self, Population, TOKENS_PER_GRANT};
use crate::grants::tests::setup;
use crate::test_dbs;

const NOW: i64 = 1_800_000_000_000;

#[tokio::test]
async fn a_seeded_population_is_counted_table_by_table_and_its_tokens_are_as_described() {
    for db in test_dbs::each().await {
        setup(&db, "a").await;
        setup(&db, "b").await;
        let population = Population {
            users: 300,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            apps: ["app-a".into(), "app-b".into()],
            now_ms: NOW,
        };
        // Two calls, the second across a statement's worth of rows.
        db.seed(&population, 0, 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.seed(&population, 100, 300)
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        let tables = db.size_by_table().await.unwrap_or_else(|e| panic!("{e}"));
        let rows = |name: &str| {
            let table = tables.iter().find(|t| t.table == name);
            table
                .unwrap_or_else(|| panic!("{name} missing from {tables:?}"))
                .rows
        };
        assert_eq!(rows("refresh_tokens"), (300 * 2 * TOKENS_PER_GRANT) as i64);
        assert_eq!(rows("users"), 300 + 2);
        assert_eq!(rows("audit_logs"), 300 * bulk::AUDIT_PER_USER as i64);
        assert_eq!(tables[0].table, "refresh_tokens", "{tables:?}");
        assert!(tables.windows(2).all(|w| w[0].bytes >= w[1].bytes));
        assert!(
            tables
                .iter()
                .all(|t| t.bytes > 0 && !t.table.starts_with("sqlite"))
        );

        // The live token of a grant is valid; the others are not, and the expired ones are
        // still within the replay memory: a sweep now deletes none of them.
        let token = |k| token_hash(&bulk::refresh_token(7, 1, k, NOW));
        let live = db
            .find_refresh_token(&token(TOKENS_PER_GRANT - 1), NOW)
            .await;
        assert!(live.unwrap_or_else(|e| panic!("{e}")).is_some());
        for k in 0..TOKENS_PER_GRANT - 1 {
            let found = db.find_refresh_token(&token(k), NOW).await;
            assert!(
                found.unwrap_or_else(|e| panic!("{e}")).is_none(),
                "token {k}"
            );
        }
        let more = db.delete_expired(NOW + 60_000, 500).await;
        assert!(!more.unwrap_or_else(|e| panic!("{e}")));
        let after = db.size_by_table().await.unwrap_or_else(|e| panic!("{e}"));
        let tokens = after
            .iter()
            .find(|t| t.table == "refresh_tokens")
            .map(|t| t.rows);
        assert_eq!(tokens, Some((300 * 2 * TOKENS_PER_GRANT) as i64));
    }
}
