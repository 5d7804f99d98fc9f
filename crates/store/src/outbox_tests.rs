use crate::challenges::tests::mail;
use crate::test_dbs;

#[tokio::test]
async fn a_message_is_leased_by_one_caller_until_its_lease_ends() {
    for db in test_dbs::each().await {
        let mut later = mail("m2", None);
        later.created_at = 50;
        db.queue_mail(&[mail("m1", None), later])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let leased = db
            .lease_mail(10, 100, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<_> = leased.iter().map(|m| m.mail.id.as_str()).collect();
        assert_eq!(ids, ["m1"], "only what is due");
        assert_eq!(leased[0].attempts, 1);
        let again = db
            .lease_mail(20, 120, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(again.is_empty(), "{again:?}");
        // The node that leased it died: once the lease ends, another node sends it.
        let retaken = db
            .lease_mail(100, 200, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(retaken.len(), 1);
        assert_eq!(retaken[0].attempts, 2);
        let first = retaken[0].mail.id.clone();
        // The first lease ran out and was taken over: its holder's mark records nothing.
        db.mark_mail_sent((&first, 100), 101)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let still = db.find_mail(10).await.unwrap_or_default();
        assert!(still.iter().all(|m| m.status == "queued"), "{still:?}");
        db.mark_mail_sent((&first, 200), 101)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let other = db
            .lease_mail(101, 200, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(other.len(), 1);
        assert_ne!(other[0].mail.id, first);
        let id = other[0].mail.id.clone();
        db.mark_mail_retry((&id, 200), 500, "421 try later")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            db.lease_mail(499, 600, 10)
                .await
                .is_ok_and(|l| l.is_empty())
        );
        let retried = db
            .lease_mail(500, 600, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(retried[0].last_error.as_deref(), Some("421 try later"));
        db.mark_mail_failed((&id, retried[0].lease_until), 501, "550 no such user")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let all = db.find_mail(10).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            all.iter().all(|m| m.mail.payload.is_empty()),
            "forgotten once done"
        );
        let failed = db
            .find_failed_mail(None, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].status, "failed");
        assert!(
            db.lease_mail(10_000, 20_000, 10)
                .await
                .is_ok_and(|l| l.is_empty())
        );
    }
}

#[tokio::test]
async fn two_callers_never_lease_one_message() {
    for db in test_dbs::each().await {
        let mails: Vec<_> = (0..40).map(|n| mail(&format!("m{n}"), None)).collect();
        db.queue_mail(&mails)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = tokio::join!(db.lease_mail(10, 100, 25), db.lease_mail(10, 100, 25));
        let (a, b) = (
            a.unwrap_or_else(|e| panic!("{e}")),
            b.unwrap_or_else(|e| panic!("{e}")),
        );
        let mut ids: Vec<_> = a.iter().chain(&b).map(|m| m.mail.id.clone()).collect();
        let leased = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), leased, "no message leased twice");
    }
}
