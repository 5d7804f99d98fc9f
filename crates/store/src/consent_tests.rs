use crate::consent::Agreed;
use latchkey_core::grant::{RefreshToken, token_hash};
use latchkey_core::resource::{Resource, Scope};
use latchkey_core::role::{Role, RoleType};
use latchkey_core::scope::Scopes;

use crate::grants::tests::setup;
use crate::roles::Holder;
use crate::{Db, Error, test_dbs};

fn ok<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn scopes(s: &str) -> Scopes {
    ok(Scopes::parse(s))
}

/// API `r1` with scopes `read` and `write`, both held by user-g1 through a role; the
/// application's ceiling holds `read` only.
async fn api(db: &Db) {
    let resource = Resource {
        id: "r1".into(),
        name: "Docs".into(),
        indicator: "https://docs.example.com".into(),
        access_token_ttl: 3600,
        is_management: false,
        created_at: 0,
    };
    ok(db.insert_resource(&resource).await);
    for name in ["read", "write"] {
        let scope = Scope {
            id: format!("s-{name}"),
            resource_id: "r1".into(),
            name: name.into(),
            description: String::new(),
            descriptions: [("fr".to_owned(), format!("{name} (fr)"))].into(),
            created_at: 0,
        };
        ok(db.insert_scope(&scope).await);
    }
    let read = db.find_scope("s-read").await.ok().flatten();
    let read = read.map(|s| s.description_in("fr").to_owned());
    assert_eq!(
        read.as_deref(),
        Some("read (fr)"),
        "descriptions by language"
    );
    let role = Role {
        id: "role1".into(),
        name: "Docs".into(),
        description: String::new(),
        role_type: RoleType::User,
        created_at: 0,
    };
    ok(db.insert_role(&role).await);
    ok(db
        .add_role_scopes("role1", &["s-read".into(), "s-write".into()])
        .await);
    ok(db
        .add_roles_to(Holder::User("user-g1"), &["role1".into()])
        .await);
    ok(db
        .add_consent_scopes("app-g1", &[], &["s-read".into()])
        .await);
}

#[tokio::test]
async fn consent_accumulates_and_grantable_scopes_respect_the_ceiling() {
    for db in test_dbs::each().await {
        setup(&db, "g1").await;
        api(&db).await;
        let all = ok(db.find_grantable_scopes("user-g1", "r1", None).await);
        let names: Vec<_> = all.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["read", "write"]);
        let capped = ok(db
            .find_grantable_scopes("user-g1", "r1", Some("app-g1"))
            .await);
        assert_eq!(capped.len(), 1);
        assert_eq!(capped[0].id, "s-read");

        let first = ok(db
            .record_consent(
                "user-g1",
                "app-g1",
                &agreed(&scopes("openid profile"), &[]),
                10,
            )
            .await);
        let again = ok(db
            .record_consent(
                "user-g1",
                "app-g1",
                &agreed(&scopes("email"), &["s-read".into()]),
                20,
            )
            .await);
        assert_eq!(first, again, "one consent per user and application");
        let consent =
            ok(db.find_consent("user-g1", "app-g1").await).unwrap_or_else(|| panic!("no consent"));
        assert_eq!(
            consent.user_scopes,
            scopes("email profile"),
            "openid is not stored"
        );
        assert_eq!(consent.resource_scopes, capped);
        assert_eq!((consent.created_at, consent.last_used_at), (10, 20));
        assert_eq!(ok(db.list_consents("user-g1").await), vec![consent]);
    }
}

#[tokio::test]
async fn revoking_a_consent_ends_that_applications_grants_only() {
    for db in test_dbs::each().await {
        let grant = setup(&db, "g1").await;
        setup(&db, "g2").await;
        let refresh = RefreshToken {
            token_hash: token_hash("refresh-g1"),
            grant_id: grant.id.clone(),
            scope: grant.scope.clone(),
            created_at: 1,
            expires_at: 1_000_000,
        };
        ok(db.insert_refresh_token(&refresh).await);
        let id = ok(db
            .record_consent("user-g1", "app-g1", &agreed(&scopes("email"), &[]), 10)
            .await);
        ok(db
            .record_consent("user-g2", "app-g2", &agreed(&scopes("email"), &[]), 10)
            .await);

        let wrong_user = db.revoke_consent("user-g2", &id, 50).await;
        assert!(matches!(wrong_user, Err(Error::NotFound)));
        let revoked = ok(db.revoke_consent("user-g1", &id, 50).await);
        assert_eq!(revoked.application_id, "app-g1");
        assert_eq!(ok(db.find_grant("g1").await), None);
        assert_eq!(
            ok(db.find_refresh_token(&refresh.token_hash, 60).await),
            None
        );
        assert_eq!(ok(db.find_consent("user-g1", "app-g1").await), None);
        assert!(matches!(
            db.revoke_consent("user-g1", &id, 60).await,
            Err(Error::NotFound)
        ));
        assert!(
            ok(db.find_grant("g2").await).is_some(),
            "another application's grant"
        );
        assert!(ok(db.find_consent("user-g2", "app-g2").await).is_some());
    }
}

/// What a consent page would record: user scopes and API scope ids, no organizations.
fn agreed<'a>(user_scopes: &'a Scopes, scope_ids: &'a [String]) -> Agreed<'a> {
    Agreed {
        user_scopes,
        scope_ids,
        organization_scope_ids: &[],
        organizations: None,
    }
}
