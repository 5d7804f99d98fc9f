//! The rules of OAuth 2.0 and OpenID Connect as Latchkey applies them.
//!
//! Pure: no I/O, no async, no clock. Every function that depends on time takes `now_ms`
//! (milliseconds since the Unix epoch); randomness comes only from [`random`].
//!
//! - [`error`]: the spec's error codes and safe descriptions (RFC 6749 §5.2).
//! - [`authorize`]: validating an authorization request, client and redirect URI first,
//!   and what it needs next (sign-in, consent, a code): [`authorize::next`].
//! - [`claims`]: user claims by scope, the ID token, `at_hash`.
//! - [`client`]: application types, what each may do, client secrets.
//! - [`client_auth`]: how a client proves who it is at the token endpoint (RFC 6749 §2.3).
//! - [`cimd`]: clients identified by their metadata document's URL (AI agents, MCP
//!   clients): the URL, the document, how long a copy lives, which addresses a fetch may
//!   reach.
//! - [`resource`]: API resources (RFC 8707 indicators) and their scopes.
//! - [`lifetimes`]: how long codes, tokens, sessions and interactions live.
//! - [`scope`]: scope strings (RFC 6749 §3.3).
//! - [`session`]: browser sessions and pending interactions.
//! - [`params`]: form parameters with the duplicate rule (RFC 6749 §3.1).
//! - [`pkce`]: PKCE, S256 only (RFC 7636); [`redirect`]: redirect-URI matching.
//! - [`token`]: one module per `grant_type`, and the access-token claims (RFC 9068).
//! - [`grant`]: grants and the codes and tokens issued under them.
//! - [`id_token_hint`]: the one verifier of `id_token_hint`.
//! - [`jwt`]: compact JWS signing and verification, algorithms bound to key types.
//! - [`keys`]: signing keys, their rotation states, JWKS, encryption at rest; [`rotation`]:
//!   when a rotation may run.
//! - [`discovery`]: provider metadata (OIDC Discovery 1.0, RFC 8414).
//! - [`random`]: unguessable identifiers and secrets.
//! - [`email`]: codes that prove an address or recover a password, and mail retries.
//! - [`totp`]: time-based one-time passwords (RFC 6238) and recovery codes.
//! - [`organization`]: organizations as Logto defines them: their scopes, claims and tokens.
//! - [`invitation`]: invitations to join an organization, their status and expiry.
//! - [`role`], [`user`]: roles, users, identifiers and password hashing.
//! - [`registration`]: what an administrator may register (redirect URIs, origins, names).

pub mod authorize;
pub mod cimd;
pub mod claims;
pub mod client;
pub mod client_auth;
pub mod common_passwords;
pub mod consent;
pub mod device;
pub mod discovery;
pub mod dynamic;
pub mod dynamic_registration;
pub mod email;
pub mod error;
pub mod grant;
pub mod id_token_hint;
pub mod invitation;
pub mod jwt;
pub mod keys;
pub mod lifetimes;
pub mod mfa;
pub mod organization;
pub mod params;
pub mod password;
pub mod pkce;
pub mod random;
pub mod redirect;
pub mod registration;
pub mod resource;
pub mod role;
pub mod rotation;
pub mod scope;
pub mod session;
pub mod throttle;
pub mod token;
pub mod totp;
pub mod user;

pub use error::{ErrorCode, OAuthError};
