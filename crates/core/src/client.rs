//! Applications (OAuth clients): their types, what each type may do, and client secrets.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

/// The admin console's built-in application: a public client (PKCE) of Latchkey itself,
/// whose redirect URIs follow the public URL.
pub const CONSOLE_APP_ID: &str = "latchkey-console";

/// Where the console receives its authorization response, and returns after sign-out.
pub fn console_uris(public_url: &str) -> (String, String) {
    let base = public_url.trim_end_matches('/');
    (
        format!("{base}/console/callback"),
        format!("{base}/console"),
    )
}

/// The four kinds of application, named as in Logto's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicationType {
    /// A server-side web app that keeps a secret (confidential).
    Traditional,
    /// A browser app (public, PKCE).
    #[serde(rename = "SPA")]
    Spa,
    /// A mobile or desktop app (public, PKCE).
    Native,
    /// A service calling APIs on its own behalf (confidential, first-party only).
    MachineToMachine,
}

/// The grants Latchkey knows, by their `grant_type` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    /// RFC 8628.
    DeviceCode,
    /// RFC 8693.
    TokenExchange,
}

impl GrantType {
    /// Every grant, in the order discovery lists them and metrics count them. A new variant
    /// fails to compile in the match below, which stands beside this list so that it is added
    /// here too.
    pub const ALL: [Self; 5] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::DeviceCode,
        Self::TokenExchange,
    ];
    const _LISTED_IN_ALL: () = match Self::AuthorizationCode {
        Self::AuthorizationCode | Self::RefreshToken | Self::ClientCredentials => (),
        Self::DeviceCode | Self::TokenExchange => (),
    };

    /// The `grant_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == value)
    }

    /// Whether the grant issues tokens about a user (rather than about the client itself).
    pub fn is_for_a_user(self) -> bool {
        match self {
            Self::AuthorizationCode | Self::RefreshToken | Self::DeviceCode => true,
            Self::TokenExchange => true,
            Self::ClientCredentials => false,
        }
    }
}

impl ApplicationType {
    pub const ALL: [Self; 4] = [
        Self::Traditional,
        Self::Spa,
        Self::Native,
        Self::MachineToMachine,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Traditional => "Traditional",
            Self::Spa => "SPA",
            Self::Native => "Native",
            Self::MachineToMachine => "MachineToMachine",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// Confidential applications authenticate with a secret; public ones cannot keep one.
    pub fn is_confidential(self) -> bool {
        matches!(self, Self::Traditional | Self::MachineToMachine)
    }

    /// Only apps that sign users in may belong to a third party.
    pub fn may_be_third_party(self) -> bool {
        !matches!(self, Self::MachineToMachine)
    }

    /// Each type is allowed only the grants that fit it: machines get `client_credentials`
    /// and nothing else; apps that sign users in get the code and refresh grants.
    pub fn allows(self, grant: GrantType) -> bool {
        match self {
            Self::MachineToMachine => !grant.is_for_a_user(),
            Self::Traditional | Self::Spa | Self::Native => grant.is_for_a_user(),
        }
    }
}

/// An application as the protocol sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Also the OAuth `client_id`.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub app_type: ApplicationType,
    pub is_third_party: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub cors_allowed_origins: Vec<String>,
    pub settings: TokenSettings,
    pub created_at: i64,
    /// For a client that registered itself (CIMD, DCR): how, and what was decided about it.
    pub dynamic: Option<crate::dynamic::Dynamic>,
}

impl Application {
    /// Whether this application may use `grant`: its type decides; the device grant and
    /// token exchange are also turned on per application.
    pub fn may_use(&self, grant: GrantType) -> bool {
        match grant {
            // Turned on per application: the type alone never implies it.
            GrantType::DeviceCode => self.app_type.allows(grant) && self.settings.device_flow,
            // A service the company runs, trusted to act for the users whose tokens it holds.
            GrantType::TokenExchange => {
                self.settings.token_exchange
                    && self.app_type.is_confidential()
                    && !self.is_third_party
                    && self.dynamic.is_none()
            }
            _ => self.app_type.allows(grant),
        }
    }
}

/// Per-application token lifetimes and refresh behaviour (Logto's `customClientMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSettings {
    /// Seconds.
    pub id_token_ttl: i64,
    pub refresh_token_ttl_days: i64,
    pub rotate_refresh_token: bool,
    pub always_issue_refresh_token: bool,
    /// How ID tokens for this application are signed (`id_token_signed_response_alg`).
    pub id_token_alg: crate::jwt::Algorithm,
    /// Whether it may use the device authorization grant (`customClientMetadata.deviceFlow`).
    pub device_flow: bool,
    /// Whether it may exchange a user's access token for one to another API (RFC 8693,
    /// `customClientMetadata.tokenExchange`): first-party confidential applications only.
    pub token_exchange: bool,
    /// Seconds during which a rotated refresh token presented again is answered with the
    /// pair its rotation issued (`customClientMetadata.refreshTokenReuseGraceSeconds`).
    pub refresh_reuse_grace_secs: i64,
    /// Whether signing in to it needs a second factor (`customClientMetadata.requireMfa`).
    pub require_mfa: bool,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            id_token_ttl: 3600,
            refresh_token_ttl_days: 14,
            rotate_refresh_token: true,
            always_issue_refresh_token: false,
            id_token_alg: crate::jwt::Algorithm::RS256,
            device_flow: false,
            token_exchange: false,
            refresh_reuse_grace_secs: 0,
            require_mfa: false,
        }
    }
}

/// A named client secret. Only its SHA-256 digest is kept: secrets are 256-bit random values,
/// so a fast hash is enough and keeps `client_credentials` cheap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSecret {
    pub name: String,
    pub hash: Vec<u8>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl ClientSecret {
    /// A new secret: the value to show once, and the record to store.
    pub fn generate(
        name: impl Into<String>,
        now_ms: i64,
        expires_at: Option<i64>,
    ) -> (String, Self) {
        let value = crate::random::secret();
        let secret = Self {
            name: name.into(),
            hash: hash_secret(&value),
            created_at: now_ms,
            expires_at,
            last_used_at: None,
        };
        (value, secret)
    }

    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_ms)
    }

    /// Whether `presented` is this secret and it has not expired, compared in constant time.
    pub fn matches(&self, presented: &str, now_ms: i64) -> bool {
        let equal = verify_slices_are_equal(&hash_secret(presented), &self.hash).is_ok();
        equal && !self.is_expired(now_ms)
    }
}

pub fn hash_secret(value: &str) -> Vec<u8> {
    digest(&SHA256, value.as_bytes()).as_ref().to_vec()
}

/// The secret of `secrets` that `presented` matches, if any. Every secret is compared, so
/// the time taken does not reveal which one matched.
pub fn find_matching_secret<'a>(
    secrets: &'a [ClientSecret],
    presented: &str,
    now_ms: i64,
) -> Option<&'a ClientSecret> {
    secrets
        .iter()
        .fold(None, |found, s| match s.matches(presented, now_ms) {
            true => Some(s),
            false => found,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_to_machine_is_confidential_first_party_and_client_credentials_only() {
        let m2m = ApplicationType::MachineToMachine;
        assert!(m2m.is_confidential());
        assert!(!m2m.may_be_third_party());
        assert!(m2m.allows(GrantType::ClientCredentials));
        assert!(!m2m.allows(GrantType::AuthorizationCode));
        assert!(!ApplicationType::Spa.allows(GrantType::ClientCredentials));
        assert!(!ApplicationType::Native.is_confidential());
    }

    #[test]
    fn type_names_round_trip() {
        for t in ApplicationType::ALL {
            assert_eq!(ApplicationType::parse(t.as_str()), Some(t));
        }
        assert_eq!(ApplicationType::parse("spa"), None);
    }

    #[test]
    fn a_secret_matches_only_its_value_and_only_before_expiry() {
        let (value, secret) = ClientSecret::generate("Default secret", 1_000, Some(2_000));
        assert!(secret.matches(&value, 1_500));
        assert!(!secret.matches(&value, 2_000));
        assert!(!secret.matches("not-the-secret", 1_500));
        assert_ne!(secret.hash, value.as_bytes());
    }

    #[test]
    fn the_matching_secret_is_found_among_several() {
        let (_, a) = ClientSecret::generate("a", 0, None);
        let (value_b, b) = ClientSecret::generate("b", 0, None);
        let secrets = [a, b];
        let found = find_matching_secret(&secrets, &value_b, 10).map(|s| s.name.as_str());
        assert_eq!(found, Some("b"));
        assert!(find_matching_secret(&secrets, "nope", 10).is_none());
    }
}
