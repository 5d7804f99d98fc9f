//! Settings, layered: built-in defaults, then `latchkey.toml` (or the file named by
//! `--config` / `LATCHKEY_CONFIG`), then `LATCHKEY_*` environment variables and flags.
//! Validated once at start-up; an invalid value stops start-up with one line naming it.

use std::net::SocketAddr;

use latchkey_core::jwt::Algorithm;

mod check;
pub mod mail;
pub mod retention;
mod sources;

use check::origin_of;
pub use check::redact_url;
pub use sources::Sources;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:3001";
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3001";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://latchkey-data/latchkey.db";

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Without a trailing slash; read through [`Config::public_url`], changed only with the
    /// origin derived from it ([`Config::set_public_url`]).
    public_url: String,
    pub database_url: String,
    /// The operator's secret that seals private keys at rest.
    pub secret_key: Option<Vec<u8>>,
    pub access_token_alg: Algorithm,
    /// Shown on the hosted pages.
    pub company_name: String,
    /// Whether people may create their own account on the sign-in page.
    pub sign_up: bool,
    /// Whether every user must prove a second factor (`LATCHKEY_MFA`).
    pub mfa: latchkey_core::mfa::Policy,
    /// An https (or data:) URL of the company's logo, shown on the hosted pages.
    pub logo_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client; nobody's by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where Prometheus metrics are served; nowhere by default.
    pub metrics_listen: Option<SocketAddr>,
    /// Hosts whose client ID metadata documents may be fetched from any address, over http
    /// too (tests, a private deployment); nobody's by default.
    pub cimd_allow_hosts: Vec<String>,
    /// Extra PEM root certificates for those fetches.
    pub cimd_roots_pem: Option<Vec<u8>>,
    /// Where mail goes out; `None` turns off everything that needs it.
    pub mail: Option<mail::MailConfig>,
    /// How long audit entries and idle grants are kept.
    pub retention: retention::Retention,
    /// The public URL's origin, worked out once (every form post and authorization uses it).
    origin: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .field("access_token_alg", &self.access_token_alg)
            .field("mail", &self.mail)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The issuer identifier: `<public-url>/oidc`.
    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.public_url)
    }

    /// Where Latchkey is reached, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The public URL's origin (`scheme://host[:port]`), as browsers name it in `Origin`.
    pub fn public_origin(&self) -> &str {
        &self.origin
    }

    /// Change the public URL (an address known only once bound, say), and its origin with it.
    pub fn set_public_url(&mut self, public_url: String) {
        self.origin = origin_of(&public_url);
        self.public_url = public_url;
    }

    /// A configuration for `database_url` with every other setting at its default.
    pub fn with_database(database_url: &str) -> Result<Self, String> {
        Sources {
            database_url: Some(database_url.to_owned()),
            ..Sources::default()
        }
        .resolve()
    }
}

#[cfg(test)]
mod tests;
