//! The audit log's writes and listings, on both databases.

use super::*;

#[tokio::test]
async fn a_batch_longer_than_one_statement_is_written_whole_and_in_order_of_time() {
    for db in crate::test_dbs::each().await {
        let entries: Vec<(AuditEntry, i64)> = (0..150)
            .map(|i| {
                let entry = AuditEntry {
                    actor_type: "application",
                    actor_id: Some(format!("app-{i}")),
                    action: "token.issue".into(),
                    target_type: Some("application"),
                    target_id: None,
                    details: serde_json::json!({"n": i}),
                };
                (entry, 1_000 + i)
            })
            .collect();
        db.insert_audit_batch(&entries)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let filter = AuditFilter {
            action: Some("token.issue".into()),
            ..AuditFilter::default()
        };
        let page = Page {
            page: 1,
            page_size: 200,
        };
        let (rows, total) = db
            .list_audit(&filter, page)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((rows.len(), total), (150, 150));
        assert_eq!(rows[0].actor_id.as_deref(), Some("app-149"), "newest first");
        assert_eq!(rows[149].created_at, 1_000);
    }
}

fn entry(actor: &str, target: Option<&str>, action: &str) -> AuditEntry {
    AuditEntry {
        actor_type: "user",
        actor_id: Some(actor.to_owned()),
        action: action.to_owned(),
        target_type: target.map(|_| "user"),
        target_id: target.map(str::to_owned),
        details: serde_json::json!({}),
    }
}

#[tokio::test]
async fn a_users_trail_holds_entries_by_them_and_about_them_once_newest_first() {
    for db in crate::test_dbs::each().await {
        // At 1000 + i: by alice (even i), about alice by admin (i % 3 == 0), by alice about
        // herself (i % 10 == 0), and others' entries between.
        let mut entries = Vec::new();
        for i in 0..60 {
            let e = match (i % 10, i % 3, i % 2) {
                (0, _, _) => entry("alice", Some("alice"), "user.update"),
                (_, 0, _) => entry("admin", Some("alice"), "user.suspend"),
                (_, _, 0) => entry("alice", None, "sign_in"),
                _ => entry("bob", Some("carol"), "sign_in"),
            };
            entries.push((e, 1_000 + i));
        }
        db.insert_audit_batch(&entries)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mine: Vec<i64> = entries
            .iter()
            .filter(|(e, _)| {
                e.actor_id.as_deref() == Some("alice") || e.target_id.as_deref() == Some("alice")
            })
            .map(|(_, at)| *at)
            .rev()
            .collect();
        let filter = AuditFilter {
            user_id: Some("alice".into()),
            ..AuditFilter::default()
        };
        let mut seen = Vec::new();
        for n in 1..=7 {
            let page = Page {
                page: n,
                page_size: 7,
            };
            let (rows, total) = db
                .list_audit(&filter, page)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(total, mine.len() as i64);
            seen.extend(rows.iter().map(|r| r.created_at));
        }
        assert_eq!(seen, mine, "every entry once, newest first, across pages");

        // Every other condition narrows both halves, and the total.
        let filter = AuditFilter {
            user_id: Some("alice".into()),
            action: Some("sign_in".into()),
            from: Some(1_010),
            to: Some(1_040),
            ..AuditFilter::default()
        };
        let page = Page {
            page: 1,
            page_size: 50,
        };
        let (rows, total) = db
            .list_audit(&filter, page)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let expected: Vec<i64> = entries
            .iter()
            .filter(|(e, at)| {
                e.action == "sign_in"
                    && e.actor_id.as_deref() == Some("alice")
                    && (1_010..1_040).contains(at)
            })
            .map(|(_, at)| *at)
            .rev()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            rows.iter().map(|r| r.created_at).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(total, expected.len() as i64);
    }
}
