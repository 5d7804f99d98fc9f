//! Signing-key operations: list, rotate and retire, published at once on this node.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{self, KeyEncryption, SigningKey};
use latchkey_core::rotation::{self, Cutoffs, Refusal};
use latchkey_store::Db;

use serde_json::json;

use super::Actor;
use super::Error;
use crate::app::AppState;
use crate::audit;
use crate::keyring::{KeyringError, PUBLISH_LEAD_MS, ensure};

/// The family of `algorithm` as Logto names it.
pub fn family(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::RS256 => "RSA",
        Algorithm::ES256 => "EC",
    }
}

/// Key families as Logto names them (`RSA`, `EC`), or by algorithm.
pub fn parse_family(value: &str) -> Option<Algorithm> {
    match value.to_ascii_uppercase().as_str() {
        "RSA" | "RS256" => Some(Algorithm::RS256),
        "EC" | "ES256" => Some(Algorithm::ES256),
        _ => None,
    }
}

/// One rotation step for each algorithm in `algorithms`: next becomes current (it has been
/// published since the previous rotation), current becomes previous (still published for
/// tokens it signed), the old previous is dropped, and a fresh next is published. Refused,
/// with nothing changed, while the previous key may still verify live tokens or the next one
/// was published too recently (`rotation`), unless `force`d.
pub async fn rotate(
    db: &Db,
    encryption: Option<&KeyEncryption>,
    algorithms: &[Algorithm],
    now_ms: i64,
    force: bool,
) -> Result<Vec<SigningKey>, KeyringError> {
    ensure(db, encryption, now_ms).await?;
    let cutoffs = cutoffs(now_ms, force);
    // Every family is checked before any moves, so that a refusal leaves all of them as
    // they were.
    let stored = db.find_signing_keys().await?;
    for &algorithm in algorithms {
        rotation::check(&stored, algorithm, now_ms, cutoffs).map_err(KeyringError::Refused)?;
    }
    for &algorithm in algorithms {
        let next = keys::generate(algorithm, keys::KeyState::Next, encryption, now_ms)?;
        match db
            .rotate_signing_keys(algorithm, &next, now_ms, cutoffs)
            .await
        {
            Err(latchkey_store::Error::Conflict) => return Err(KeyringError::Concurrent),
            other => other?,
        }
        tracing::info!(algorithm = algorithm.as_str(), new_next = %next.kid, force, "signing keys rotated");
    }
    Ok(db.find_signing_keys().await?)
}

/// A signing key as the API shows it: never private material.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub id: String,
    /// `RSA` or `EC`, as Logto names the families.
    pub signing_key_algorithm: &'static str,
    pub algorithm: &'static str,
    pub state: &'static str,
    pub created_at: i64,
    /// When a `previous` key stopped signing: it stays published for a day after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

impl From<&SigningKey> for KeyView {
    fn from(k: &SigningKey) -> Self {
        Self {
            id: k.kid.clone(),
            signing_key_algorithm: family(k.algorithm),
            algorithm: k.algorithm.as_str(),
            state: k.state.as_str(),
            created_at: k.created_at,
            retired_at: k.retired_at,
        }
    }
}

/// The rotation rules at `now_ms` for this server's publish lead, or none when forced.
fn cutoffs(now_ms: i64, force: bool) -> Cutoffs {
    match force {
        true => Cutoffs::forced(),
        false => Cutoffs::at(now_ms, PUBLISH_LEAD_MS),
    }
}

/// Why a rotation of `algorithm` would be refused now, if it would.
pub async fn refusal(state: &AppState, algorithm: Algorithm) -> Result<Option<Refusal>, Error> {
    let stored = state.db.find_signing_keys().await?;
    let now = state.clock.now_ms();
    Ok(rotation::check(&stored, algorithm, now, cutoffs(now, false)).err())
}

/// Rotate `algorithms` for an administrator: publish the result on this node at once (others
/// within their refresh interval) and audit it.
pub async fn rotate_now(
    state: &AppState,
    actor: &Actor,
    algorithms: &[Algorithm],
    force: bool,
) -> Result<Vec<KeyView>, Error> {
    let stored = rotate(
        &state.db,
        state.keys.encryption(),
        algorithms,
        state.clock.now_ms(),
        force,
    )
    .await?;
    state.keys.refresh().await?;
    let names: Vec<&str> = algorithms.iter().map(|a| a.as_str()).collect();
    audit::write_now(
        state,
        actor,
        "key.rotate",
        ("key", "signing"),
        json!({"algorithms": names, "forced": force}),
    )
    .await;
    Ok(stored.iter().map(KeyView::from).collect())
}

/// Only a `previous` key may be removed: the current and next keys are needed to sign.
pub async fn retire(state: &AppState, actor: &Actor, key_id: &str) -> Result<(), Error> {
    let stored = state.db.find_signing_keys().await?;
    let key = stored
        .iter()
        .find(|k| k.kid == key_id)
        .ok_or_else(|| Error::NotFound("signing key"))?;
    if key.state != latchkey_core::keys::KeyState::Previous {
        return Err(Error::invalid(
            "key.not_previous",
            "only a previous key can be deleted; rotate first",
        ));
    }
    state.db.delete_previous_signing_key(key_id).await?;
    state.keys.refresh().await?;
    audit::write_now(state, actor, "key.delete", ("key", key_id), json!({})).await;
    Ok(())
}
