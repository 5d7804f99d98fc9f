//! Clients that register themselves (AI agents, MCP clients): through a metadata document at
//! their client ID (CIMD) or dynamic registration (RFC 7591). What the administrator's policy
//! says for each kind, what an administrator decided about one client, and from both whether
//! that client may be authorized now.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::claims::CONSENT_USER_SCOPES;
use crate::lifetimes::CIMD_KEEP_MAX_SECS;
use crate::{ErrorCode, OAuthError};

/// How a client registered itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    Cimd,
    Dcr,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cimd => "cimd",
            Self::Dcr => "dcr",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Cimd, Self::Dcr]
            .into_iter()
            .find(|r| r.as_str() == value)
    }
}

/// An administrator's decision about one client; none until one is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Approved,
    Blocked,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Approved, Self::Blocked]
            .into_iter()
            .find(|a| a.as_str() == value)
    }
}

/// What an application that registered itself carries beyond the common fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dynamic {
    pub registration: Registration,
    pub approval: Option<Approval>,
    /// The policy's ceiling applies, until an administrator gives the client its own.
    pub policy_ceiling: bool,
    /// CIMD: when the document was read, and until when that copy is fresh (ms).
    pub fetched_at: Option<i64>,
    pub fresh_until: Option<i64>,
    /// When the client first completed an authorization (clients that never do are reaped).
    pub authorized_at: Option<i64>,
}

impl Dynamic {
    /// A CIMD client's copy of its document must be read again.
    pub fn is_stale(&self, now_ms: i64) -> bool {
        self.registration == Registration::Cimd && self.fresh_until.is_none_or(|t| t <= now_ms)
    }

    /// A stale copy whose refresh failed may still serve until the longest a copy is ever
    /// kept has passed since it was read.
    pub fn may_serve_stale(&self, now_ms: i64) -> bool {
        self.fetched_at
            .is_some_and(|at| now_ms < at + CIMD_KEEP_MAX_SECS * 1000)
    }
}

/// The grant types a self-registered client lists, kept among those Latchkey offers it
/// (the code, refresh and device grants; others, such as `jwt-bearer`, are dropped rather
/// than refused); none listed means the code grant. `None` when the code grant is not among them:
/// it is the only way such a client signs users in.
pub fn grant_types(listed: Option<Vec<String>>) -> Option<Vec<String>> {
    const OFFERED: [&str; 3] = [
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ];
    let kept: Vec<String> = match listed {
        Some(types) => types
            .into_iter()
            .filter(|t| OFFERED.contains(&t.as_str()))
            .collect(),
        None => vec!["authorization_code".to_owned()],
    };
    kept.iter()
        .any(|t| t == "authorization_code")
        .then_some(kept)
}

/// What a kind of self-registered client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Not accepted at all.
    Off,
    /// An unknown client waits until an administrator approves it.
    Approval,
    /// The user's consent is enough.
    Open,
}

/// The administrator's policy for self-registered clients (`/api/configs/dynamic-clients`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub cimd: CimdPolicy,
    pub dcr: DcrPolicy,
    pub ceiling: Ceiling,
    /// Self-registered clients that list the device grant (RFC 8628) in their `grant_types`
    /// may use it: an agent on a server with no browser. Off unless an administrator allows it.
    #[serde(default)]
    pub device_flow: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CimdPolicy {
    pub mode: Mode,
    /// Hosts whose clients are shown as verified (`claude.ai`): a document served there is
    /// that host's word.
    #[serde(default)]
    pub trusted_hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DcrPolicy {
    pub mode: Mode,
    /// Registration needs an initial access token (RFC 7591 §3).
    #[serde(default)]
    pub initial_access_token_required: bool,
}

/// The most any self-registered client may be granted, unless given its own ceiling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ceiling {
    /// User-data scopes (`profile`, `email`, ...).
    #[serde(default)]
    pub user_scopes: Vec<String>,
    /// Ids of API scopes.
    #[serde(default)]
    pub resource_scopes: Vec<String>,
}

impl Default for Policy {
    /// Documents are public and name their host, so consent is enough; a registration says
    /// nothing verifiable, so it waits for an administrator. Nothing is granted beyond
    /// `offline_access` until a ceiling is set.
    fn default() -> Self {
        Self {
            cimd: CimdPolicy {
                mode: Mode::Open,
                trusted_hosts: Vec::new(),
            },
            dcr: DcrPolicy {
                mode: Mode::Approval,
                initial_access_token_required: false,
            },
            ceiling: Ceiling::default(),
            device_flow: false,
        }
    }
}

/// Where a self-registered client stands for a new authorization or token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Allowed,
    /// Waits for an administrator's approval.
    Pending,
    Blocked,
    /// Its kind is turned off.
    Off,
}

impl Policy {
    pub fn mode(&self, registration: Registration) -> Mode {
        match registration {
            Registration::Cimd => self.cimd.mode,
            Registration::Dcr => self.dcr.mode,
        }
    }

    /// Where `dynamic` stands under this policy: a block always wins, a kind turned off
    /// stops its clients, an approval lets a client through in `approval` mode.
    pub fn standing(&self, dynamic: &Dynamic) -> Standing {
        match (self.mode(dynamic.registration), dynamic.approval) {
            (_, Some(Approval::Blocked)) => Standing::Blocked,
            (Mode::Off, _) => Standing::Off,
            (Mode::Open, _) | (Mode::Approval, Some(Approval::Approved)) => Standing::Allowed,
            (Mode::Approval, None) => Standing::Pending,
        }
    }

    /// Whether a CIMD client's ID is served by a trusted host (exactly that host).
    pub fn is_trusted(&self, client_id: &str) -> bool {
        let host = Url::parse(client_id)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        host.is_some_and(|host| self.cimd.trusted_hosts.contains(&host))
    }

    /// The policy as it may be stored: trusted hosts are bare host names (lower-cased), the
    /// ceiling's user scopes are data scopes Latchkey knows.
    pub fn checked(mut self) -> Result<Self, OAuthError> {
        for host in &mut self.cimd.trusted_hosts {
            let valid = Url::parse(&format!("https://{host}/"))
                .is_ok_and(|u| u.host_str() == Some(host.to_ascii_lowercase().as_str()));
            if !valid {
                return Err(OAuthError::new(
                    ErrorCode::InvalidRequest,
                    format!("cimd.trustedHosts: '{host}' is not a host name"),
                ));
            }
            *host = host.to_ascii_lowercase();
        }
        if let Some(unknown) = self
            .ceiling
            .user_scopes
            .iter()
            .find(|s| !CONSENT_USER_SCOPES.contains(&s.as_str()))
        {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                format!("ceiling.userScopes: '{unknown}' is not a user-data scope"),
            ));
        }
        Ok(self)
    }
}

/// Why a client that is not [`Standing::Allowed`] is refused, as the client hears it.
pub fn refusal(standing: Standing) -> Option<OAuthError> {
    let why = match standing {
        Standing::Allowed => return None,
        Standing::Pending => "this application is waiting for an administrator's approval",
        Standing::Blocked => "this application has been blocked by an administrator",
        Standing::Off => "self-registered applications are not accepted here",
    };
    Some(match standing {
        Standing::Pending => OAuthError::new(ErrorCode::AccessDenied, why),
        _ => OAuthError::new(ErrorCode::InvalidClient, why),
    })
}

/// The token settings of a self-registered client that lists `grant_types`: the device grant
/// where it asked for it (the policy still decides at each use).
pub fn settings(grant_types: &[String]) -> crate::client::TokenSettings {
    crate::client::TokenSettings {
        device_flow: grant_types
            .iter()
            .any(|t| t == crate::client::GrantType::DeviceCode.as_str()),
        ..Default::default()
    }
}

#[cfg(test)]
#[path = "dynamic_tests.rs"]
mod tests;
