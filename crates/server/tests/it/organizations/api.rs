//! `/api/organizations`, its members and their roles, `/api/organization-roles`,
//! `/api/organization-scopes` and `/api/users/{id}/organizations`, in Logto's shapes.

use serde_json::json;

use super::{Orgs, id};
use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn organizations_are_created_found_changed_listed_and_deleted() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, org) = admin
            .post(
                "/api/organizations",
                json!({"name": "Acme", "description": "Rockets", "customData": {"tier": "gold"},
                    "color": {"primaryColor": "#ff0000"}}),
            )
            .await;
        assert_eq!(status, 201, "{org}");
        assert_eq!(
            (
                org["customData"]["tier"].as_str(),
                org["isMfaRequired"].as_bool()
            ),
            (Some("gold"), Some(false))
        );
        let path = format!("/api/organizations/{}", id(&org));
        let (status, found) = admin.get(&path).await;
        assert_eq!((status, found["name"].as_str()), (200, Some("Acme")));
        let (status, changed) = admin
            .patch(&path, json!({"description": null, "isMfaRequired": true}))
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["description"], json!(null));
        assert_eq!(changed["isMfaRequired"], true);
        for bad in [
            json!({"name": ""}),
            json!({"customData": [1]}),
            json!({"nope": 1}),
        ] {
            let (status, _) = admin.post("/api/organizations", bad.clone()).await;
            assert!(status == 422 || status == 400, "{bad}: {status}");
        }
        for name in ["Globex", "Initech"] {
            admin
                .post("/api/organizations", json!({"name": name}))
                .await;
        }
        let (status, page, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/organizations?page=1&page_size=2",
                None,
            )
            .await;
        assert_eq!((status, page.as_array().map(Vec::len)), (200, Some(2)));
        assert_eq!(headers["total-number"], "3");
        let (_, found) = admin.get("/api/organizations?q=glob").await;
        assert_eq!(found[0]["name"], "Globex");
        assert_eq!(found.as_array().map(Vec::len), Some(1));
        assert_eq!(admin.delete(&path).await, 204);
        assert_eq!(admin.get(&path).await.0, 404);
        assert_eq!(admin.delete(&path).await, 404);
        let (status, _) = admin.patch(&path, json!({"name": "x"})).await;
        assert_eq!(status, 404);
        let (_, audit) = admin.get("/api/audit-logs?page_size=100").await;
        let actions: Vec<&str> = audit
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["action"].as_str())
            .collect();
        for action in [
            "organization.create",
            "organization.update",
            "organization.delete",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
    }
}

#[tokio::test]
async fn the_template_holds_scopes_and_roles_made_of_them() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let (status, _) = admin
            .post("/api/organization-scopes", json!({"name": "read:members"}))
            .await;
        assert_eq!(status, 409, "names are unique");
        let (status, _) = admin
            .post("/api/organization-scopes", json!({"name": "two words"}))
            .await;
        assert_eq!(status, 422);
        let (status, roles, headers) = admin
            .send(reqwest::Method::GET, "/api/organization-roles", None)
            .await;
        assert_eq!(
            (status, &headers["total-number"]),
            (200, &"2".parse().unwrap_or_else(|_| panic!()))
        );
        let admin_listed = roles
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["name"] == "admin")
            .cloned()
            .unwrap_or_default();
        assert_eq!(admin_listed["type"], "User");
        assert_eq!(admin_listed["scopes"].as_array().map(Vec::len), Some(2));
        assert_eq!(admin_listed["resourceScopes"][0]["name"], "write:docs");
        assert_eq!(
            admin_listed["resourceScopes"][0]["resource"]["name"],
            "Docs"
        );

        let role = format!("/api/organization-roles/{}", orgs.viewer_role);
        let (_, scopes) = admin.get(&format!("{role}/scopes")).await;
        assert_eq!(scopes[0]["name"], "read:members");
        let (_, all) = admin.get("/api/organization-scopes").await;
        let ids: Vec<String> = all.as_array().into_iter().flatten().map(id).collect();
        let (status, _) = admin
            .put(
                &format!("{role}/scopes"),
                json!({"organizationScopeIds": ids}),
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(
            admin
                .get(&format!("{role}/scopes"))
                .await
                .1
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert_eq!(
            admin.delete(&format!("{role}/scopes/{}", ids[1])).await,
            204
        );
        assert_eq!(
            admin.delete(&format!("{role}/scopes/{}", ids[1])).await,
            404
        );
        let (status, problem) = admin
            .post(
                &format!("{role}/scopes"),
                json!({"organizationScopeIds": ["nope"]}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let (_, api_scopes) = admin.get(&format!("{role}/resource-scopes")).await;
        assert_eq!(api_scopes[0]["name"], "read:docs");
        let read_docs = id(&api_scopes[0]);
        let (status, _) = admin
            .put(&format!("{role}/resource-scopes"), json!({"scopeIds": []}))
            .await;
        assert_eq!(status, 204);
        let (status, _) = admin
            .post(
                &format!("{role}/resource-scopes"),
                json!({"scopeIds": [read_docs]}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(
            admin
                .delete(&format!("{role}/resource-scopes/{read_docs}"))
                .await,
            204
        );

        let (status, renamed) = admin.patch(&role, json!({"name": "reader"})).await;
        assert_eq!((status, renamed["name"].as_str()), (200, Some("reader")));
        let (status, _) = admin.patch(&role, json!({"name": "admin"})).await;
        assert_eq!(status, 409);
        let scope = format!("/api/organization-scopes/{}", ids[0]);
        let (status, described) = admin
            .patch(&scope, json!({"description": "See members"}))
            .await;
        assert_eq!(
            (status, described["description"].as_str()),
            (200, Some("See members"))
        );
        assert_eq!(admin.get(&scope).await.0, 200);
        assert_eq!(admin.delete(&scope).await, 204);
        assert_eq!(admin.get(&scope).await.0, 404);
        let (status, _) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "bot", "type": "Robot"}),
            )
            .await;
        assert_eq!(status, 422);
        // The management API's scope is never an organization role's.
        let (_, management) = admin.get("/api/resources/management-api/scopes").await;
        let all = id(&management[0]);
        let (status, problem) = admin
            .post(
                &format!("{role}/resource-scopes"),
                json!({"scopeIds": [all]}),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("organization.management_scope"))
        );
        let (status, _) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "root", "resourceScopeIds": [all]}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(admin.delete(&role).await, 204);
        assert_eq!(admin.get(&role).await.0, 404);
        let (_, held) = admin
            .get(&format!(
                "/api/organizations/{}/users/{}/roles",
                orgs.globex, orgs.alice
            ))
            .await;
        assert_eq!(held, json!([]), "a deleted role leaves its members");
    }
}

#[tokio::test]
async fn members_and_their_roles() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let (_, bob) = admin.post("/api/users", json!({"username": "bob"})).await;
        let bob = id(&bob);
        let users = format!("/api/organizations/{}/users", orgs.acme);
        let (status, _) = admin.post(&users, json!({"userIds": [bob, bob]})).await;
        assert_eq!(status, 201, "adding twice is fine");
        let (status, _) = admin.post(&users, json!({"userIds": ["nobody"]})).await;
        assert_eq!(status, 422);
        let (status, listed, headers) = admin.send(reqwest::Method::GET, &users, None).await;
        assert_eq!(
            (status, &headers["total-number"]),
            (200, &"2".parse().unwrap_or_else(|_| panic!()))
        );
        let alice = listed
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["username"] == "alice")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            alice["organizationRoles"],
            json!([{"id": orgs.admin_role, "name": "admin"}])
        );
        let (_, admins) = admin
            .get(&format!("{users}?organizationRoleId={}", orgs.admin_role))
            .await;
        assert_eq!(admins.as_array().map(Vec::len), Some(1));
        let (_, found) = admin.get(&format!("{users}?q=bo")).await;
        assert_eq!(found[0]["username"], "bob");

        let bob_roles = format!("{users}/{bob}/roles");
        let (status, _) = admin
            .post(&bob_roles, json!({"organizationRoleNames": ["viewer"]}))
            .await;
        assert_eq!(status, 201);
        let (_, held) = admin.get(&bob_roles).await;
        assert_eq!(held[0]["name"], "viewer");
        let (_, scopes) = admin.get(&format!("{users}/{bob}/scopes")).await;
        assert_eq!(scopes[0]["name"], "read:members");
        let (status, _) = admin
            .put(
                &bob_roles,
                json!({"organizationRoleIds": [orgs.admin_role]}),
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(admin.get(&bob_roles).await.1[0]["name"], "admin");
        assert_eq!(
            admin
                .delete(&format!("{bob_roles}/{}", orgs.admin_role))
                .await,
            204
        );
        assert_eq!(
            admin
                .delete(&format!("{bob_roles}/{}", orgs.admin_role))
                .await,
            404
        );
        let (status, _) = admin
            .post(
                &format!("{users}/roles"),
                json!({"userIds": [bob, orgs.alice], "organizationRoleIds": [orgs.viewer_role]}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(admin.get(&bob_roles).await.1[0]["name"], "viewer");

        // Not a member: roles cannot be given, nor read.
        let outsider = format!("/api/organizations/{}/users/{bob}/roles", orgs.initech);
        let (status, problem) = admin
            .post(
                &outsider,
                json!({"organizationRoleIds": [orgs.viewer_role]}),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("organization.require_membership"))
        );
        assert_eq!(admin.get(&outsider).await.0, 422);

        let (status, mine) = admin
            .get(&format!("/api/users/{}/organizations", orgs.alice))
            .await;
        assert_eq!(status, 200);
        let names: Vec<&str> = mine
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["name"].as_str())
            .collect();
        assert_eq!(names, ["Acme", "Globex"]);
        assert_eq!(mine[1]["organizationRoles"][0]["name"], "viewer");
        assert_eq!(admin.get("/api/users/nobody/organizations").await.0, 404);

        let (status, _) = admin.put(&users, json!({"userIds": [bob]})).await;
        assert_eq!(status, 204);
        let (_, left) = admin.get(&users).await;
        assert_eq!(left.as_array().map(Vec::len), Some(1));
        assert_eq!(admin.delete(&format!("{users}/{bob}")).await, 204);
        assert_eq!(admin.delete(&format!("{users}/{bob}")).await, 404);
        let (_, featured) = admin.get("/api/organizations?showFeatured=true").await;
        let globex = featured
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["name"] == "Globex")
            .cloned()
            .unwrap_or_default();
        assert_eq!(globex["usersCount"], 1);
        assert_eq!(globex["featuredUsers"][0]["id"], orgs.alice.as_str());
    }
}

#[tokio::test]
async fn machine_applications_are_members_with_machine_roles() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let (_, m2m) = admin
            .post(
                "/api/applications",
                json!({"name": "Robot", "type": "MachineToMachine"}),
            )
            .await;
        let web = admin.client("Web", "Traditional").await;
        let apps = format!("/api/organizations/{}/applications", orgs.acme);
        let (status, problem) = admin.post(&apps, json!({"applicationIds": [web.id]})).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("application.type_not_allowed"))
        );
        let (status, _) = admin
            .post(&apps, json!({"applicationIds": [id(&m2m)]}))
            .await;
        assert_eq!(status, 201);
        let roles = format!("{apps}/{}/roles", id(&m2m));
        let (status, problem) = admin
            .post(&roles, json!({"organizationRoleIds": [orgs.viewer_role]}))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("organization.role_type_mismatch"))
        );
        let (_, bot) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "bot", "type": "MachineToMachine"}),
            )
            .await;
        let (status, _) = admin
            .post(&roles, json!({"organizationRoleIds": [id(&bot)]}))
            .await;
        assert_eq!(status, 201);
        let (_, listed) = admin.get(&apps).await;
        assert_eq!(listed[0]["organizationRoles"][0]["name"], "bot");
        assert_eq!(admin.get(&roles).await.1[0]["name"], "bot");
        let (status, _) = admin.put(&roles, json!({"organizationRoleIds": []})).await;
        assert_eq!(status, 204);
        assert_eq!(admin.get(&roles).await.1, json!([]));
        let (status, _) = admin
            .post(&roles, json!({"organizationRoleIds": [id(&bot)]}))
            .await;
        assert_eq!(status, 201);
        assert_eq!(admin.delete(&format!("{roles}/{}", id(&bot))).await, 204);
        let (status, _) = admin.put(&apps, json!({"applicationIds": []})).await;
        assert_eq!(status, 204);
        assert_eq!(admin.get(&apps).await.1, json!([]));
        assert_eq!(admin.delete(&format!("{apps}/{}", id(&m2m))).await, 404);
    }
}
