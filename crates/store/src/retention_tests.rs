use latchkey_core::grant::{RefreshToken, token_hash};
use latchkey_core::scope::Scopes;

use crate::audit::{AuditEntry, AuditFilter};
use crate::consent::Agreed;
use crate::grants::tests::setup;
use crate::{Db, Page, test_dbs};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn count(db: &Db, sql: &str) -> i64 {
    let counted: Option<i64> = db
        .fetch_optional(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    counted.unwrap_or(0)
}

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        actor_type: "system",
        actor_id: None,
        action: action.into(),
        target_type: None,
        target_id: None,
        details: serde_json::json!({}),
    }
}

#[tokio::test]
async fn audit_entries_older_than_the_retention_go_oldest_first_in_steps() {
    for db in test_dbs::each().await {
        let entries: Vec<(AuditEntry, i64)> = (1..=5)
            .map(|day| (entry(&format!("day.{day}")), day * DAY))
            .collect();
        db.insert_audit_batch(&entries)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Entries of days 1 and 2 are older than day 3: a step of one leaves one, and says so.
        let step = |step| db.delete_old_audit(3 * DAY, step);
        assert_eq!(step(1).await.ok(), Some(1));
        assert_eq!(step(5).await.ok(), Some(1));
        assert_eq!(step(5).await.ok(), Some(0));
        let page = Page {
            page: 1,
            page_size: 10,
        };
        let (left, total) = db
            .list_audit(&AuditFilter::default(), page)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(total, 3);
        let actions: Vec<&str> = left.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["day.5", "day.4", "day.3"]);
    }
}

async fn refresh(db: &Db, grant_id: &str, created_at: i64, expires_at: i64) {
    let token = RefreshToken {
        token_hash: token_hash(&format!("refresh-{grant_id}-{created_at}")),
        grant_id: grant_id.into(),
        scope: "openid offline_access".into(),
        created_at,
        expires_at,
    };
    db.insert_refresh_token(&token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn consent(db: &Db, grant_id: &str, at: i64) {
    let scopes = Scopes::from_names(["profile", "offline_access"]);
    let agreed = Agreed {
        user_scopes: &scopes,
        scope_ids: &[],
        organization_scope_ids: &[],
        organizations: None,
    };
    let (user, app) = (format!("user-{grant_id}"), format!("app-{grant_id}"));
    db.record_consent(&user, &app, &agreed, at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Every grant retention pass, a step of `step` at a time, as the server runs it.
async fn pass(db: &Db, before: i64, now: i64, step: i64) -> Vec<String> {
    let mut cursor = Some((i64::MIN, String::new()));
    while let Some(after) = cursor.take() {
        let (_, next) = db
            .delete_idle_grants(before, now, &after, step)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        cursor = next;
    }
    let mut expired = Vec::new();
    let mut cursor = Some((i64::MIN, String::new()));
    while let Some(after) = cursor.take() {
        let (gone, next) = db
            .expire_idle_consents(before, now, &after, step)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        expired.extend(gone);
        cursor = next;
    }
    expired
}

#[tokio::test]
async fn idle_grants_go_and_their_consents_after_them_on_record() {
    for db in test_dbs::each().await {
        // Each grant is created at 1 ms with a code that expired at 60 s.
        for id in ["idle", "valid", "recent", "fresh"] {
            setup(&db, id).await;
        }
        let now = 100 * DAY;
        let before = now - 30 * DAY;
        // idle: its last refresh token was issued 50 days ago and has expired.
        refresh(&db, "idle", 50 * DAY, 60 * DAY).await;
        // valid: a refresh token issued 50 days ago, valid for a year.
        refresh(&db, "valid", 50 * DAY, 400 * DAY).await;
        // recent: a refresh token issued 10 days ago that has expired.
        refresh(&db, "recent", 90 * DAY, 95 * DAY).await;
        // fresh: consented to again yesterday, but its grant is as idle as the first.
        for id in ["idle", "valid", "recent"] {
            consent(&db, id, 40 * DAY).await;
        }
        consent(&db, "fresh", now - DAY).await;

        let expired = pass(&db, before, now, 1).await;

        let grants = count(&db, "SELECT COUNT(*) FROM grants").await;
        assert_eq!(grants, 2, "the idle and fresh grants go");
        let left = count(
            &db,
            "SELECT COUNT(*) FROM grants WHERE id IN ('valid', 'recent')",
        )
        .await;
        assert_eq!(left, 2);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM refresh_tokens").await, 2);
        // Only the idle consent went: the fresh one was used within the retention.
        let consents = db
            .list_consents("user-idle")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(consents.is_empty());
        assert_eq!(expired.len(), 1);
        for kept in ["user-valid", "user-recent", "user-fresh"] {
            let consents = db.list_consents(kept).await;
            assert_eq!(consents.map(|c| c.len()).ok(), Some(1), "{kept}");
        }
        // What it allowed is kept in the audit log.
        let filter = AuditFilter {
            action: Some("consent.expire".into()),
            user_id: Some("user-idle".into()),
            ..AuditFilter::default()
        };
        let page = Page {
            page: 1,
            page_size: 10,
        };
        let (records, _) = db
            .list_audit(&filter, page)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(records.len(), 1);
        let details: serde_json::Value =
            serde_json::from_str(&records[0].details).unwrap_or_default();
        assert_eq!(details["applicationId"], "app-idle");
        assert_eq!(details["grantId"], expired[0].as_str());
        assert_eq!(
            details["userScopes"],
            serde_json::json!(["offline_access", "profile"])
        );
        assert_eq!(records[0].created_at, now);

        // A second pass finds nothing more.
        assert!(pass(&db, before, now, 1).await.is_empty());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM grants").await, 2);
    }
}
