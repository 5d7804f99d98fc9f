//! Admin operations, shared by the command line, the management API and the console. Each
//! takes validated-on-entry input types (the API's JSON shapes), applies the rules of
//! `latchkey_core::registration`, writes through the store, and records an audit entry.

mod application_json;
pub mod applications;
pub mod assignments;
pub mod bootstrap;
mod error;
pub mod grants;
pub mod keys;
pub mod resources;
pub mod roles;
pub mod secrets;
pub mod third_party;
mod user_fields;
pub mod users;

pub use error::Error;
use latchkey_store::audit::AuditEntry;
use serde::{Deserialize, Deserializer};

use crate::app::AppState;

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

/// Record a mutation. The audit log never holds secrets: callers pass ids and names only.
/// A failure to write it is logged, not hidden, and does not undo the change already made.
pub async fn audit(
    state: &AppState,
    actor: &Actor,
    action: &str,
    target: (&'static str, &str),
    details: serde_json::Value,
) {
    let entry = audit_entry(actor, action, target, details);
    if let Err(e) = state.db.insert_audit(&entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}

/// The entry [`audit`] writes, for a write that records it in its own transaction instead.
pub fn audit_entry(
    actor: &Actor,
    action: &str,
    target: (&'static str, &str),
    details: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor_type: actor.kind,
        actor_id: Some(actor.id.clone()),
        action: action.to_owned(),
        target_type: Some(target.0),
        target_id: Some(target.1.to_owned()),
        details,
    }
}

/// For PATCH bodies: a field absent (`None`), explicitly `null` (`Some(None)`), or set.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
