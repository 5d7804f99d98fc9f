//! Admin operations, shared by the command line, the management API and the console. Each
//! takes validated-on-entry input types (the API's JSON shapes), applies the rules of
//! `latchkey_core::registration`, writes through the store, and records an audit entry.

pub mod application_json;
pub mod applications;
pub mod assignments;
pub mod bootstrap;
pub mod dynamic_clients;
pub mod email;
mod error;
pub mod grants;
pub mod keys;
pub mod mfa;
pub mod organization_consent;
pub mod organization_invitations;
mod organization_json;
pub mod organization_members;
pub mod organization_template;
pub mod organizations;
pub mod protected_resource;
pub mod resources;
pub mod roles;
pub mod secrets;
pub mod third_party;
mod user_fields;
pub mod users;

pub use error::Error;
use serde::{Deserialize, Deserializer};

/// Who performs an operation, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: &'static str,
    pub id: String,
}

impl Actor {
    pub fn application(id: String) -> Self {
        Self {
            kind: "application",
            id,
        }
    }

    /// A signed-in person acting on their own account.
    pub fn user(id: &str) -> Self {
        Self {
            kind: "user",
            id: id.to_owned(),
        }
    }

    /// Someone not yet identified, known only by their address.
    pub fn address(address: crate::throttle::ClientAddress) -> Self {
        Self {
            kind: "address",
            id: address
                .0
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        }
    }

    /// An operator at the command line of this machine.
    pub fn command_line() -> Self {
        Self {
            kind: "command_line",
            id: "latchkey".into(),
        }
    }
}

/// For PATCH bodies: a field absent (`None`), explicitly `null` (`Some(None)`), or set.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
