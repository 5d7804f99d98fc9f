use super::*;
use crate::test_dbs;

fn app(id: &str, app_type: ApplicationType, is_third_party: bool) -> Application {
    Application {
        dynamic: None,
        id: id.into(),
        name: "Billing sync".into(),
        description: Some("Nightly export".into()),
        app_type,
        is_third_party,
        redirect_uris: vec!["https://app.example.com/cb".into()],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: 1_700_000_000_000,
    }
}

#[tokio::test]
async fn an_application_round_trips_with_its_secrets() {
    for db in test_dbs::each().await {
        let (_, secret) = ClientSecret::generate("Default secret", 5, Some(10));
        let a = app("app1", ApplicationType::Traditional, true);
        db.insert_application(&a, std::slice::from_ref(&secret), &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            db.find_application("app1")
                .await
                .unwrap_or_else(|e| panic!("{e:?}")),
            Some(a)
        );
        assert_eq!(db.find_secrets("app1").await.ok(), Some(vec![secret]));
        assert_eq!(db.find_application("nope").await.ok(), Some(None));
    }
}

#[tokio::test]
async fn a_failed_insert_leaves_nothing_behind() {
    for db in test_dbs::each().await {
        let (_, secret) = ClientSecret::generate("s", 0, None);
        let a = app("app2", ApplicationType::MachineToMachine, false);
        let err = db
            .insert_application(&a, &[secret], &["no-such-role"])
            .await;
        assert!(err.is_err());
        assert_eq!(db.find_application("app2").await.ok(), Some(None));
        assert_eq!(db.find_secrets("app2").await.ok().map(|s| s.len()), Some(0));
    }
}

#[tokio::test]
async fn the_database_refuses_a_third_party_machine() {
    for db in test_dbs::each().await {
        let a = app("app3", ApplicationType::MachineToMachine, true);
        assert!(db.insert_application(&a, &[], &[]).await.is_err());
    }
}

#[tokio::test]
async fn duplicate_ids_are_conflicts() {
    for db in test_dbs::each().await {
        let a = app("app4", ApplicationType::Spa, false);
        assert!(db.insert_application(&a, &[], &[]).await.is_ok());
        assert!(matches!(
            db.insert_application(&a, &[], &[]).await,
            Err(Error::Conflict)
        ));
    }
}

#[tokio::test]
async fn listing_filters_searches_and_pages() {
    for db in test_dbs::each().await {
        for (i, (t, third)) in [
            (ApplicationType::Spa, true),
            (ApplicationType::Native, false),
            (ApplicationType::Spa, false),
        ]
        .into_iter()
        .enumerate()
        {
            let mut a = app(&format!("list{i}"), t, third);
            a.name = format!("App_{i} 100%");
            a.created_at = i as i64;
            db.insert_application(&a, &[], &[])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let page = |page, page_size| Page { page, page_size };
        let all = ApplicationFilter::default();
        let (apps, total) = db
            .list_applications(&all, page(1, 2))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((apps.len(), total), (2, 3));
        assert_eq!(apps[0].id, "list2", "newest first");
        let (apps, _) = db
            .list_applications(&all, page(2, 2))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(apps.len(), 1);
        let third = ApplicationFilter {
            is_third_party: Some(true),
            ..Default::default()
        };
        assert_eq!(
            db.list_applications(&third, page(1, 20))
                .await
                .map(|r| r.1)
                .ok(),
            Some(1)
        );
        let spa = ApplicationFilter {
            types: vec![ApplicationType::Spa],
            ..Default::default()
        };
        assert_eq!(
            db.list_applications(&spa, page(1, 20))
                .await
                .map(|r| r.1)
                .ok(),
            Some(2)
        );
        let search = ApplicationFilter {
            search: Some("APP_1 100%".into()),
            ..Default::default()
        };
        let (found, total) = db
            .list_applications(&search, page(1, 20))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((found[0].id.as_str(), total), ("list1", 1));
        let wildcard = ApplicationFilter {
            search: Some("_".into()),
            ..Default::default()
        };
        assert_eq!(
            db.list_applications(&wildcard, page(1, 20))
                .await
                .map(|r| r.1)
                .ok(),
            Some(3)
        );
        let none = ApplicationFilter {
            search: Some("x_y".into()),
            ..Default::default()
        };
        assert_eq!(
            db.list_applications(&none, page(1, 20))
                .await
                .map(|r| r.1)
                .ok(),
            Some(0)
        );
    }
}

#[tokio::test]
async fn updates_and_deletes_report_missing_applications() {
    for db in test_dbs::each().await {
        let mut a = app("upd", ApplicationType::Traditional, false);
        assert!(matches!(
            db.update_application(&a).await,
            Err(Error::NotFound)
        ));
        db.insert_application(&a, &[], &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        a.name = "Renamed".into();
        a.settings.rotate_refresh_token = false;
        db.update_application(&a)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.find_application("upd").await.ok().flatten(), Some(a));
        db.delete_application("upd")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            db.delete_application("upd").await,
            Err(Error::NotFound)
        ));
    }
}

#[tokio::test]
async fn touching_a_secret_records_its_last_use() {
    for db in test_dbs::each().await {
        let (_, secret) = ClientSecret::generate("s", 0, None);
        let a = app("app5", ApplicationType::MachineToMachine, false);
        db.insert_application(&a, &[secret], &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.touch_secret("app5", "s", 42)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let used = db
            .find_secrets("app5")
            .await
            .ok()
            .and_then(|s| s[0].last_used_at);
        assert_eq!(used, Some(42));
    }
}
