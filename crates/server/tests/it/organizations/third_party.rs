//! A third-party application asking for organization scopes: its ceiling in organizations,
//! the consent page offering the user's organizations where the user holds something it
//! asks for, tokens for the organizations chosen only, and one organization taken back alone.

use serde_json::{Value, json};

use super::{API, Orgs, id};
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{Stop, param, sign_in_if_asked, submit, walk};
use crate::support::{Admin, Authorize, CALLBACK, TestApp, backends, verify_access_token};

const SCOPE: &str = "openid offline_access urn:logto:scope:organizations read:members invite:members read:docs write:docs";

#[tokio::test]
async fn the_user_chooses_organizations_and_tokens_follow_the_choice() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let partner = admin.third_party("Partner").await;
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
        let ceiling = format!("/api/applications/{}/user-consent-scopes", partner.id);
        let (status, view) = admin
            .post(
                &ceiling,
                json!({"userScopes": ["urn:logto:scope:organizations"],
                "organizationScopes": [id(&scopes[0])], "organizationResourceScopes": [read_docs]}),
            )
            .await;
        assert_eq!(status, 201, "{view}");
        assert_eq!(view["organizationScopes"][0]["name"], "read:members");
        assert_eq!(
            view["organizationResourceScopes"][0]["scopes"][0]["name"],
            "read:docs"
        );
        let (status, _) = admin
            .post(&ceiling, json!({"organizationScopes": ["nope"]}))
            .await;
        assert_eq!(status, 422);

        let browser = browser();
        let start = Authorize::new(&partner.id)
            .set("scope", SCOPE)
            .add("resource", "urn:logto:resource:organizations")
            .add("resource", API)
            .url(&app);
        let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &start).await).await;
        let (path, html) = stop.page("/consent/");
        for (name, offered) in [("Acme", true), ("Globex", true), ("Initech", false)] {
            assert_eq!(html.contains(name), offered, "{name} offered: {html}");
        }
        assert!(
            html.contains("read:docs"),
            "what Globex would give is shown"
        );
        let form = vec![
            ("csrf", hidden(&html, "csrf")),
            ("user", hidden(&html, "user")),
            ("organization", orgs.acme.clone()),
            ("organization", orgs.globex.clone()),
            ("organization", orgs.initech.clone()),
            ("decision", "authorize".to_owned()),
        ];
        let back = submit(&app, &browser, &path, &form).await.client();
        let code = param(&back, "code").unwrap_or_default();
        let basic = Some((partner.id.as_str(), partner.secret.as_str()));
        let redeem = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        let (status, issued) = app.post_form("/oidc/token", &redeem, basic).await;
        assert_eq!(status, 200, "{issued}");
        let mut rt = issued["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut refresh = async |extra: &[(&str, &str)]| -> (u16, Value) {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.as_str()),
            ];
            form.extend_from_slice(extra);
            let (status, body) = app.post_form("/oidc/token", &form, basic).await;
            if let Some(next) = body["refresh_token"].as_str() {
                rt = next.to_owned();
            }
            (status, body)
        };

        // Both organizations chosen: tokens for both, within the ceiling (no invite:members).
        for org in [&orgs.acme, &orgs.globex] {
            let (status, body) = refresh(&[("organization_id", org)]).await;
            assert_eq!(status, 200, "{body}");
            let audience = format!("urn:logto:organization:{org}");
            let claims = verify_access_token(
                &app,
                body["access_token"].as_str().unwrap_or_default(),
                &audience,
            )
            .await;
            assert_eq!(claims["scope"], "read:members");
        }
        let (status, body) = refresh(&[("organization_id", &orgs.globex), ("resource", API)]).await;
        assert_eq!(status, 200, "{body}");
        let claims =
            verify_access_token(&app, body["access_token"].as_str().unwrap_or_default(), API).await;
        assert_eq!(claims["scope"], "read:docs");
        let (status, body) = refresh(&[("organization_id", &orgs.initech)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "never offered"
        );

        // One organization taken back: that one ends, the other goes on.
        let chosen = format!(
            "/api/applications/{}/users/{}/consent-organizations",
            partner.id, orgs.alice
        );
        let (status, listed) = admin.get(&chosen).await;
        assert_eq!((status, listed.as_array().map(Vec::len)), (200, Some(2)));
        assert_eq!(admin.delete(&format!("{chosen}/{}", orgs.acme)).await, 204);
        assert_eq!(admin.delete(&format!("{chosen}/{}", orgs.acme)).await, 404);
        let (_, left) = admin.get(&chosen).await;
        assert_eq!(left.as_array().map(Vec::len), Some(1), "{left}");
        let (status, body) = refresh(&[("organization_id", &orgs.acme)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
        let (status, _) = refresh(&[("organization_id", &orgs.globex)]).await;
        assert_eq!(status, 200);
        // Leaving an organization takes it back from every application.
        let users = format!("/api/organizations/{}/users/{}", orgs.globex, orgs.alice);
        assert_eq!(admin.delete(&users).await, 204);
        assert_eq!(admin.get(&chosen).await.1, json!([]));
        let (status, _) = refresh(&[("organization_id", &orgs.globex)]).await;
        assert_eq!(status, 400);
        let (status, body) = refresh(&[]).await;
        assert_eq!(status, 200, "the rest of the consent stays: {body}");
    }
}

#[tokio::test]
async fn a_third_party_hears_only_of_the_organizations_chosen() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let partner = admin.third_party("Partner").await;
        let ceiling = format!("/api/applications/{}/user-consent-scopes", partner.id);
        admin
            .post(
                &ceiling,
                json!({"userScopes": ["urn:logto:scope:organizations"]}),
            )
            .await;
        let browser = browser();
        let start = Authorize::new(&partner.id)
            .set("scope", "openid urn:logto:scope:organizations")
            .url(&app);
        let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &start).await).await;
        let (path, html) = stop.page("/consent/");
        assert!(
            html.contains("Acme") && html.contains("Globex"),
            "the claim alone offers every organization"
        );
        let form = vec![
            ("csrf", hidden(&html, "csrf")),
            ("user", hidden(&html, "user")),
            ("organization", orgs.globex.clone()),
            ("decision", "authorize".to_owned()),
        ];
        let back = submit(&app, &browser, &path, &form).await;
        let Stop::Client(back) = back else {
            panic!("{back:?}")
        };
        let code = param(&back, "code").unwrap_or_default();
        let redeem = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        let (_, issued) = app
            .post_form("/oidc/token", &redeem, Some((&partner.id, &partner.secret)))
            .await;
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
        assert_eq!(info["organizations"], json!([orgs.globex]));

        // An administrator lets the application into Acme too, then into Acme alone.
        let chosen = format!(
            "/api/applications/{}/users/{}/consent-organizations",
            partner.id, orgs.alice
        );
        let ids = async || -> Vec<String> {
            let (_, listed) = admin.get(&chosen).await;
            let mut ids: Vec<String> = listed.as_array().into_iter().flatten().map(id).collect();
            ids.sort();
            ids
        };
        let (status, _) = admin
            .post(&chosen, json!({"organizationIds": [orgs.acme]}))
            .await;
        assert_eq!(status, 201);
        let mut both = vec![orgs.acme.clone(), orgs.globex.clone()];
        both.sort();
        assert_eq!(ids().await, both);
        let (status, _) = admin
            .put(&chosen, json!({"organizationIds": [orgs.acme]}))
            .await;
        assert_eq!(status, 204);
        assert_eq!(ids().await, vec![orgs.acme.clone()]);
        let (status, refused) = admin
            .put(&chosen, json!({"organizationIds": [orgs.initech]}))
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("organization.require_membership"))
        );
        assert_eq!(
            ids().await,
            vec![orgs.acme.clone()],
            "a refused change changes nothing"
        );
        let other = admin.third_party("Other").await;
        let path = format!(
            "/api/applications/{}/users/{}/consent-organizations",
            other.id, orgs.alice
        );
        let (status, refused) = admin
            .put(&path, json!({"organizationIds": [orgs.acme]}))
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("application.user_consent_not_found")),
            "never a consent the user did not give"
        );
        let first_party = admin.client("Web", "Traditional").await;
        let path = format!(
            "/api/applications/{}/users/{}/consent-organizations",
            first_party.id, orgs.alice
        );
        let (status, refused) = admin
            .put(&path, json!({"organizationIds": [orgs.acme]}))
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("application.third_party_application_only"))
        );
    }
}

#[tokio::test]
async fn an_organization_unticked_when_asked_again_is_taken_back() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let orgs = Orgs::set_up(&admin).await;
        let partner = admin.third_party("Partner").await;
        let ceiling = format!("/api/applications/{}/user-consent-scopes", partner.id);
        admin
            .post(
                &ceiling,
                json!({"userScopes": ["urn:logto:scope:organizations"]}),
            )
            .await;
        let browser = browser();
        let chosen = format!(
            "/api/applications/{}/users/{}/consent-organizations",
            partner.id, orgs.alice
        );
        for (prompt, pick) in [("login", &orgs.acme), ("consent", &orgs.globex)] {
            let start = Authorize::new(&partner.id)
                .set("scope", "openid urn:logto:scope:organizations")
                .set("prompt", prompt)
                .url(&app);
            let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &start).await).await;
            let (path, html) = stop.page("/consent/");
            let form = vec![
                ("csrf", hidden(&html, "csrf")),
                ("user", hidden(&html, "user")),
                ("organization", pick.clone()),
                ("decision", "authorize".to_owned()),
            ];
            submit(&app, &browser, &path, &form).await.client();
            let (_, listed) = admin.get(&chosen).await;
            let ids: Vec<String> = listed.as_array().into_iter().flatten().map(id).collect();
            assert_eq!(
                ids.iter().collect::<Vec<_>>(),
                [pick],
                "the page's choice replaces the one before"
            );
        }
    }
}
