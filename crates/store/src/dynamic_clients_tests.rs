use latchkey_core::client::{Application, ApplicationType};
use latchkey_core::dynamic::{Approval, Dynamic, Registration};
use latchkey_core::grant::{AuthorizationCode, token_hash};
use latchkey_core::scope::Scopes;

use crate::grants::tests::setup;
use crate::third_party::SignInExperience;
use crate::{Error, test_dbs};

fn ok<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const URL: &str = "https://agent.example.com/client.json";

fn document_client(name: &str, fetched_at: i64) -> Application {
    Application {
        id: URL.into(),
        name: name.into(),
        description: None,
        app_type: ApplicationType::Native,
        is_third_party: true,
        redirect_uris: vec!["http://localhost/callback".into()],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: fetched_at,
        dynamic: Some(Dynamic {
            registration: Registration::Cimd,
            approval: None,
            policy_ceiling: true,
            fetched_at: Some(fetched_at),
            fresh_until: Some(fetched_at + 300_000),
            authorized_at: None,
        }),
    }
}

fn logo(url: &str) -> SignInExperience {
    SignInExperience {
        display_name: None,
        logo_url: Some(url.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_document_client_is_created_then_refreshed_in_place() {
    for db in test_dbs::each().await {
        let first = document_client("Agent", 1_000);
        assert!(ok(db
            .put_document_client(&first, &logo("https://a/1.png"))
            .await));
        let refreshed = document_client("Agent 2", 9_000);
        assert!(ok(db
            .put_document_client(&refreshed, &logo("https://a/2.png"))
            .await));
        let found = ok(db.find_application(URL).await).unwrap_or_else(|| panic!("gone"));
        assert_eq!(found.name, "Agent 2");
        // Created once: its creation time is the first fetch's.
        assert_eq!(found.created_at, 1_000);
        let dynamic = found.dynamic.unwrap_or_else(|| panic!("not dynamic"));
        assert_eq!(dynamic.registration, Registration::Cimd);
        assert_eq!(dynamic.fetched_at, Some(9_000));
        assert!(dynamic.policy_ceiling);
        let branding = ok(db.find_sign_in_experience(URL).await);
        assert_eq!(
            branding.and_then(|b| b.logo_url).as_deref(),
            Some("https://a/2.png")
        );
    }
}

#[tokio::test]
async fn a_document_never_overwrites_a_registered_application() {
    for db in test_dbs::each().await {
        let mut registered = document_client("Registered", 0);
        registered.dynamic = None;
        ok(db.insert_application(&registered, &[], &[]).await);
        let written = ok(db
            .put_document_client(&document_client("Impostor", 5), &logo("x"))
            .await);
        assert!(!written);
        let found = ok(db.find_application(URL).await).unwrap_or_else(|| panic!("gone"));
        assert_eq!(found.name, "Registered");
        assert!(found.dynamic.is_none());
        assert!(ok(db.find_sign_in_experience(URL).await).is_none());
        // Decisions are for self-registered clients only.
        let decided = db.set_approval(URL, Approval::Blocked, 1).await;
        assert!(matches!(decided, Err(Error::NotFound)));
    }
}

#[tokio::test]
async fn blocking_revokes_every_grant_and_consent() {
    for db in test_dbs::each().await {
        // A grant (with its code) of user-b1 to app-b1, and the same to a document client.
        let other = setup(&db, "b1").await;
        ok(db
            .put_document_client(&document_client("Agent", 0), &logo("x"))
            .await);
        let mut grant = other.clone();
        grant.id = "b2".into();
        grant.client_id = URL.into();
        let code = AuthorizationCode {
            code_hash: token_hash("code-b2"),
            grant_id: "b2".into(),
            redirect_uri: "http://localhost/callback".into(),
            nonce: None,
            code_challenge: None,
            created_at: 1,
            expires_at: 60_000,
        };
        let consent = Scopes::default();
        let consent = Some(crate::consent::Agreed {
            user_scopes: &consent,
            scope_ids: &[],
            organization_scope_ids: &[],
            organizations: None,
        });
        ok(db
            .insert_grant_with_code(&grant, &code, consent, (None, None))
            .await);
        assert!(ok(db.find_consent(&grant.user_id, URL).await).is_some());

        ok(db.set_approval(URL, Approval::Approved, 5).await);
        let found = ok(db.find_application(URL).await).and_then(|a| a.dynamic);
        assert_eq!(found.and_then(|d| d.approval), Some(Approval::Approved));
        assert!(ok(db.find_grant("b2").await).is_some());

        ok(db.set_approval(URL, Approval::Blocked, 6).await);
        assert!(ok(db.find_grant("b2").await).is_none());
        assert!(ok(db.find_consent(&grant.user_id, URL).await).is_none());
        // Another application's grant is untouched.
        assert!(ok(db.find_grant(&other.id).await).is_some());
    }
}

#[tokio::test]
async fn only_clients_never_authorized_are_reaped() {
    for db in test_dbs::each().await {
        let mut unused = document_client("Unused", 1_000);
        unused.id = "https://agent.example.com/unused".into();
        ok(db.put_document_client(&unused, &logo("x")).await);
        let used = document_client("Used", 1_000);
        ok(db.put_document_client(&used, &logo("x")).await);
        ok(db.mark_authorized(URL, 2_000).await);
        ok(db.mark_authorized(URL, 3_000).await);
        let kept = ok(db.find_application(URL).await).and_then(|a| a.dynamic);
        assert_eq!(kept.and_then(|d| d.authorized_at), Some(2_000));
        assert!(ok(db.reap_dynamic_clients(1_000).await).is_empty());
        let reaped = ok(db.reap_dynamic_clients(1_001).await);
        assert_eq!(reaped, ["https://agent.example.com/unused"]);
        assert!(ok(db.find_application(URL).await).is_some());
        assert!(ok(db.find_application(&unused.id).await).is_none());
    }
}

#[tokio::test]
async fn configs_are_set_and_replaced() {
    for db in test_dbs::each().await {
        assert_eq!(ok(db.find_config("dynamic-clients").await), None);
        ok(db.put_config("dynamic-clients", "{\"a\":1}", 1).await);
        ok(db.put_config("dynamic-clients", "{\"a\":2}", 2).await);
        let found = ok(db.find_config("dynamic-clients").await);
        assert_eq!(found.as_deref(), Some("{\"a\":2}"));
    }
}

#[tokio::test]
async fn a_registration_is_found_by_its_digest_within_its_day_unless_blocked() {
    for db in test_dbs::each().await {
        let mut client = document_client("Cursor", 10_000);
        client.id = "dcr-1".into();
        if let Some(d) = client.dynamic.as_mut() {
            d.registration = Registration::Dcr;
        }
        let (_, secret) = latchkey_core::client::ClientSecret::generate("registration", 0, None);
        ok(db
            .insert_registered_client(&client, Some(&secret), &logo("https://c/l.png"), "d1")
            .await);
        let found = ok(db.find_registered_client("d1", 9_000).await).map(|a| a.id);
        assert_eq!(found.as_deref(), Some("dcr-1"));
        assert!(ok(db.find_registered_client("d1", 10_001).await).is_none());
        assert!(ok(db.find_registered_client("d2", 0).await).is_none());
        assert_eq!(ok(db.find_secrets("dcr-1").await).len(), 1);
        ok(db.set_approval("dcr-1", Approval::Blocked, 11_000).await);
        assert!(ok(db.find_registered_client("d1", 0).await).is_none());
    }
}

#[tokio::test]
async fn an_initial_access_token_is_spent_once_per_use_and_never_past_its_expiry() {
    use crate::dynamic_clients::InitialAccessToken;
    for db in test_dbs::each().await {
        let twice = InitialAccessToken {
            id: "iat-1".into(),
            uses_left: Some(2),
            expires_at: Some(5_000),
            created_at: 0,
        };
        ok(db.insert_initial_access_token(&twice, "h1").await);
        assert!(ok(db.use_initial_access_token("h1", 1_000).await));
        assert!(ok(db.use_initial_access_token("h1", 1_000).await));
        assert!(!ok(db.use_initial_access_token("h1", 1_000).await));
        let unlimited = InitialAccessToken {
            id: "iat-2".into(),
            uses_left: None,
            expires_at: Some(5_000),
            created_at: 0,
        };
        ok(db.insert_initial_access_token(&unlimited, "h2").await);
        assert!(ok(db.use_initial_access_token("h2", 4_999).await));
        assert!(!ok(db.use_initial_access_token("h2", 5_000).await));
        assert!(!ok(db.use_initial_access_token("unknown", 0).await));
    }
}
