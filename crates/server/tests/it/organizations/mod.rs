//! Organizations: the management API in Logto's shapes, the organization claims, and
//! organization tokens for users (refresh tokens) and member machines (client credentials).

mod api;
mod invitations;
mod third_party;
mod tokens;

use serde_json::{Value, json};

use crate::support::Admin;

/// What most organization tests start from: an API with `read:docs` and `write:docs`, the
/// organization scopes `read:members` and `invite:members`, the roles `admin` (both
/// organization scopes and `write:docs`) and `viewer` (`read:members` and `read:docs`), and
/// three organizations: Acme (alice is admin), Globex (alice is viewer), Initech (alice is
/// not a member).
pub struct Orgs {
    pub alice: String,
    pub acme: String,
    pub globex: String,
    pub initech: String,
    pub admin_role: String,
    pub viewer_role: String,
}

pub const API: &str = "https://docs.example.com";

pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

impl Orgs {
    pub async fn set_up(admin: &Admin<'_>) -> Self {
        let alice = admin.alice().await;
        let (status, api) = admin
            .post("/api/resources", json!({"name": "Docs", "indicator": API}))
            .await;
        assert_eq!(status, 201, "{api}");
        let scopes_path = format!("/api/resources/{}/scopes", id(&api));
        let read_docs = id(&admin
            .post(&scopes_path, json!({"name": "read:docs"}))
            .await
            .1);
        let write_docs = id(&admin
            .post(&scopes_path, json!({"name": "write:docs"}))
            .await
            .1);
        let mut org_scopes = Vec::new();
        for name in ["read:members", "invite:members"] {
            let (status, scope) = admin
                .post("/api/organization-scopes", json!({"name": name}))
                .await;
            assert_eq!(status, 201, "{scope}");
            org_scopes.push(id(&scope));
        }
        let (status, admin_role) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "admin", "organizationScopeIds": org_scopes,
                    "resourceScopeIds": [write_docs]}),
            )
            .await;
        assert_eq!(status, 201, "{admin_role}");
        let (_, viewer_role) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "viewer", "organizationScopeIds": [org_scopes[0]],
                    "resourceScopeIds": [read_docs]}),
            )
            .await;
        let mut orgs = Vec::new();
        for name in ["Acme", "Globex", "Initech"] {
            let (status, org) = admin
                .post("/api/organizations", json!({"name": name}))
                .await;
            assert_eq!(status, 201, "{org}");
            orgs.push(id(&org));
        }
        for (org, role) in [(&orgs[0], &admin_role), (&orgs[1], &viewer_role)] {
            let users = format!("/api/organizations/{org}/users");
            let (status, _) = admin.post(&users, json!({"userIds": [alice]})).await;
            assert_eq!(status, 201);
            let roles = format!("/api/organizations/{org}/users/{alice}/roles");
            let (status, body) = admin
                .post(&roles, json!({"organizationRoleIds": [id(role)]}))
                .await;
            assert_eq!(status, 201, "{body}");
        }
        Self {
            alice,
            acme: orgs[0].clone(),
            globex: orgs[1].clone(),
            initech: orgs[2].clone(),
            admin_role: id(&admin_role),
            viewer_role: id(&viewer_role),
        }
    }
}
