//! The protocol, by spec feature: the authorization code flow, plain OAuth 2.0 (no
//! `openid`), PKCE, `prompt` and `max_age`,
//! form post, refresh tokens, client authentication and credentials, claims and userinfo,
//! JWTs, introspection, revocation, end session, discovery, resource indicators, native apps,
//! redirect URIs, CORS, third-party consent, and a second relying party.

pub mod authorization_code;
pub mod cimd;
pub mod claims;
pub mod client_authentication;
pub mod client_credentials;
pub mod cors;
pub mod device;
pub mod discovery;
pub mod end_session;
pub mod form_post;
pub mod introspection;
pub mod jwt;
pub mod native_apps;
pub mod pkce;
pub mod plain_oauth;
pub mod prompt;
pub mod redirect_uri;
pub mod refresh_token;
pub mod resource_indicators;
pub mod revocation;
pub mod second_rp;
pub mod third_party;
pub mod third_party_revoke;
pub mod token_exchange;
