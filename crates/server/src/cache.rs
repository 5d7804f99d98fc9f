//! In-memory copies of what every token request reads and administrators rarely change: a
//! client with its secrets, what a machine may ask of an API, the dynamic-client policy
//! (decisions 0009 and 0019), on SQLite and PostgreSQL alike.
//!
//! A copy is used only while the database's cache generation (moved by triggers on every
//! change, migration 0011) is the one this node last saw, and only while polls succeed: a poll
//! that fails, or does not answer within [`TRUSTED_FOR`], drops every copy, so a node whose
//! database stops answering refuses what needs it within that. The node
//! polls the generation every [`POLL_INTERVAL`], and drops everything at once after a change
//! made through its own management API or console, so a change is seen immediately by the
//! node that made it and within the poll interval by the others. The same poll tells whether
//! any brute-force counter is live; while none is, client authentication skips reading them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use latchkey_core::client::{Application, ClientSecret};
use latchkey_core::dynamic::Policy;
use latchkey_core::resource::Resource;
use latchkey_core::scope::Scopes;
use latchkey_store::Db;

use crate::app::Clock;

pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long a poll may take before its silence counts as a failure: three polls.
pub const TRUSTED_FOR: Duration = Duration::from_millis(750);

/// More entries than this and the map starts over (ids that do not exist are never kept).
const MAX_ENTRIES: usize = 10_000;

/// Where the dynamic-client policy is kept among the run-time settings.
pub const POLICY_KEY: &str = "dynamic-clients";

/// A client and its secrets.
#[derive(Debug)]
pub struct ClientEntry {
    pub application: Application,
    pub secrets: Vec<ClientSecret>,
}

/// An API, its scopes, and those the machine's roles allow.
#[derive(Debug)]
pub struct ApiEntry {
    pub resource: Resource,
    pub defined: Scopes,
    pub allowed: Scopes,
}

type Map<K, V> = RwLock<HashMap<K, Arc<V>>>;

#[derive(Debug)]
pub struct Cache {
    /// The database's generation last seen; negative until a poll succeeds (nothing kept).
    seen: AtomicI64,
    /// Moves at every local invalidation, so that a copy read across one is not kept.
    epoch: AtomicU64,
    /// Whether a brute-force counter may be live (true until the first poll says otherwise).
    throttles: AtomicBool,
    clients: Map<String, ClientEntry>,
    apis: Map<(String, String), ApiEntry>,
    /// The dynamic-client policy; also kept after a failed read, for the metadata.
    policy: RwLock<Option<(u64, Arc<Policy>)>>,
    /// When this node last started recording each (client, secret)'s last use.
    touches: std::sync::Mutex<HashMap<(String, String), i64>>,
}

fn get<K, V, Q>(map: &Map<K, V>, key: &Q) -> Option<Arc<V>>
where
    K: Eq + std::hash::Hash + std::borrow::Borrow<Q>,
    Q: Eq + std::hash::Hash + ?Sized,
{
    map.read().ok()?.get(key).cloned()
}

fn put<K: Eq + std::hash::Hash, V>(map: &Map<K, V>, key: K, value: Arc<V>) {
    if let Ok(mut map) = map.write() {
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
    }
}

fn clear<K, V>(map: &Map<K, V>) {
    if let Ok(mut map) = map.write() {
        map.clear();
    }
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            seen: AtomicI64::new(-1),
            epoch: AtomicU64::new(0),
            throttles: AtomicBool::new(true),
            clients: Map::default(),
            apis: Map::default(),
            policy: RwLock::default(),
            touches: std::sync::Mutex::default(),
        }
    }
}

impl Cache {
    /// The client `id` and its secrets; None when no such application exists.
    pub async fn client(
        &self,
        db: &Db,
        id: &str,
    ) -> Result<Option<Arc<ClientEntry>>, latchkey_store::Error> {
        if self.trusted()
            && let Some(entry) = get(&self.clients, id)
        {
            return Ok(Some(entry));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(application) = db.find_application(id).await? else {
            return Ok(None);
        };
        let secrets = match application.app_type.is_confidential() {
            true => db.find_secrets(&application.id).await?,
            false => Vec::new(),
        };
        let entry = Arc::new(ClientEntry {
            application,
            secrets,
        });
        self.keep(epoch, &self.clients, id.to_owned(), entry.clone());
        Ok(Some(entry))
    }

    /// Whether this request should record the secret's last use: true for the first one
    /// in `resolution_ms`, so that concurrent requests that all see the old time write once.
    pub fn claim_touch(&self, client: &str, secret: &str, now_ms: i64, resolution_ms: i64) -> bool {
        let Ok(mut touches) = self.touches.lock() else {
            return true;
        };
        let key = (client.to_owned(), secret.to_owned());
        if touches
            .get(&key)
            .is_some_and(|at| now_ms - at < resolution_ms)
        {
            return false;
        }
        if touches.len() >= MAX_ENTRIES {
            touches.clear();
        }
        touches.insert(key, now_ms);
        true
    }

    /// Forget one client (its secrets' last use changed, which moves no generation).
    pub fn forget_client(&self, id: &str) {
        if let Ok(mut map) = self.clients.write() {
            map.remove(id);
        }
    }

    /// The API `indicator` and what `application_id` may ask of it; None for an unknown API.
    pub async fn api(
        &self,
        db: &Db,
        application_id: &str,
        indicator: &str,
    ) -> Result<Option<Arc<ApiEntry>>, latchkey_store::Error> {
        let key = (application_id.to_owned(), indicator.to_owned());
        if self.trusted()
            && let Some(entry) = get(&self.apis, &key)
        {
            return Ok(Some(entry));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(resource) = db.find_resource_named(indicator).await? else {
            return Ok(None);
        };
        let defined = db.find_scope_names(&resource.id).await?;
        let allowed = db
            .find_application_scope_names(application_id, &resource.id)
            .await?;
        let entry = Arc::new(ApiEntry {
            resource,
            defined,
            allowed,
        });
        self.keep(epoch, &self.apis, key, entry.clone());
        Ok(Some(entry))
    }

    /// The administrator's policy for self-registered clients (the default until one is set).
    pub async fn policy(&self, db: &Db) -> Result<Arc<Policy>, latchkey_store::Error> {
        let epoch = self.epoch.load(Ordering::Acquire);
        if let Ok(kept) = self.policy.read()
            && let Some((at, policy)) = kept.as_ref()
            && *at == epoch
            && self.trusted()
        {
            return Ok(policy.clone());
        }
        let policy = Arc::new(match db.find_config(POLICY_KEY).await? {
            None => Policy::default(),
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                latchkey_store::Error::Corrupt(format!("the dynamic-client policy: {e}"))
            })?,
        });
        if let Ok(mut kept) = self.policy.write() {
            *kept = Some((epoch, policy.clone()));
        }
        Ok(policy)
    }

    /// The policy last read, however old; the default if it never was. For answers that
    /// must not fail (provider metadata).
    pub fn last_policy(&self) -> Arc<Policy> {
        match self.policy.read().ok().and_then(|kept| kept.clone()) {
            Some((_, policy)) => policy,
            None => Arc::new(Policy::default()),
        }
    }

    /// Whether copies may be used: the last poll succeeded.
    fn trusted(&self) -> bool {
        self.seen.load(Ordering::Acquire) >= 0
    }

    /// Keep what was read only if no change was noticed while it was read.
    fn keep<K: Eq + std::hash::Hash, V>(&self, epoch: u64, map: &Map<K, V>, key: K, value: Arc<V>) {
        if self.epoch.load(Ordering::Acquire) == epoch && self.seen.load(Ordering::Acquire) >= 0 {
            put(map, key, value);
        }
    }

    /// Forget everything: something changed.
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        clear(&self.clients);
        clear(&self.apis);
    }

    /// Whether a brute-force counter may be live.
    pub fn may_throttle(&self) -> bool {
        self.throttles.load(Ordering::Acquire)
    }

    /// A failure was just counted here.
    pub fn throttled(&self) {
        self.throttles.store(true, Ordering::Release);
    }

    /// Read the generation and the throttle counters once.
    pub async fn poll(&self, db: &Db, now_ms: i64) -> Result<(), latchkey_store::Error> {
        let (generation, live) = db.cache_state(now_ms).await?;
        // A failure counted locally during the poll keeps the flag up until the next poll.
        if !live {
            self.throttles.store(false, Ordering::Release);
        } else {
            self.throttled();
        }
        if generation != self.seen.load(Ordering::Acquire) {
            self.invalidate();
            self.seen.store(generation, Ordering::Release);
        }
        Ok(())
    }

    /// Poll every [`POLL_INTERVAL`] until the process ends; after a poll that failed or did
    /// not answer within [`TRUSTED_FOR`] nothing is trusted (a database that cannot be read
    /// cannot say that nothing changed).
    pub fn spawn_poll(self: &Arc<Self>, db: Db, clock: Clock) {
        let cache = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL_INTERVAL);
            loop {
                tick.tick().await;
                let polled = tokio::time::timeout(TRUSTED_FOR, cache.poll(&db, clock.now_ms()));
                let failed = match polled.await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some("no answer within the trusted window".to_owned()),
                };
                if let Some(e) = failed {
                    cache.seen.store(-1, Ordering::Release);
                    cache.invalidate();
                    cache.throttled();
                    tracing::warn!(error = %e, "could not read the cache generation");
                }
            }
        });
    }
}
