//! Authentication of the management API: only Latchkey tokens for the management resource
//! with scope `all` get in (RFC 6750 challenges otherwise).

use serde_json::json;

use crate::support::{Admin, Authorize, Backend, TestApp, backends, user_tokens};

async fn status_and_challenge(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = app.http.get(app.url("/api/applications"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), challenge)
}

#[tokio::test]
async fn missing_or_invalid_tokens_are_401_with_a_bearer_challenge() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, challenge) = status_and_challenge(&app, None).await;
        assert_eq!(status, 401);
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        let mut forged = admin.token.clone();
        forged.push('x');
        for token in ["not-a-jwt", forged.as_str()] {
            let (status, challenge) = status_and_challenge(&app, Some(token)).await;
            assert_eq!(status, 401);
            assert!(challenge.contains("invalid_token"), "{challenge}");
        }
        let basic = app.http.get(app.url("/api/applications")).basic_auth(
            &admin.credentials.client_id,
            Some(&admin.credentials.client_secret),
        );
        assert_eq!(
            basic.send().await.map(|r| r.status().as_u16()).ok(),
            Some(401)
        );
        assert_eq!(status_and_challenge(&app, Some(&admin.token)).await.0, 200);
    }
}

#[tokio::test]
async fn a_token_for_another_api_is_401_and_one_without_all_is_403() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, api) = admin
            .post(
                "/api/resources",
                json!({"name": "Orders", "indicator": "https://orders.example.com"}),
            )
            .await;
        let (_, scope) = admin
            .post(
                &format!("/api/resources/{}/scopes", api["id"].as_str().unwrap_or("")),
                json!({"name": "read"}),
            )
            .await;
        let (_, role) = admin
            .post(
                "/api/roles",
                json!({"name": "Reader", "type": "MachineToMachine"}),
            )
            .await;
        let role_id = role["id"].as_str().unwrap_or_default();
        assert_eq!(
            admin
                .post(
                    &format!("/api/roles/{role_id}/scopes"),
                    json!({"scopeIds": [scope["id"]]})
                )
                .await
                .0,
            201
        );
        let (_, machine) = admin
            .post(
                "/api/applications",
                json!({"name": "Worker", "type": "MachineToMachine"}),
            )
            .await;
        let machine_id = machine["id"].as_str().unwrap_or_default();
        assert_eq!(
            admin
                .post(
                    &format!("/api/applications/{machine_id}/roles"),
                    json!({"roleIds": [role_id]})
                )
                .await
                .0,
            201
        );
        let secret = machine["secret"].as_str().unwrap_or_default();
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", "https://orders.example.com"),
        ];
        let body: serde_json::Value = app
            .token(&form, Some((machine_id, secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        let orders_token = body["access_token"].as_str().unwrap_or_default();
        let (status, challenge) = status_and_challenge(&app, Some(orders_token)).await;
        assert_eq!(status, 401, "wrong audience");
        assert!(challenge.contains("invalid_token"));

        // A token for the management API without `all`: only reachable by a role without it,
        // so build one by hand with the server's own key.
        let keys = app.state.keys.get();
        let signer = keys
            .current(latchkey_core::jwt::Algorithm::ES256)
            .unwrap_or_else(|| panic!("no key"));
        let now = app.state.clock.now_ms() / 1000;
        let claims = json!({"iss": app.issuer, "sub": admin.credentials.client_id, "aud": admin.credentials.resource,
            "client_id": admin.credentials.client_id, "scope": "read", "iat": now, "exp": now + 60, "jti": "x"});
        let narrow = signer.sign("at+jwt", &claims).unwrap_or_default();
        let (status, challenge) = status_and_challenge(&app, Some(&narrow)).await;
        assert_eq!(status, 403);
        assert!(challenge.contains("insufficient_scope"));

        let expired = json!({"iss": app.issuer, "sub": admin.credentials.client_id, "aud": admin.credentials.resource,
            "client_id": admin.credentials.client_id, "scope": "all", "iat": now - 7200, "exp": now - 3600, "jti": "y"});
        let expired = signer.sign("at+jwt", &expired).unwrap_or_default();
        assert_eq!(
            status_and_challenge(&app, Some(&expired)).await.0,
            401,
            "expired"
        );
        let wrong_type = signer.sign("JWT", &claims).unwrap_or_default();
        assert_eq!(
            status_and_challenge(&app, Some(&wrong_type)).await.0,
            401,
            "an ID-token-typed JWT is not an access token"
        );
    }
}

#[tokio::test]
async fn deleting_the_calling_application_ends_its_tokens_at_once() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let other = Admin::new(&app).await;
    assert_eq!(
        admin
            .delete(&format!(
                "/api/applications/{}",
                other.credentials.client_id
            ))
            .await,
        204
    );
    assert_eq!(status_and_challenge(&app, Some(&other.token)).await.0, 401);
}

#[tokio::test]
async fn every_mutation_is_audited_without_secrets() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let (_, created) = admin
        .post(
            "/api/applications",
            json!({"name": "Audited", "type": "Traditional"}),
        )
        .await;
    let id = created["id"].as_str().unwrap_or_default();
    admin
        .post(
            &format!("/api/applications/{id}/secrets"),
            json!({"name": "second"}),
        )
        .await;
    let recent = app.state.db.find_recent_audit(10).await.unwrap_or_default();
    let actions: Vec<&str> = recent.iter().map(|(a, _, _)| a.as_str()).collect();
    assert!(
        actions.contains(&"application.create") && actions.contains(&"application.secret.create"),
        "{actions:?}"
    );
    let secret = created["secret"].as_str().unwrap_or("missing");
    assert!(
        recent
            .iter()
            .all(|(_, _, details)| !details.contains(secret))
    );
}

#[tokio::test]
async fn issued_and_refreshed_tokens_reach_the_audit_log_without_the_tokens() {
    let app = TestApp::spawn(backends()[0]).await;
    let admin = Admin::new(&app).await;
    let token = admin.token.clone();
    // The admin's own token request is queued and written in a batch shortly after.
    let mut found = serde_json::Value::Null;
    for _ in 0..50 {
        found = admin.get("/api/audit-logs?action=token.issue").await.1;
        if found.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        found[0]["details"]["grantType"], "client_credentials",
        "{found}"
    );
    assert_eq!(found[0]["details"]["scope"], "all");
    assert!(
        !found.to_string().contains(&token),
        "never the token itself"
    );
}

/// Alice's tokens for the management API through a first-party web application.
async fn alices_management_tokens(app: &TestApp, admin: &Admin<'_>) -> serde_json::Value {
    admin.alice().await;
    let web = admin.client("Web", "Traditional").await;
    let request = Authorize::new(&web.id).set("scope", "openid all");
    user_tokens(app, &web, request, &format!("{}/api", app.address)).await
}

#[tokio::test]
async fn a_person_without_the_administrator_role_gets_no_all_and_is_403() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let tokens = alices_management_tokens(&app, &admin).await;
        let token = tokens["access_token"].as_str().unwrap_or_default();
        assert_eq!(
            status_and_challenge(&app, Some(token)).await.0,
            403,
            "{tokens}"
        );
    }
}

#[tokio::test]
async fn an_id_token_latchkey_signed_is_not_an_access_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let tokens = alices_management_tokens(&app, &admin).await;
        let id_token = tokens["id_token"].as_str().unwrap_or_default();
        assert!(!id_token.is_empty(), "{tokens}");
        assert_eq!(status_and_challenge(&app, Some(id_token)).await.0, 401);
    }
}

/// A third-party application's token for another API has the wrong audience.
#[tokio::test]
async fn a_third_party_token_for_another_api_is_401() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        admin.alice().await;
        let partner = admin.third_party("Partner").await;
        let docs = json!({"name": "Docs", "indicator": "https://docs.example.com"});
        assert_eq!(admin.post("/api/resources", docs).await.0, 201);
        let request = Authorize::new(&partner.id);
        let tokens = user_tokens(&app, &partner, request, "https://docs.example.com").await;
        let token = tokens["access_token"].as_str().unwrap_or_default();
        assert!(!token.is_empty(), "{tokens}");
        assert_eq!(status_and_challenge(&app, Some(token)).await.0, 401);
    }
}

#[tokio::test]
async fn the_administrators_token_stops_at_its_expiry() {
    for backend in backends() {
        let app = TestApp::spawn_with_fixed_clock(backend).await;
        let admin = Admin::new(&app).await;
        assert_eq!(status_and_challenge(&app, Some(&admin.token)).await.0, 200);
        app.state.clock.advance(3_601_000);
        assert_eq!(status_and_challenge(&app, Some(&admin.token)).await.0, 401);
    }
}
