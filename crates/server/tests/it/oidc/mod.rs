//! The protocol, by spec feature: the authorization code flow, PKCE, refresh tokens, client
//! credentials, claims and userinfo, revocation, end session, discovery, resource indicators,
//! native apps, CORS, third-party consent, and a second relying party.

pub mod authorization_code;
pub mod claims;
pub mod client_authentication;
pub mod client_credentials;
pub mod cors;
pub mod discovery;
pub mod end_session;
pub mod jwt;
pub mod native_apps;
pub mod pkce;
pub mod redirect_uri;
pub mod refresh_token;
pub mod request_options;
pub mod resource_indicators;
pub mod revocation;
pub mod second_rp;
pub mod third_party;
pub mod third_party_revoke;
pub mod token_misuse;
