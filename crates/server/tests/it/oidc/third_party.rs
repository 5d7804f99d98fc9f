//! Third-party applications through the real pages: the consent page with the app's
//! branding, exactly ceiling ∩ request ∩ roles in every token, Cancel, out-of-ceiling
//! scopes, consent remembered and asked only for what is new.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::support::walk::{answer, param, sign_in_if_asked, walk};
use crate::support::{Admin, TestApp, backends, verify_access_token};

pub const DOCS: &str = "https://docs.example.com";
pub const PARTNER_CALLBACK: &str = "https://partner.example/callback";
const SPA_CALLBACK: &str = "https://spa.partner.example/cb";

pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

/// Alice, an API with three scopes of which her role grants `read:docs` and `admin:docs`,
/// and a third-party application whose ceiling holds profile, email, phone, `read:docs` and
/// `write:docs`. Returns (alice's id, the app as created).
pub async fn setup(admin: &Admin<'_>, app_type: &str, callback: &str) -> (String, Value) {
    let (_, alice) = admin
        .post(
            "/api/users",
            json!({"username": "alice", "name": "Alice", "primaryEmail": "alice@example.com",
            "primaryPhone": "+33612345678", "password": "correct horse battery"}),
        )
        .await;
    let (_, api) = admin
        .post("/api/resources", json!({"name": "Docs", "indicator": DOCS}))
        .await;
    let mut scopes = Vec::new();
    for name in ["read:docs", "write:docs", "admin:docs"] {
        let path = format!("/api/resources/{}/scopes", id(&api));
        let (_, scope) = admin
            .post(
                &path,
                json!({"name": name, "description": format!("{name} description"),
                    "descriptions": {"fr": format!("{name} en français")}}),
            )
            .await;
        scopes.push(id(&scope));
    }
    let (_, role) = admin
        .post("/api/roles", json!({"name": "Docs reader", "type": "User"}))
        .await;
    let role_scopes = json!({"scopeIds": [scopes[0], scopes[2]]});
    admin
        .post(&format!("/api/roles/{}/scopes", id(&role)), role_scopes)
        .await;
    let roles = json!({"roleIds": [id(&role)]});
    admin
        .post(&format!("/api/users/{}/roles", id(&alice)), roles)
        .await;
    let (status, partner) = admin
        .post(
            "/api/applications",
            json!({"name": "Partner", "type": app_type, "isThirdParty": true,
            "oidcClientMetadata": {"redirectUris": [callback]}}),
        )
        .await;
    assert_eq!(status, 201, "{partner}");
    let ceiling = json!({"userScopes": ["profile", "email", "phone"], "resourceScopes": [scopes[0], scopes[1]]});
    let path = format!("/api/applications/{}/user-consent-scopes", id(&partner));
    assert_eq!(admin.post(&path, ceiling).await.0, 201);
    let path = format!("/api/applications/{}/sign-in-experience", id(&partner));
    let branding = json!({"displayName": "Partner Docs", "branding": {"logoUrl": "https://partner.example/logo.png"},
        "termsOfUseUrl": "https://partner.example/terms", "privacyPolicyUrl": "https://partner.example/privacy"});
    let (status, _, _) = admin
        .send(reqwest::Method::PUT, &path, Some(branding))
        .await;
    assert_eq!(status, 200);
    (id(&alice), partner)
}

async fn client(
    app: &TestApp,
    partner: &Value,
    callback: &str,
) -> CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
> {
    let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
    let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let secret = partner["secret"]
        .as_str()
        .map(|s| ClientSecret::new(s.into()));
    CoreClient::from_provider_metadata(metadata, ClientId::new(id(partner)), secret)
        .set_redirect_uri(RedirectUrl::new(callback.into()).unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test]
async fn a_third_party_web_app_gets_exactly_what_the_user_consented_to() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let client = client(&app, &partner, PARTNER_CALLBACK).await;
        let (auth_url, csrf, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(
                [
                    "profile",
                    "email",
                    "offline_access",
                    "read:docs",
                    "write:docs",
                    "admin:docs",
                ]
                .map(|s| Scope::new(s.into())),
            )
            .add_extra_param("resource", DOCS)
            .url();
        let browser = browser();
        let stop = walk(&app, &browser, auth_url.as_str()).await;
        let page = sign_in_if_asked(&app, &browser, stop)
            .await
            .page("/consent/");
        let html = &page.1;
        for shown in [
            "Partner Docs",
            "https://partner.example/logo.png",
            "https://partner.example/terms",
            "https://partner.example/privacy",
            "Alice",
            "alice@example.com",
            "Not you?",
            "Your email address",
            "read:docs",
            "Stay signed in",
            "https://partner.example</strong>",
            "Authorize",
            "Cancel",
        ] {
            assert!(
                html.contains(shown),
                "{shown} on the consent page ({backend:?}):\n{html}"
            );
        }
        // Outside the ceiling (admin:docs) or not held through a role (write:docs): not shown.
        assert!(
            !html.contains("write:docs") && !html.contains("admin:docs"),
            "{html}"
        );
        assert!(!html.contains("Your phone number"), "only what was asked");

        let back = answer(&app, &browser, page, "authorize").await.client();
        assert_eq!(
            param(&back, "state").as_deref(),
            Some(csrf.secret().as_str())
        );
        assert_eq!(param(&back, "iss").as_deref(), Some(app.issuer.as_str()));
        let tokens = client
            .exchange_code(AuthorizationCode::new(
                param(&back, "code").unwrap_or_default(),
            ))
            .unwrap_or_else(|e| panic!("{e}"))
            .add_extra_param("resource", DOCS)
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
        let claims = tokens
            .id_token()
            .unwrap_or_else(|| panic!("no ID token"))
            .claims(&client.id_token_verifier(), &nonce)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            claims.email().map(|e| e.as_str()),
            Some("alice@example.com")
        );
        assert!(claims.name().is_some(), "profile");
        assert!(claims.phone_number().is_none(), "phone was not asked for");
        let access = verify_access_token(&app, tokens.access_token().secret(), DOCS).await;
        assert_eq!(access["scope"], "read:docs", "ceiling ∩ request ∩ roles");
        assert!(
            tokens.refresh_token().is_some(),
            "offline_access was consented to"
        );
    }
}

#[tokio::test]
async fn a_third_party_spa_cancel_out_of_ceiling_and_consent_remembered() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, spa) = setup(&admin, "SPA", SPA_CALLBACK).await;
        let client = client(&app, &spa, SPA_CALLBACK).await;
        let authorize = |scopes: &[&str], extra: Option<(&str, &str)>| {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut request = client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    CsrfToken::new_random,
                    Nonce::new_random,
                )
                .set_pkce_challenge(challenge);
            for scope in scopes {
                request = request.add_scope(Scope::new((*scope).into()));
            }
            if let Some((name, value)) = extra {
                request = request.add_extra_param(name, value);
            }
            let (url, state, _) = request.url();
            (url.to_string(), state, verifier)
        };

        // Out of the ceiling: invalid_scope, back to the client, before anyone signs in.
        let (url, state, _) = authorize(&["address"], None);
        let back = walk(&app, &browser(), &url).await.client();
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_scope"));
        assert_eq!(
            param(&back, "state").as_deref(),
            Some(state.secret().as_str())
        );
        assert_eq!(param(&back, "iss").as_deref(), Some(app.issuer.as_str()));

        // Cancel: access_denied with state and iss (RFC 6749 §4.1.2.1, RFC 9207).
        let browser = browser();
        // The first time, even a request for nothing but `openid` asks: it tells who the user is.
        let (url, state, _) = authorize(&[], None);
        let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &url).await).await;
        let page = stop.page("/consent/");
        assert!(
            page.1.contains("Partner Docs"),
            "branding on the SPA's page too"
        );
        assert!(page.1.contains("unique identifier") && !page.1.contains("Your information"));
        let back = answer(&app, &browser, page, "cancel").await.client();
        assert!(back.as_str().starts_with(SPA_CALLBACK));
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert_eq!(
            param(&back, "state").as_deref(),
            Some(state.secret().as_str())
        );
        assert_eq!(param(&back, "iss").as_deref(), Some(app.issuer.as_str()));
        assert_eq!(param(&back, "code"), None);

        // Authorize; the tokens and userinfo hold exactly what was consented to.
        let (url, _, verifier) = authorize(&["email"], None);
        let page = walk(&app, &browser, &url).await.page("/consent/");
        let back = answer(&app, &browser, page, "authorize").await.client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(
                param(&back, "code").unwrap_or_default(),
            ))
            .unwrap_or_else(|e| panic!("{e}"))
            .set_pkce_verifier(verifier)
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let info: Value = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(tokens.access_token().secret())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(info["email"], "alice@example.com");
        assert!(
            info.get("name").is_none() && info.get("phone_number").is_none(),
            "{info}"
        );

        // A new sign-in asking nothing new goes straight back, without a consent page.
        let fresh = crate::oidc::authorization_code::browser();
        let (url, _, _) = authorize(&["email"], None);
        let stop = sign_in_if_asked(&app, &fresh, walk(&app, &fresh, &url).await).await;
        assert!(
            param(&stop.client(), "code").is_some(),
            "nothing new to consent to"
        );

        // prompt=none with something new: consent_required.
        let (url, _, _) = authorize(&["email", "phone"], Some(("prompt", "none")));
        let back = walk(&app, &fresh, &url).await.client();
        assert_eq!(param(&back, "error").as_deref(), Some("consent_required"));

        // One more scope: the page asks for that one only.
        let (url, _, _) = authorize(&["email", "phone"], None);
        let page = walk(&app, &fresh, &url).await.page("/consent/");
        assert!(page.1.contains("Your phone number"), "{}", page.1);
        assert!(
            !page.1.contains("Your email address"),
            "already consented to"
        );
        assert!(
            param(
                &answer(&app, &fresh, page, "authorize").await.client(),
                "code"
            )
            .is_some()
        );

        // prompt=consent shows the page even when nothing is new.
        let (url, _, _) = authorize(&["email"], Some(("prompt", "consent")));
        let page = walk(&app, &fresh, &url).await.page("/consent/");
        assert!(page.1.contains("Your email address"));
        assert!(
            param(
                &answer(&app, &fresh, page, "authorize").await.client(),
                "code"
            )
            .is_some()
        );

        // A third-party application can never reach the management API.
        let management = format!("{}/api", app.address);
        let (url, _, _) = authorize(&["all"], Some(("resource", &management)));
        let back = walk(&app, &fresh, &url).await.client();
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_target"));

        let audit = app.state.db.find_recent_audit(50).await.unwrap_or_default();
        for action in ["consent.grant", "consent.deny"] {
            assert!(
                audit.iter().any(|(a, _, _)| a == action),
                "{action} audited"
            );
        }
    }
}
