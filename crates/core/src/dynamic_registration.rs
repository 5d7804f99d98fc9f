//! Dynamic client registration (RFC 7591) as agents send it: what a registration request
//! must say (§2, errors of §3.2.2), the third-party application it makes, what the answer
//! holds (§3.2.1), and the digest by which the same registration repeated is recognised.

use aws_lc_rs::digest::{SHA256, digest};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{Application, ApplicationType};
use crate::dynamic::{Dynamic, Registration};
use crate::registration::{MAX_URIS, check_name, check_self_registered_redirect_uri};
use crate::{ErrorCode, OAuthError};

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    redirect_uris: Vec<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    client_name: Option<String>,
    client_uri: Option<String>,
    logo_uri: Option<String>,
    tos_uri: Option<String>,
    policy_uri: Option<String>,
    scope: Option<String>,
    software_id: Option<String>,
    software_version: Option<String>,
    application_type: Option<String>,
    jwks: Option<Value>,
    jwks_uri: Option<Value>,
}

/// A registration request, accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    /// `none`, `client_secret_basic` or `client_secret_post`.
    pub token_endpoint_auth_method: String,
    pub grant_types: Vec<String>,
    /// `web` or `native`, as sent (OpenID Connect Dynamic Registration), echoed back.
    pub application_type: String,
    pub scope: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub software_id: Option<String>,
    pub software_version: Option<String>,
}

fn metadata(why: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, why)
}

/// Keep an informational URL only if it is `https` (it is shown as a link or an image).
fn https(value: Option<String>) -> Option<String> {
    value.filter(|v| v.starts_with("https://") && v.len() <= 2048)
}

/// The request in `body`, or the error naming what is wrong (`invalid_redirect_uri` names
/// the URI; a client that fails on one URI fails entirely, so each is checked on its own).
pub fn parse(body: &[u8]) -> Result<Request, OAuthError> {
    let raw: Raw = serde_json::from_slice(body)
        .map_err(|e| metadata(format!("the registration is not valid JSON metadata: {e}")))?;
    // RFC 7591 §2: a secret is the default.
    let method = raw
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".to_owned());
    if !["none", "client_secret_basic", "client_secret_post"].contains(&method.as_str()) {
        return Err(metadata(format!(
            "token_endpoint_auth_method {method} is not supported: use none, client_secret_basic or client_secret_post"
        )));
    }
    if raw.jwks.is_some() || raw.jwks_uri.is_some() {
        return Err(metadata("client keys (jwks, jwks_uri) are not supported"));
    }
    let public = method == "none";
    if raw.redirect_uris.is_empty() {
        return Err(OAuthError::new(
            ErrorCode::InvalidRedirectUri,
            "redirect_uris is required",
        ));
    }
    if raw.redirect_uris.len() > MAX_URIS {
        return Err(OAuthError::new(
            ErrorCode::InvalidRedirectUri,
            format!("at most {MAX_URIS} redirect_uris"),
        ));
    }
    for (i, uri) in raw.redirect_uris.iter().enumerate() {
        check_self_registered_redirect_uri(&format!("redirect_uris[{i}]"), uri, public)
            .map_err(|invalid| OAuthError::new(ErrorCode::InvalidRedirectUri, invalid.message))?;
    }
    let grant_types = crate::dynamic::grant_types(raw.grant_types).ok_or_else(|| {
        metadata(
            "grant_types must include authorization_code, the only way a self-registered client signs users in",
        )
    })?;
    if let Some(types) = &raw.response_types
        && !types.iter().any(|t| t == "code")
    {
        return Err(metadata("response_types must include code"));
    }
    let application_type = raw.application_type.unwrap_or_else(|| "web".to_owned());
    if application_type != "web" && application_type != "native" {
        return Err(metadata("application_type must be web or native"));
    }
    let client_name = match raw.client_name.as_deref().map(str::trim) {
        None | Some("") => "Unnamed client".to_owned(),
        Some(name) => check_name("client_name", name).map_err(|e| metadata(e.message))?,
    };
    let mut redirect_uris = raw.redirect_uris;
    redirect_uris.dedup();
    Ok(Request {
        client_name,
        redirect_uris,
        token_endpoint_auth_method: method,
        grant_types,
        application_type,
        scope: raw.scope.filter(|s| s.len() <= 2048),
        logo_uri: https(raw.logo_uri),
        client_uri: https(raw.client_uri),
        tos_uri: https(raw.tos_uri),
        policy_uri: https(raw.policy_uri),
        software_id: raw.software_id.filter(|s| s.len() <= 256),
        software_version: raw.software_version.filter(|s| s.len() <= 256),
    })
}

impl Request {
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == "none"
    }

    /// The client as an application: third-party; public ones native (loopback redirects on
    /// any port, private-use schemes), the others traditional web apps with a secret. Its
    /// page's origins (from its `https` and loopback redirects) may call the token endpoint
    /// from a browser.
    pub fn application(&self, id: String, now_ms: i64) -> Application {
        let app_type = match self.is_public() {
            true => ApplicationType::Native,
            false => ApplicationType::Traditional,
        };
        Application {
            id,
            name: self.client_name.clone(),
            description: None,
            app_type,
            is_third_party: true,
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: Vec::new(),
            cors_allowed_origins: crate::redirect::web_origins(&self.redirect_uris),
            settings: crate::dynamic::settings(&self.grant_types),
            created_at: now_ms,
            dynamic: Some(Dynamic {
                registration: Registration::Dcr,
                approval: None,
                policy_ceiling: true,
                fetched_at: None,
                fresh_until: None,
                authorized_at: None,
            }),
        }
    }

    /// What identifies this registration sent from `address`: the same name, software,
    /// authentication method, redirect URIs (in any order) and grant types from the same
    /// address digest the same (hex SHA-256).
    pub fn digest(&self, address: &str) -> String {
        let mut uris = self.redirect_uris.clone();
        uris.sort();
        let canonical = json!([
            self.client_name,
            self.software_id,
            self.token_endpoint_auth_method,
            uris,
            address,
            self.grant_types,
        ]);
        let hashed = digest(&SHA256, canonical.to_string().as_bytes());
        hashed.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The registration answer (RFC 7591 §3.2.1) for `app`; `secret` only when one was just
    /// made (it is never shown again).
    pub fn response(&self, app: &Application, secret: Option<&str>) -> Value {
        let mut answer = json!({
            "client_id": app.id,
            "client_id_issued_at": app.created_at / 1000,
            "client_name": app.name,
            "redirect_uris": app.redirect_uris,
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "grant_types": self.grant_types,
            "response_types": ["code"],
            "application_type": self.application_type,
        });
        let optional = [
            ("scope", &self.scope),
            ("logo_uri", &self.logo_uri),
            ("client_uri", &self.client_uri),
            ("tos_uri", &self.tos_uri),
            ("policy_uri", &self.policy_uri),
            ("software_id", &self.software_id),
            ("software_version", &self.software_version),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                answer[name] = json!(value);
            }
        }
        if let Some(secret) = secret {
            answer["client_secret"] = json!(secret);
            answer["client_secret_expires_at"] = json!(0);
        }
        answer
    }
}

#[cfg(test)]
#[path = "dynamic_registration_tests.rs"]
mod tests;
