//! The signing keys this node holds: loaded from the store, created on first start, and
//! refreshed in the background so that a rotation made elsewhere (the CLI, another node)
//! is published here within [`REFRESH_INTERVAL`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use latchkey_core::jwt::{Algorithm, PublicKey, Signer};
use latchkey_core::keys::{self, KeyEncryption, KeyState, SigningKey};
use latchkey_store::Db;

use crate::error::Error;

/// How stale a node's view of the keys may be. A rotation promotes the `next` key, which
/// every node has published since the previous rotation; as long as rotations are further
/// apart than this, no node signs with a key that another node does not publish.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(5);

/// How long relying parties may keep the JWKS: its `Cache-Control`, and in seconds.
pub const JWKS_CACHE_CONTROL: &str = "max-age=60";
pub const JWKS_MAX_AGE_SECS: u64 = 60;

/// How long a newly published `next` key waits before a rotation may make it sign: by then
/// every node has refreshed its keys and every relying party's cached JWKS has expired.
pub const PUBLISH_LEAD_MS: i64 = (REFRESH_INTERVAL.as_secs() + JWKS_MAX_AGE_SECS) as i64 * 1000;

const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Where an RSA signature (a few hundred microseconds of arithmetic) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaOn {
    /// The calling task's thread: the request waits on nothing but the signature, and
    /// handing it to another thread and back only adds two thread switches (client
    /// credentials).
    InPlace,
    /// The blocking pool: the request also waits on a commit, which the executor's threads
    /// keep moving meanwhile (a user's tokens, signed while their consumption commits).
    BlockingPool,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("signing key generation failed: {0}")]
    Generation(#[from] latchkey_core::jwt::JwtError),
    #[error(transparent)]
    Store(#[from] latchkey_store::Error),
    /// A rotation that would break verification of live tokens or sign with an unknown key.
    #[error("{0}")]
    Refused(latchkey_core::rotation::Refusal),
    /// Another rotation committed between the check and this one.
    #[error(
        "another rotation of the signing keys ran at the same time; list the keys and try again"
    )]
    Concurrent,
}

/// One consistent view of the keys.
#[derive(Debug)]
pub struct KeySet {
    entries: Vec<(SigningKey, Signer, PublicKey)>,
    jwks: Bytes,
}

impl KeySet {
    fn build(
        stored: Vec<SigningKey>,
        encryption: Option<&KeyEncryption>,
    ) -> Result<Self, KeyringError> {
        let mut entries = Vec::with_capacity(stored.len());
        for key in stored {
            let signer = keys::signer(&key, encryption)?;
            let public = signer.public_key();
            entries.push((key, signer, public));
        }
        let jwks: Vec<serde_json::Value> = entries
            .iter()
            .map(|(key, _, public)| keys::public_jwk(&key.kid, public))
            .collect();
        let jwks = Bytes::from(serde_json::json!({ "keys": jwks }).to_string());
        Ok(Self { entries, jwks })
    }

    /// The key that signs for `algorithm`.
    pub fn current(&self, algorithm: Algorithm) -> Option<&Signer> {
        self.entries
            .iter()
            .find(|(k, _, _)| k.algorithm == algorithm && k.state == KeyState::Current)
            .map(|(_, signer, _)| signer)
    }

    /// A JWT of type `typ` signed with the current key for `algorithm`; an RSA signature
    /// where `rsa_on` says (ES256 is fast enough to sign in place).
    pub async fn sign<C>(
        self: Arc<Self>,
        algorithm: Algorithm,
        typ: &'static str,
        claims: C,
        rsa_on: RsaOn,
    ) -> Result<String, Error>
    where
        C: serde::Serialize + Send + 'static,
    {
        let sign = move || {
            let signer = self
                .current(algorithm)
                .ok_or_else(|| Error::Internal(format!("no current {algorithm:?} key")))?;
            signer
                .sign(typ, &claims)
                .map_err(|e| Error::Internal(format!("signing failed: {e}")))
        };
        match (algorithm, rsa_on) {
            (Algorithm::ES256, _) | (Algorithm::RS256, RsaOn::InPlace) => sign(),
            (Algorithm::RS256, RsaOn::BlockingPool) => tokio::task::spawn_blocking(sign)
                .await
                .map_err(|e| Error::Internal(format!("signing failed: {e}")))?,
        }
    }

    /// `{"keys": [...]}` with the public part of every published key.
    pub fn jwks(&self) -> Bytes {
        self.jwks.clone()
    }

    /// Every published key, for verifying tokens this server issued.
    pub fn public_keys(&self) -> impl Iterator<Item = (&str, &PublicKey)> {
        self.entries
            .iter()
            .map(|(k, _, public)| (k.kid.as_str(), public))
    }

    pub fn stored(&self) -> impl Iterator<Item = &SigningKey> {
        self.entries.iter().map(|(k, _, _)| k)
    }

    fn same_as(&self, stored: &[SigningKey]) -> bool {
        self.entries.len() == stored.len()
            && self
                .entries
                .iter()
                .zip(stored)
                .all(|((a, _, _), b)| a.kid == b.kid && a.state == b.state)
    }
}

#[derive(Debug, Clone)]
pub struct Keyring {
    db: Db,
    encryption: Option<Arc<KeyEncryption>>,
    current: Arc<RwLock<Arc<KeySet>>>,
}

impl Keyring {
    /// Load the keys, creating whatever is missing and sealing any key kept in clear when an
    /// encryption secret is configured.
    pub async fn open(db: Db, secret: Option<&[u8]>, now_ms: i64) -> Result<Self, KeyringError> {
        let encryption = secret
            .map(KeyEncryption::from_secret)
            .transpose()?
            .map(Arc::new);
        ensure(&db, encryption.as_deref(), now_ms).await?;
        let set = KeySet::build(db.find_signing_keys().await?, encryption.as_deref())?;
        Ok(Self {
            db,
            encryption,
            current: Arc::new(RwLock::new(Arc::new(set))),
        })
    }

    pub fn get(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-read the keys; rebuild only when a kid or a state changed.
    pub async fn refresh(&self) -> Result<(), KeyringError> {
        let stored = self.db.find_signing_keys().await?;
        if self.get().same_as(&stored) {
            return Ok(());
        }
        let set = Arc::new(KeySet::build(stored, self.encryption.as_deref())?);
        match self.current.write() {
            Ok(mut guard) => *guard = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        tracing::info!("signing keys reloaded");
        Ok(())
    }

    /// Refresh every [`REFRESH_INTERVAL`] until the process ends.
    pub fn spawn_refresh(&self) {
        let keyring = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_INTERVAL);
            loop {
                tick.tick().await;
                if let Err(e) = keyring.refresh().await {
                    tracing::warn!(error = %e, "could not refresh signing keys");
                }
            }
        });
    }

    pub fn encryption(&self) -> Option<&KeyEncryption> {
        self.encryption.as_deref()
    }
}

/// Make sure each algorithm has a current and a next key, and that keys are sealed when a
/// secret is configured. Safe when several processes start at once: the store admits one
/// key per algorithm and state, and the losers of that race simply use the winner's.
pub async fn ensure(
    db: &Db,
    encryption: Option<&KeyEncryption>,
    now_ms: i64,
) -> Result<(), KeyringError> {
    let stored = db.find_signing_keys().await?;
    for algorithm in ALGORITHMS {
        for state in [KeyState::Current, KeyState::Next] {
            if stored
                .iter()
                .any(|k| k.algorithm == algorithm && k.state == state)
            {
                continue;
            }
            let key = keys::generate(algorithm, state, encryption, now_ms)?;
            match db.insert_signing_key(&key).await {
                Ok(()) => {
                    tracing::info!(kid = %key.kid, algorithm = algorithm.as_str(), state = state.as_str(), "signing key created")
                }
                Err(latchkey_store::Error::Conflict) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    if let Some(enc) = encryption {
        for key in stored.iter().filter(|k| !k.encrypted) {
            let sealed = enc.seal(&key.kid, &key.private_key)?;
            db.update_signing_key_material(&key.kid, &sealed, true)
                .await?;
            tracing::info!(kid = %key.kid, "signing key sealed with the configured secret");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The lead a rotation waits for counts on the JWKS's cache age.
    #[test]
    fn the_publish_lead_covers_the_jwks_cache_age() {
        let header = super::JWKS_CACHE_CONTROL;
        assert_eq!(header, format!("max-age={}", super::JWKS_MAX_AGE_SECS));
        assert_eq!(super::PUBLISH_LEAD_MS, 65_000);
    }
}
