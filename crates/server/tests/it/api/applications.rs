//! `/api/applications`: every endpoint, its validation, pagination, and what the OIDC
//! endpoints see at once.

use serde_json::json;

use crate::support::{Admin, Backend, TestApp, backends};

#[tokio::test]
async fn one_application_of_each_type_and_a_third_party_one() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        for (app_type, confidential) in [
            ("Traditional", true),
            ("SPA", false),
            ("Native", false),
            ("MachineToMachine", true),
        ] {
            let (status, created) = admin
                .post("/api/applications", json!({"name": format!("{app_type} app"), "description": "d", "type": app_type}))
                .await;
            assert_eq!(status, 201, "{created}");
            assert_eq!(created["type"], app_type);
            assert_eq!(created["isThirdParty"], false);
            assert_eq!(
                created["secret"].is_string(),
                confidential,
                "{app_type}: {created}"
            );
            let id = created["id"].as_str().unwrap_or_default();
            let (status, shown) = admin.get(&format!("/api/applications/{id}")).await;
            assert_eq!(status, 200);
            assert!(
                shown.get("secret").is_none(),
                "a secret is shown only at creation"
            );
            assert_eq!(shown["customClientMetadata"]["idTokenTtl"], 3600);
        }
        let (status, third) = admin
            .post("/api/applications", json!({"name": "Partner", "type": "Traditional", "isThirdParty": true,
                "oidcClientMetadata": {"redirectUris": ["https://partner.example.com/cb"], "postLogoutRedirectUris": []}}))
            .await;
        assert_eq!(status, 201, "{third}");
        assert_eq!(third["isThirdParty"], true);
        assert_eq!(
            third["oidcClientMetadata"]["redirectUris"],
            json!(["https://partner.example.com/cb"])
        );

        let (status, problem) = admin
            .post(
                "/api/applications",
                json!({"name": "M", "type": "MachineToMachine", "isThirdParty": true}),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (
                422,
                Some("application.invalid_third_party_application_type")
            )
        );

        // Listing: bootstrap's machine + 5 created above.
        let (status, list, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?isThirdParty=true",
                None,
            )
            .await;
        assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)));
        assert_eq!(headers["total-number"], "1");
        let (_, _, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?isThirdParty=false&page_size=2",
                None,
            )
            .await;
        assert_eq!(headers["total-number"], "5");
        let (_, page3, _) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?isThirdParty=false&page_size=2&page=3",
                None,
            )
            .await;
        assert_eq!(page3.as_array().map(Vec::len), Some(1));
        let (_, spa_native, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?types=SPA&types=Native",
                None,
            )
            .await;
        assert_eq!(
            (
                headers["total-number"].to_str().ok(),
                spa_native.as_array().map(Vec::len)
            ),
            (Some("2"), Some(2))
        );
        let (_, found, _) = admin
            .send(reqwest::Method::GET, "/api/applications?search=partn", None)
            .await;
        assert_eq!(found[0]["name"], "Partner");
        for bad in [
            "page=0",
            "page_size=101",
            "page=x",
            "isThirdParty=maybe",
            "types=Robot",
        ] {
            let (status, problem) = admin.get(&format!("/api/applications?{bad}")).await;
            assert_eq!(status, 400, "{bad}: {problem}");
        }
    }
}

#[tokio::test]
async fn invalid_input_names_the_field_and_unknown_fields_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let cases = [
        (json!({"name": "", "type": "SPA"}), 422, "name"),
        (json!({"name": "x", "type": "Robot"}), 422, "type"),
        (
            json!({"name": "x", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["http://evil.example.com/cb"]}}),
            422,
            "oidcClientMetadata.redirectUris[0]",
        ),
        (
            json!({"name": "x", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["javascript:alert(1)"]}}),
            422,
            "oidcClientMetadata.redirectUris[0]",
        ),
        (
            json!({"name": "x", "type": "MachineToMachine", "oidcClientMetadata": {"redirectUris": ["https://a.example.com/cb"]}}),
            422,
            "oidcClientMetadata.redirectUris",
        ),
        (
            json!({"name": "x", "type": "SPA", "customClientMetadata": {"corsAllowedOrigins": ["https://a.example.com/path"]}}),
            422,
            "customClientMetadata.corsAllowedOrigins[0]",
        ),
        (
            json!({"name": "x", "type": "SPA", "customClientMetadata": {"idTokenTtl": 5}}),
            422,
            "customClientMetadata.idTokenTtl",
        ),
    ];
    for (body, status, field) in cases {
        let (got, problem) = admin.post("/api/applications", body.clone()).await;
        assert_eq!(
            (got, problem["field"].as_str()),
            (status, Some(field)),
            "{body}: {problem}"
        );
    }
    let (status, problem) = admin
        .post(
            "/api/applications",
            json!({"name": "x", "type": "SPA", "tenantId": "t"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("tenantId"),
        "{problem}"
    );
    let (status, _) = admin
        .post("/api/applications", json!({"type": "SPA"}))
        .await;
    assert_eq!(status, 400, "a missing required field");
    let text = app
        .http
        .post(app.url("/api/applications"))
        .bearer_auth(&admin.token)
        .body("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.status(), 415, "JSON only");
    let (status, listed) = admin.get("/api/applications").await;
    assert_eq!(
        (status, listed.as_array().map(Vec::len)),
        (200, Some(1)),
        "nothing was half-written"
    );
}

#[tokio::test]
async fn patch_changes_settings_but_never_type_or_third_party() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "SPA", "description": "old"}),
            )
            .await;
        let path = format!(
            "/api/applications/{}",
            spa["id"].as_str().unwrap_or_default()
        );
        let (status, changed) = admin
            .patch(&path, json!({"name": "Web 2", "description": null,
                "oidcClientMetadata": {"redirectUris": ["http://localhost:5173/callback"], "postLogoutRedirectUris": ["http://localhost:5173/"]},
                "customClientMetadata": {"corsAllowedOrigins": ["http://localhost:5173"], "rotateRefreshToken": false, "refreshTokenTtlInDays": 30}}))
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["name"], "Web 2");
        assert_eq!(changed["description"], serde_json::Value::Null);
        assert_eq!(changed["customClientMetadata"]["rotateRefreshToken"], false);
        assert_eq!(changed["customClientMetadata"]["refreshTokenTtlInDays"], 30);
        assert_eq!(admin.get(&path).await.1, changed);
        let (status, problem) = admin.patch(&path, json!({"type": "Native"})).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("type")));
        let (status, _) = admin.patch(&path, json!({"isThirdParty": true})).await;
        assert_eq!(status, 422);
        assert_eq!(
            admin.patch(&path, json!({"type": "SPA"})).await.0,
            200,
            "an unchanged type is accepted"
        );
        assert_eq!(admin.delete(&path).await, 204);
        assert_eq!(admin.get(&path).await.0, 404);
        assert_eq!(admin.delete(&path).await, 404);
        assert_eq!(admin.patch(&path, json!({"name": "x"})).await.0, 404);
    }
}

#[tokio::test]
async fn secrets_are_shown_once_and_rotating_one_applies_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let id = admin.credentials.client_id.clone();
        let secrets = format!("/api/applications/{id}/secrets");
        let (status, created) = admin.post(&secrets, json!({"name": "rotation-2026"})).await;
        assert_eq!(status, 201, "{created}");
        let new_value = created["value"].as_str().unwrap_or_default().to_owned();
        assert_eq!(new_value.len(), 43);
        let (_, listed) = admin.get(&secrets).await;
        let names: Vec<&str> = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(names, ["Default secret", "rotation-2026"]);
        assert!(
            listed
                .as_array()
                .into_iter()
                .flatten()
                .all(|s| s.get("value").is_none())
        );

        assert_eq!(
            admin
                .post(&secrets, json!({"name": "rotation-2026"}))
                .await
                .0,
            409
        );
        let (status, problem) = admin
            .post(&secrets, json!({"name": "old", "expiresAt": 1000}))
            .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some("expiresAt"))
        );

        let form = [
            ("grant_type", "client_credentials"),
            ("resource", admin.credentials.resource.as_str()),
        ];
        assert_eq!(
            app.token(&form, Some((&id, &new_value))).await.status(),
            200,
            "the new secret works at once"
        );
        assert_eq!(
            admin.delete(&format!("{secrets}/Default%20secret")).await,
            204
        );
        assert_eq!(
            app.token(&form, Some((&id, &admin.credentials.client_secret)))
                .await
                .status(),
            401,
            "the deleted one fails at once"
        );

        let (status, renamed) = admin
            .patch(
                &format!("{secrets}/rotation-2026"),
                json!({"name": "primary"}),
            )
            .await;
        assert_eq!((status, renamed["name"].as_str()), (200, Some("primary")));
        assert_eq!(
            admin
                .patch(&format!("{secrets}/nope"), json!({"name": "x"}))
                .await
                .0,
            404
        );
        assert_eq!(admin.delete(&format!("{secrets}/nope")).await, 404);

        let (_, spa) = admin
            .post("/api/applications", json!({"name": "Web", "type": "SPA"}))
            .await;
        let spa_secrets = format!(
            "/api/applications/{}/secrets",
            spa["id"].as_str().unwrap_or_default()
        );
        assert_eq!(admin.post(&spa_secrets, json!({"name": "x"})).await.0, 422);
        assert_eq!(admin.get("/api/applications/missing/secrets").await.0, 404);
    }
}
