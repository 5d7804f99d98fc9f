//! The audit log's two writers. Rare events (sign-ins, management changes, replays) are
//! written at once ([`write_now`]), or inside the transaction of the change they record (an
//! [`entry`] handed to the store). Frequent ones (tokens issued and refreshed) are queued
//! ([`AuditWriter::queue`]): a background task writes them in batches gathered for 50 ms, one
//! transaction per batch, so a token request never waits on its audit row. Identical entries of
//! one batch (the same client issued the same kind of token, same scope) are one row with their
//! `count` and the time of the last (`lastAt`): a busy machine client otherwise wrote a row per
//! token, a fifth of the CPU at 27k tokens per second. If the queue is full the entry is
//! dropped and a warning is logged.

use std::time::Duration;

use latchkey_store::Db;
use latchkey_store::audit::AuditEntry;
use tokio::sync::mpsc;

use crate::app::AppState;
use crate::manage::Actor;

/// Write an entry now, and wait for it: for rare events, which must not be lost in a queue.
/// A failure is logged, never the caller's.
pub async fn write_now(
    state: &AppState,
    actor: &Actor,
    action: &str,
    target: (&'static str, &str),
    details: serde_json::Value,
) {
    let entry = entry(actor, action, target, details);
    if let Err(e) = state.db.insert_audit(&entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}

/// The entry [`write_now`] writes, for a change that records it in its own transaction.
pub fn entry(
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

/// Entries waiting to be written, at most.
const QUEUE: usize = 16_384;
/// Entries taken per batch, at most (before identical ones are merged).
const BATCH: usize = 4_096;
/// How long a batch gathers after its first entry. Waking the writer for every entry and
/// committing whatever had arrived meanwhile was hundreds of wake-ups and commits per second
/// at 25k tokens per second; now it is at most one of each per interval.
const LINGER: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<(AuditEntry, i64)>,
}

impl AuditWriter {
    /// Start the writer on the current runtime.
    pub fn start(db: Db) -> Self {
        let (queue, mut entries) = mpsc::channel::<(AuditEntry, i64)>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while entries.recv_many(&mut batch, BATCH).await > 0 {
                // While the writer sleeps it is not waiting on the queue, so senders wake
                // nothing.
                tokio::time::sleep(LINGER).await;
                while batch.len() < BATCH
                    && let Ok(entry) = entries.try_recv()
                {
                    batch.push(entry);
                }
                let batch = coalesce(std::mem::take(&mut batch));
                if let Err(e) = db.insert_audit_batch(&batch).await {
                    tracing::error!(error = %e, lost = batch.len(), "could not write audit entries");
                }
            }
        });
        Self { queue }
    }

    /// Queue an entry; never waits.
    pub fn queue(&self, entry: AuditEntry, now_ms: i64) {
        if self.queue.try_send((entry, now_ms)).is_err() {
            tracing::warn!("audit queue full or closed; an entry was dropped");
        }
    }
}

/// Merge identical entries: the first one's time, with `count` and `lastAt` when there were
/// several.
fn coalesce(batch: Vec<(AuditEntry, i64)>) -> Vec<(AuditEntry, i64)> {
    let mut merged: Vec<(AuditEntry, i64, u64, i64)> = Vec::new();
    for (entry, at) in batch {
        match merged.iter_mut().find(|(seen, ..)| *seen == entry) {
            Some((_, _, count, last)) => {
                *count += 1;
                *last = at;
            }
            None => merged.push((entry, at, 1, at)),
        }
    }
    merged
        .into_iter()
        .map(|(mut entry, at, count, last)| {
            if count > 1
                && let Some(details) = entry.details.as_object_mut()
            {
                details.insert("count".into(), count.into());
                details.insert("lastAt".into(), last.into());
            }
            (entry, at)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(client: &str) -> AuditEntry {
        AuditEntry {
            actor_type: "application",
            actor_id: Some(client.into()),
            action: "token.issue".into(),
            target_type: Some("application"),
            target_id: Some(client.into()),
            details: serde_json::json!({"grantType": "client_credentials", "scope": "read"}),
        }
    }

    #[test]
    fn identical_entries_become_one_with_their_count() {
        let batch = vec![
            (entry("a"), 1),
            (entry("b"), 2),
            (entry("a"), 3),
            (entry("a"), 4),
        ];
        let merged = coalesce(batch);
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].1, &merged[0].0.details["count"]), (1, &3.into()));
        assert_eq!(merged[0].0.details["lastAt"], 4);
        assert_eq!(merged[1].1, 2);
        assert!(
            merged[1].0.details.get("count").is_none(),
            "a single entry is unchanged"
        );
    }
}
