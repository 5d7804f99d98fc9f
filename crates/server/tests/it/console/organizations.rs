//! Organizations in the console: create one, add members with roles, give and take roles,
//! build the template, let a third-party application ask within organizations, see a
//! user's organizations; refused forms keep what was typed and say why beside the field.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::organizations::{Orgs, id};
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, TestApp, backends};

/// POST `form` from a console page: the status, the page, and where it redirects.
async fn send(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let (status, page, location) = crate::email::post(app, browser, path, form).await;
    (status, page, location.unwrap_or_default())
}

#[tokio::test]
async fn an_administrator_runs_organizations_from_the_console() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        super::admin::people(&admin).await;
        let orgs = Orgs::set_up(&admin).await;
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/console/organizations")).await;
        let (_, list) = sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/organizations");
        assert!(list.contains("Acme") && list.contains("Globex"), "{list}");
        let csrf = hidden(&list, "csrf");

        // Create: an empty name is refused beside its field, then a good one is made.
        let (status, page, _) = send(
            &app,
            &browser,
            "/console/organizations",
            &[("csrf", &csrf), ("name", ""), ("description", "kept")],
        )
        .await;
        assert!(status == 422 && page.contains(r#"value="kept""#), "{page}");
        let (status, _, to) = send(
            &app,
            &browser,
            "/console/organizations",
            &[("csrf", &csrf), ("name", "Umbrella"), ("description", "")],
        )
        .await;
        assert_eq!(status, 303);
        let umbrella = to.rsplit('/').next().unwrap_or_default().to_owned();
        let (_, org) = admin.get(&format!("/api/organizations/{umbrella}")).await;
        assert_eq!(org["name"], "Umbrella");

        // Members: an unknown one is refused beside the field; alice joins as viewer.
        let members = format!("{to}/members");
        let (status, page, _) = send(
            &app,
            &browser,
            &members,
            &[("csrf", &csrf), ("user", "nobody")],
        )
        .await;
        assert!(
            status == 422
                && page.contains("No user has this username or email.")
                && page.contains(r#"value="nobody""#),
            "{page}"
        );
        let (status, _, _) = send(
            &app,
            &browser,
            &members,
            &[
                ("csrf", &csrf),
                ("user", "alice"),
                ("role_id", &orgs.viewer_role),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let roles = format!("/api/organizations/{umbrella}/users/{}/roles", orgs.alice);
        assert_eq!(admin.get(&roles).await.1[0]["name"], "viewer");
        let (_, page) = walk(&app, &browser, &app.url(&to))
            .await
            .page("/console/organizations/");
        assert!(page.contains("alice") && page.contains("viewer"), "{page}");

        // Give admin, take viewer back.
        let member = format!("{to}/users/{}", orgs.alice);
        let (status, _, _) = send(
            &app,
            &browser,
            &format!("{member}/roles"),
            &[("csrf", &csrf), ("role_id", &orgs.admin_role)],
        )
        .await;
        assert_eq!(status, 303);
        let path = format!("{member}/roles/{}/remove", orgs.viewer_role);
        assert_eq!(send(&app, &browser, &path, &[("csrf", &csrf)]).await.0, 303);
        let held = admin.get(&roles).await.1;
        assert_eq!(
            (held[0]["name"].as_str(), held.as_array().map(Vec::len)),
            (Some("admin"), Some(1)),
            "{held}"
        );

        // A machine application joins with a user role: refused in words.
        let (_, machine) = admin
            .post(
                "/api/applications",
                json!({"name": "Robot", "type": "MachineToMachine"}),
            )
            .await;
        let (status, page, _) = send(
            &app,
            &browser,
            &members,
            &[
                ("csrf", &csrf),
                ("application", &id(&machine)),
                ("role_id", &orgs.viewer_role),
            ],
        )
        .await;
        assert!(
            status == 422 && page.contains("machine-to-machine applications"),
            "{page}"
        );

        // The user's page lists their organizations and roles there.
        let (_, page) = walk(
            &app,
            &browser,
            &app.url(&format!("/console/users/{}", orgs.alice)),
        )
        .await
        .page("/console/users/");
        assert!(
            page.contains(&format!(
                r#"href="/console/organizations/{umbrella}">Umbrella</a>"#
            )),
            "{page}"
        );

        // Removing alice, then the organization behind its confirmation.
        assert_eq!(
            send(
                &app,
                &browser,
                &format!("{member}/remove"),
                &[("csrf", &csrf)]
            )
            .await
            .0,
            303
        );
        assert_eq!(admin.get(&roles).await.0, 422);
        let (_, confirm) = walk(&app, &browser, &app.url(&format!("{to}/delete")))
            .await
            .page("/console/organizations/");
        assert!(confirm.contains("Delete organization"), "{confirm}");
        assert_eq!(
            send(&app, &browser, &format!("{to}/delete"), &[("csrf", &csrf)])
                .await
                .0,
            303
        );
        assert_eq!(
            admin.get(&format!("/api/organizations/{umbrella}")).await.0,
            404
        );
    }
}

#[tokio::test]
async fn the_template_and_a_third_party_ceiling_within_organizations() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let orgs = Orgs::set_up(&admin).await;
    let browser = browser();
    let here = "/console/organizations/template";
    let stop = walk(&app, &browser, &app.url(here)).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root").await.page(here);
    assert!(
        page.contains("read:members") && page.contains("viewer"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");

    // Scopes: a bad name and a taken one are refused beside the scope form's field.
    let scopes = format!("{here}/scopes");
    let (status, page, _) = send(
        &app,
        &browser,
        &scopes,
        &[
            ("csrf", &csrf),
            ("scope_name", "two words"),
            ("scope_description", "typed"),
        ],
    )
    .await;
    assert!(
        status == 422 && page.contains(r#"value="typed""#) && page.contains("without spaces"),
        "{page}"
    );
    let (status, page, _) = send(
        &app,
        &browser,
        &scopes,
        &[("csrf", &csrf), ("scope_name", "read:members")],
    )
    .await;
    assert!(
        status == 422 && page.contains("Another one already has this name."),
        "{page}"
    );
    assert_eq!(
        send(
            &app,
            &browser,
            &scopes,
            &[("csrf", &csrf), ("scope_name", "read:billing")]
        )
        .await
        .0,
        303
    );

    // A role, given the new scope and an API scope; the management API's is never offered.
    let (status, _, role_page) = send(
        &app,
        &browser,
        &format!("{here}/roles"),
        &[
            ("csrf", &csrf),
            ("name", "billing"),
            ("description", ""),
            ("type", "User"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = walk(&app, &browser, &app.url(&role_page)).await.page(here);
    assert!(
        page.contains("read:billing")
            && page.contains("write:docs")
            && !page.contains("management-api-all"),
        "{page}"
    );
    let (_, scopes) = admin.get("/api/organization-scopes?q=billing").await;
    let (_, docs) = admin.get("/api/resources").await;
    let docs = docs
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|r| r["indicator"] == crate::organizations::API)
        })
        .cloned()
        .unwrap_or_default();
    let (_, api_scopes) = admin
        .get(&format!("/api/resources/{}/scopes", id(&docs)))
        .await;
    let write = api_scopes
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == "write:docs"))
        .map(id)
        .unwrap_or_default();
    let added = [
        ("csrf", csrf.as_str()),
        ("scope_id", scopes[0]["id"].as_str().unwrap_or_default()),
        ("resource_scope_id", &write),
    ];
    assert_eq!(
        send(&app, &browser, &format!("{role_page}/scopes"), &added)
            .await
            .0,
        303
    );
    let (_, roles) = admin.get("/api/organization-roles?q=billing").await;
    assert_eq!(
        (
            roles[0]["scopes"][0]["name"].as_str(),
            roles[0]["resourceScopes"][0]["name"].as_str()
        ),
        (Some("read:billing"), Some("write:docs")),
        "{roles}"
    );

    // A third-party application's Permissions tab: the ceiling within organizations.
    let partner = admin.third_party("Partner").await;
    let tab = format!("/console/applications/{}/permissions", partner.id);
    let (_, page) = walk(&app, &browser, &app.url(&tab)).await.page(&tab);
    assert!(
        page.contains("Within organizations") && page.contains(r#"name="organization_scope""#),
        "{page}"
    );
    let ceiling = [
        ("csrf", csrf.as_str()),
        (
            "organization_scope",
            scopes[0]["id"].as_str().unwrap_or_default(),
        ),
        ("organization_resource_scope", &write),
    ];
    assert_eq!(send(&app, &browser, &tab, &ceiling).await.0, 303);
    let consent = format!("/api/applications/{}/user-consent-scopes", partner.id);
    let (_, allowed) = admin.get(&consent).await;
    assert_eq!(
        allowed["organizationScopes"][0]["name"], "read:billing",
        "{allowed}"
    );
    assert_eq!(
        allowed["organizationResourceScopes"][0]["scopes"][0]["name"], "write:docs",
        "{allowed}"
    );
    let removal = [
        ("csrf", csrf.as_str()),
        ("scope_type", "organization-scopes"),
        ("scope_id", scopes[0]["id"].as_str().unwrap_or_default()),
    ];
    assert_eq!(
        send(&app, &browser, &format!("{tab}/remove"), &removal)
            .await
            .0,
        303
    );
    let (_, allowed) = admin.get(&consent).await;
    assert!(
        allowed["organizationScopes"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "{allowed}"
    );

    // Deleting the role behind its confirmation.
    assert_eq!(
        send(
            &app,
            &browser,
            &format!("{role_page}/delete"),
            &[("csrf", &csrf)]
        )
        .await
        .0,
        303
    );
    let (_, roles) = admin.get("/api/organization-roles?q=billing").await;
    assert!(roles.as_array().is_some_and(Vec::is_empty), "{roles}");
    let _ = orgs;
}
