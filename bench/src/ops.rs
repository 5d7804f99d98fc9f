//! The operations measured, each as the same request to either server, and what each needs
//! prepared before a run (codes, refresh tokens, an access token).

use crate::setup::{REDIRECT_URI, SCOPE, Target};
use crate::wrk::{Body, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Discovery,
    Jwks,
    ClientCredentialsEs256,
    ClientCredentialsRs256,
    Introspection,
    Userinfo,
    CodeRedemption,
    RefreshRotation,
    CodeRedemptionEs256,
    RefreshRotationEs256,
}

impl Op {
    /// Every operation in the order the benchmark runs them (RS256 last: Latchkey restarts
    /// with `LATCHKEY_ACCESS_TOKEN_ALG=RS256` for it).
    pub const ALL: [Op; 10] = [
        Op::Discovery,
        Op::Jwks,
        Op::ClientCredentialsEs256,
        Op::Introspection,
        Op::Userinfo,
        Op::CodeRedemption,
        Op::RefreshRotation,
        Op::CodeRedemptionEs256,
        Op::RefreshRotationEs256,
        Op::ClientCredentialsRs256,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Op::Discovery => "discovery",
            Op::Jwks => "JWKS",
            Op::ClientCredentialsEs256 => "client_credentials, ES256 JWT",
            Op::ClientCredentialsRs256 => "client_credentials, RS256 JWT",
            Op::Introspection => "introspection (opaque token)",
            Op::Userinfo => "userinfo",
            Op::CodeRedemption => "authorization code redemption",
            Op::RefreshRotation => "refresh token rotation",
            Op::CodeRedemptionEs256 => "authorization code redemption, ES256 ID token",
            Op::RefreshRotationEs256 => "refresh token rotation, ES256 ID token",
        }
    }

    /// Whether the web client of this operation has its ID tokens signed with ES256
    /// rather than the default RS256: the same flow without an RSA signature per request.
    pub fn es256_id_token(self) -> bool {
        matches!(self, Op::CodeRedemptionEs256 | Op::RefreshRotationEs256)
    }

    /// Whether each request signs with RSA-2048 (an RS256 ID token or access token).
    pub fn signs_rsa(self) -> bool {
        matches!(
            self,
            Op::CodeRedemption | Op::RefreshRotation | Op::ClientCredentialsRs256
        )
    }

    /// A code redeemed once each (as opposed to a refresh token family used over and over).
    pub fn redeems_codes(self) -> bool {
        matches!(self, Op::CodeRedemption | Op::CodeRedemptionEs256)
    }

    /// What the operation consumes: codes or refresh token families, none for the others.
    pub fn pooled(self) -> bool {
        self.redeems_codes() || matches!(self, Op::RefreshRotation | Op::RefreshRotationEs256)
    }

    /// The request for `target`, with `access_token` (introspection, userinfo) or `pool`
    /// (codes, refresh tokens) prepared beforehand. The code and refresh operations use
    /// `target.web`: the caller picks the target whose web client signs as the operation
    /// says ([`Target::with_es256_id_tokens`](crate::setup::Target::with_es256_id_tokens)).
    pub fn request(
        self,
        target: &Target,
        base: &str,
        access_token: &str,
        pool: Vec<String>,
    ) -> Request {
        let form = (
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        );
        let token_path = target.path(base, "/token");
        let post = |path: String, client: &crate::setup::Client, body: Body| Request {
            method: "POST",
            path,
            headers: vec![("authorization", client.basic()), form.clone()],
            body,
        };
        let client_credentials = |resource: &str| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "client_credentials")
                .append_pair("resource", resource)
                .append_pair("scope", SCOPE)
                .finish();
            post(token_path.clone(), &target.machine, Body::Fixed(body))
        };
        match self {
            Op::Discovery => get(
                target.path(base, "/.well-known/openid-configuration"),
                vec![],
            ),
            Op::Jwks => get(target.path(base, &target.jwks_path), vec![]),
            Op::ClientCredentialsEs256 => client_credentials(&target.resource_es256),
            Op::ClientCredentialsRs256 => client_credentials(&target.resource_rs256),
            Op::Introspection => post(
                target.path(base, &target.introspection_path),
                &target.web,
                Body::Fixed(format!("token={access_token}")),
            ),
            Op::Userinfo => get(
                target.path(base, &target.userinfo_path),
                vec![("authorization", format!("Bearer {access_token}"))],
            ),
            Op::CodeRedemption | Op::CodeRedemptionEs256 => {
                // Each pooled item is a code and its own verifier (`run::prepare`).
                let prefix = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "authorization_code")
                    .append_pair("redirect_uri", REDIRECT_URI)
                    .finish();
                let body = Body::Pooled {
                    prefix: format!("{prefix}&code="),
                    suffix: String::new(),
                    items: pool,
                    recycle: false,
                };
                post(token_path, &target.web, body)
            }
            Op::RefreshRotation | Op::RefreshRotationEs256 => {
                let body = Body::Pooled {
                    prefix: "grant_type=refresh_token&refresh_token=".into(),
                    suffix: String::new(),
                    items: pool,
                    recycle: true,
                };
                post(token_path, &target.web, body)
            }
        }
    }
}

fn get(path: String, headers: Vec<(&'static str, String)>) -> Request {
    Request {
        method: "GET",
        path,
        headers,
        body: Body::None,
    }
}
