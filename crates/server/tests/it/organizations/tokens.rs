//! Organization claims and tokens as Logto issues them: a user's organizations in the ID
//! token and userinfo, organization tokens from a refresh token (`organization_id`, or the
//! older `resource=urn:logto:organization:<id>`), API tokens within an organization, and
//! member machines' client credentials. Membership is read at every request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{API, Orgs, id};
use crate::oidc::authorization_code::{browser, code_of, sign_in};
use crate::support::{
    Admin, Authorize, CALLBACK, Client, PASSWORD, TestApp, backends, verify_access_token,
};

const ORGANIZATIONS: &str = "urn:logto:scope:organizations";

fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(part).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// alice signs in to `client` asking for `scope`, naming the organizations resource and the
/// API as Logto's SDKs do; the code is redeemed without a resource.
async fn tokens(app: &TestApp, client: &Client, scope: &str) -> Value {
    let start = Authorize::new(&client.id)
        .set("scope", scope)
        .add("resource", "urn:logto:resource:organizations")
        .add("resource", API)
        .url(app);
    let back = sign_in(app, &browser(), &start, "alice", PASSWORD).await;
    let code = code_of(&back);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let basic = (client.id.as_str(), client.secret.as_str());
    let response = app.token(&form, Some(basic)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap_or_default()
}

/// A refresh with `extra` parameters: status and body; the rotated refresh token replaces
/// `refresh` when one comes back.
async fn refresh(
    app: &TestApp,
    client: &Client,
    refresh: &mut String,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    form.extend_from_slice(extra);
    let basic = (client.id.as_str(), client.secret.as_str());
    let (status, body) = app.post_form("/oidc/token", &form, Some(basic)).await;
    if let Some(next) = body["refresh_token"].as_str() {
        *refresh = next.to_owned();
    }
    (status, body)
}

#[tokio::test]
async fn a_member_gets_every_organization_in_claims_and_a_token_per_organization() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let client = admin.client("Web", "Traditional").await;
        let scope = format!(
            "openid offline_access {ORGANIZATIONS} urn:logto:scope:organization_roles read:members invite:members read:docs write:docs"
        );
        let issued = tokens(&app, &client, &scope).await;
        let id_token = payload(issued["id_token"].as_str().unwrap_or_default());
        assert_eq!(id_token["organizations"], json!([orgs.acme, orgs.globex]));
        let roles = json!([
            format!("{}:admin", orgs.acme),
            format!("{}:viewer", orgs.globex)
        ]);
        assert_eq!(id_token["organization_roles"], roles);
        let info: Value = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(issued["access_token"].as_str().unwrap_or_default())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(info["organizations"], json!([orgs.acme, orgs.globex]));
        assert_eq!(info["organization_data"][0]["name"], "Acme");
        let discovery = app.get_json("/oidc/.well-known/openid-configuration").await;
        let supported = discovery["scopes_supported"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(supported.contains(&json!(ORGANIZATIONS)), "{supported:?}");

        let mut rt = issued["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (status, acme) =
            refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(status, 200, "{acme}");
        let audience = format!("urn:logto:organization:{}", orgs.acme);
        let claims = verify_access_token(
            &app,
            acme["access_token"].as_str().unwrap_or_default(),
            &audience,
        )
        .await;
        assert_eq!(claims["scope"], "invite:members read:members");
        assert_eq!(
            (claims["organization_id"].as_str(), claims["sub"].as_str()),
            (Some(orgs.acme.as_str()), Some(orgs.alice.as_str()))
        );
        assert_eq!(acme["scope"], "invite:members read:members");
        assert_eq!(acme["expires_in"], 3600);
        assert!(acme.get("id_token").is_none());

        // The older SDKs' form: the organization as the resource.
        let old = format!("urn:logto:organization:{}", orgs.globex);
        let (status, globex) = refresh(&app, &client, &mut rt, &[("resource", &old)]).await;
        assert_eq!(status, 200, "{globex}");
        let claims = verify_access_token(
            &app,
            globex["access_token"].as_str().unwrap_or_default(),
            &old,
        )
        .await;
        assert_eq!(claims["scope"], "read:members", "a viewer there");

        // An API within an organization: the API scopes the roles there hold.
        for (org, expected) in [(&orgs.acme, "write:docs"), (&orgs.globex, "read:docs")] {
            let (status, body) = refresh(
                &app,
                &client,
                &mut rt,
                &[("organization_id", org), ("resource", API)],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let claims =
                verify_access_token(&app, body["access_token"].as_str().unwrap_or_default(), API)
                    .await;
            assert_eq!(
                (claims["scope"].as_str(), claims["organization_id"].as_str()),
                (Some(expected), Some(org.as_str()))
            );
        }
        // Without an organization, the API token holds only what alice's own roles give.
        let (status, plain) = refresh(&app, &client, &mut rt, &[("resource", API)]).await;
        assert_eq!(status, 200, "{plain}");
        let claims = verify_access_token(
            &app,
            plain["access_token"].as_str().unwrap_or_default(),
            API,
        )
        .await;
        assert_eq!(
            (claims["scope"].as_str(), claims.get("organization_id")),
            (Some(""), None)
        );

        // Not a member: refused, and the refresh token still works.
        let (status, refused) = refresh(
            &app,
            &client,
            &mut rt,
            &[("organization_id", &orgs.initech)],
        )
        .await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (status, refused) = refresh(
            &app,
            &client,
            &mut rt,
            &[
                ("organization_id", &orgs.acme),
                ("resource", "urn:logto:organization:other"),
            ],
        )
        .await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (400, Some("invalid_target"))
        );
        // Removed from Globex: refused at once; Acme still answers.
        let removed = admin
            .delete(&format!(
                "/api/organizations/{}/users/{}",
                orgs.globex, orgs.alice
            ))
            .await;
        assert_eq!(removed, 204);
        let (status, refused) =
            refresh(&app, &client, &mut rt, &[("organization_id", &orgs.globex)]).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (status, _) = refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(status, 200);
        // A role taken away is gone from the next token.
        let role = format!(
            "/api/organizations/{}/users/{}/roles/{}",
            orgs.acme, orgs.alice, orgs.admin_role
        );
        assert_eq!(admin.delete(&role).await, 204);
        let (_, bare) = refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(bare["scope"], "");
    }
}

#[tokio::test]
async fn a_grant_without_the_organizations_scope_gets_no_organization_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let client = admin.client("Web", "Traditional").await;
        let issued = tokens(&app, &client, "openid offline_access read:members").await;
        let id_token = payload(issued["id_token"].as_str().unwrap_or_default());
        assert!(id_token.get("organizations").is_none());
        let mut rt = issued["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (status, refused) =
            refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (400, Some("invalid_scope")),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn a_member_machine_gets_organization_tokens_with_client_credentials() {
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
        let robot = Client {
            id: id(&m2m),
            secret: m2m["secret"].as_str().unwrap_or_default().to_owned(),
        };
        let (_, scopes) = admin.get("/api/organization-scopes?q=read").await;
        let (_, api) = admin.get("/api/resources?search=Docs").await;
        let (_, api_scopes) = admin
            .get(&format!("/api/resources/{}/scopes", id(&api[0])))
            .await;
        let read_docs = api_scopes
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["name"] == "read:docs")
            .map(id);
        let (status, bot) = admin
            .post(
                "/api/organization-roles",
                json!({"name": "bot", "type": "MachineToMachine",
                "organizationScopeIds": [id(&scopes[0])], "resourceScopeIds": [read_docs]}),
            )
            .await;
        assert_eq!(status, 201, "{bot}");
        let apps = format!("/api/organizations/{}/applications", orgs.acme);
        admin
            .post(&apps, json!({"applicationIds": [robot.id]}))
            .await;
        admin
            .post(
                &format!("{apps}/{}/roles", robot.id),
                json!({"organizationRoleIds": [id(&bot)]}),
            )
            .await;
        let basic = Some((robot.id.as_str(), robot.secret.as_str()));
        let form = [
            ("grant_type", "client_credentials"),
            ("organization_id", orgs.acme.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, basic).await;
        assert_eq!(status, 200, "{body}");
        let audience = format!("urn:logto:organization:{}", orgs.acme);
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            &audience,
        )
        .await;
        assert_eq!(
            (claims["scope"].as_str(), claims["sub"].as_str()),
            (Some("read:members"), Some(robot.id.as_str()))
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("organization_id", orgs.acme.as_str()),
            ("resource", API),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, basic).await;
        assert_eq!(status, 200, "{body}");
        let claims =
            verify_access_token(&app, body["access_token"].as_str().unwrap_or_default(), API).await;
        assert_eq!(
            (claims["scope"].as_str(), claims["organization_id"].as_str()),
            (Some("read:docs"), Some(orgs.acme.as_str()))
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("organization_id", orgs.acme.as_str()),
            ("scope", "invite:members"),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, basic).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("organization_id", orgs.initech.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, basic).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert_eq!(admin.delete(&format!("{apps}/{}", robot.id)).await, 204);
        let form = [
            ("grant_type", "client_credentials"),
            ("organization_id", orgs.acme.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, basic).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
}

#[tokio::test]
async fn within_the_reuse_grace_another_request_gets_its_own_token_not_the_rotations() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let client = admin.client("Web", "Traditional").await;
        let grace = json!({"customClientMetadata": {"refreshTokenReuseGraceSeconds": 30}});
        let (status, _) = admin
            .patch(&format!("/api/applications/{}", client.id), grace)
            .await;
        assert_eq!(status, 200);
        let scope = format!("openid offline_access {ORGANIZATIONS} read:members invite:members");
        let issued = tokens(&app, &client, &scope).await;
        let first = issued["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // As Logto's SDKs do for each organization at once: the same refresh token twice.
        let mut rt = first.clone();
        let (status, acme) =
            refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(status, 200, "{acme}");
        let mut old = first.clone();
        let (status, globex) = refresh(
            &app,
            &client,
            &mut old,
            &[("organization_id", &orgs.globex)],
        )
        .await;
        assert_eq!(status, 200, "{globex}");
        assert!(globex.get("refresh_token").is_none(), "one rotation only");
        let audience = format!("urn:logto:organization:{}", orgs.globex);
        let claims = verify_access_token(
            &app,
            globex["access_token"].as_str().unwrap_or_default(),
            &audience,
        )
        .await;
        assert_eq!(claims["scope"], "read:members");
        // The same request again is a retry: the rotation's own answer.
        let mut again = first.clone();
        let (_, retried) = refresh(
            &app,
            &client,
            &mut again,
            &[("organization_id", &orgs.acme)],
        )
        .await;
        assert_eq!(retried["access_token"], acme["access_token"]);
        let (status, _) = refresh(&app, &client, &mut rt, &[("organization_id", &orgs.acme)]).await;
        assert_eq!(status, 200, "the family lives on");
    }
}
