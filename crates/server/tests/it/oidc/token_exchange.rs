//! Token exchange (RFC 8693): an MCP server (a first-party Traditional application allowed
//! to exchange) holds the token an agent sent it for alice and gets a token for her calendar
//! API, naming itself in `act`; scopes never widen; third-party and self-registered
//! clients may never exchange; a revoked subject is refused.

use serde_json::{Value, json};

use crate::support::{
    Admin, Authorize, Backend, TestApp, backends, user_tokens, verify_access_token,
};

const MCP: &str = "https://mcp.example.com/mcp";
const CALENDAR: &str = "https://calendar.example.com";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// Alice's role holds `mcp:tools` on the MCP server's API and `calendar:read` (not
/// `calendar:write`, which exists) on the calendar. Returns alice's id.
async fn setup(admin: &Admin<'_>) -> String {
    let alice = admin.alice().await;
    let mut held = Vec::new();
    for (indicator, scopes) in [
        (MCP, &["mcp:tools"][..]),
        (CALENDAR, &["calendar:read", "calendar:write"]),
    ] {
        let (_, api) = admin
            .post(
                "/api/resources",
                json!({"name": indicator, "indicator": indicator}),
            )
            .await;
        for name in scopes {
            let (_, scope) = admin
                .post(
                    &format!("/api/resources/{}/scopes", id(&api)),
                    json!({"name": name}),
                )
                .await;
            if *name != "calendar:write" {
                held.push(id(&scope));
            }
        }
    }
    let (_, role) = admin
        .post("/api/roles", json!({"name": "Staff", "type": "User"}))
        .await;
    admin
        .post(
            &format!("/api/roles/{}/scopes", id(&role)),
            json!({"scopeIds": held}),
        )
        .await;
    admin
        .post(
            &format!("/api/users/{alice}/roles"),
            json!({"roleIds": [id(&role)]}),
        )
        .await;
    alice
}

/// The MCP server: first-party, Traditional, allowed to exchange. (client id, secret)
async fn mcp_server(admin: &Admin<'_>) -> (String, String) {
    let body = json!({"name": "MCP server", "type": "Traditional",
        "customClientMetadata": {"tokenExchange": true}});
    let (status, server) = admin.post("/api/applications", body).await;
    assert_eq!(status, 201, "{server}");
    assert_eq!(server["customClientMetadata"]["tokenExchange"], true);
    (
        id(&server),
        server["secret"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn exchange(
    app: &TestApp,
    (client, secret): (&str, &str),
    subject: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", EXCHANGE),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
    ];
    form.extend_from_slice(extra);
    let response = app.token(&form, Some((client, secret))).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn an_mcp_server_exchanges_a_users_token_for_another_apis() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let (server, secret) = mcp_server(&admin).await;
        let agent = admin.client("Agent", "Traditional").await;
        let request = Authorize::new(&agent.id).set("scope", "mcp:tools");
        let tokens = user_tokens(&app, &agent, request, MCP).await;
        let subject = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let server = (server.as_str(), secret.as_str());

        let (status, body) = exchange(
            &app,
            server,
            &subject,
            &[
                ("resource", CALENDAR),
                ("scope", "calendar:read calendar:write"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["issued_token_type"], ACCESS_TOKEN);
        assert_eq!(
            body["scope"], "calendar:read",
            "never wider than alice's roles"
        );
        assert!(
            body["refresh_token"].is_null() && body["id_token"].is_null(),
            "{body}"
        );
        assert_eq!(body["expires_in"], 300);
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            CALENDAR,
        )
        .await;
        assert_eq!(claims["act"], json!({"sub": server.0}));
        assert_eq!(claims["client_id"], server.0);
        let (_, alice) = admin.get("/api/users?search=alice").await;
        assert_eq!(claims["sub"], alice[0]["id"]);

        // Exchanged again by another service: `act` nests who acted before.
        let (second, second_secret) = mcp_server(&admin).await;
        let exchanged = body["access_token"].as_str().unwrap_or_default().to_owned();
        let (status, body) = exchange(
            &app,
            (&second, &second_secret),
            &exchanged,
            &[("resource", CALENDAR)],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            CALENDAR,
        )
        .await;
        assert_eq!(
            claims["act"],
            json!({"sub": second, "act": {"sub": server.0}})
        );

        // Asking only for what alice's roles do not hold; an unknown API; a bad subject.
        let (status, body) = exchange(
            &app,
            server,
            &subject,
            &[("resource", CALENDAR), ("scope", "calendar:write")],
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_scope")),
            "{body}"
        );
        let (status, body) = exchange(
            &app,
            server,
            &subject,
            &[("resource", "https://nowhere.example.com")],
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_target")),
            "{body}"
        );
        let (status, body) = exchange(&app, server, "not-a-token", &[("resource", CALENDAR)]).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_grant")),
            "{body}"
        );
        let management = format!("{}/api", app.address);
        let (status, body) =
            exchange(&app, server, &subject, &[("resource", management.as_str())]).await;
        assert_eq!(status, 400, "{body}");
    }
}

#[tokio::test]
async fn only_first_party_confidential_applications_exchange_and_revoked_subjects_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let alice = setup(&admin).await;
    let (server, secret) = mcp_server(&admin).await;
    let server = (server.as_str(), secret.as_str());

    // A partner's token is held to what alice consented to give the partner.
    let partner = admin.third_party("Partner").await;
    let (_, mcp) = admin.get("/api/resources").await;
    let mcp_tools: Vec<String> = mcp
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["indicator"] == MCP)
        .map(id)
        .collect();
    let (_, scopes) = admin
        .get(&format!("/api/resources/{}/scopes", mcp_tools[0]))
        .await;
    let ceiling = json!({"resourceScopes": [id(&scopes[0])]});
    let path = format!("/api/applications/{}/user-consent-scopes", partner.id);
    assert_eq!(admin.post(&path, ceiling).await.0, 201);
    let request = Authorize::new(&partner.id).set("scope", "mcp:tools");
    let tokens = user_tokens(&app, &partner, request, MCP).await;
    let subject = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, body) = exchange(&app, server, &subject, &[("resource", MCP)]).await;
    assert_eq!(
        (status, &body["scope"]),
        (200, &json!("mcp:tools")),
        "{body}"
    );
    let (status, body) = exchange(&app, server, &subject, &[("resource", CALENDAR)]).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_scope")),
        "alice gave the partner no calendar: {body}"
    );

    // The partner itself may never exchange, nor be allowed to.
    let (status, body) = exchange(
        &app,
        (&partner.id, &partner.secret),
        &subject,
        &[("resource", MCP)],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unauthorized_client")),
        "{body}"
    );
    let on = json!({"customClientMetadata": {"tokenExchange": true}});
    let (status, body) = admin
        .patch(&format!("/api/applications/{}", partner.id), on.clone())
        .await;
    assert_eq!(
        (status, &body["field"]),
        (422, &json!("customClientMetadata.tokenExchange")),
        "{body}"
    );
    let native = admin.client("Desktop", "Native").await;
    let (status, _) = admin
        .patch(&format!("/api/applications/{}", native.id), on)
        .await;
    assert_eq!(status, 422, "a public client keeps no secret");

    // Alice removes the partner's access: its tokens, JWTs included, no longer exchange.
    let (_, grants) = admin.get(&format!("/api/users/{alice}/grants")).await;
    let grant = grants
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["application"]["id"] == partner.id.as_str());
    let grant = grant
        .map(id)
        .unwrap_or_else(|| panic!("no grant in {grants}"));
    assert_eq!(
        admin
            .delete(&format!("/api/users/{alice}/grants/{grant}"))
            .await,
        204
    );
    let (status, body) = exchange(&app, server, &subject, &[("resource", MCP)]).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
}
