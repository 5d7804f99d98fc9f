//! The audit log's writer for frequent events (tokens issued and refreshed): entries queue in
//! memory and a background task writes them in batches, one transaction per batch, so a token
//! request never waits on its audit row. If the queue is full the entry is dropped and a
//! warning is logged; rare events (sign-ins, management changes, reuse) are written at once
//! by `manage::audit` instead.

use latchkey_store::Db;
use latchkey_store::audit::AuditEntry;
use tokio::sync::mpsc;

/// Entries waiting to be written, at most.
const QUEUE: usize = 16_384;
/// Entries written per transaction, at most.
const BATCH: usize = 512;

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
                if let Err(e) = db.insert_audit_batch(&batch).await {
                    tracing::error!(error = %e, lost = batch.len(), "could not write audit entries");
                }
                batch.clear();
            }
        });
        Self { queue }
    }

    /// Queue an entry; never waits.
    pub fn record(&self, entry: AuditEntry, now_ms: i64) {
        if self.queue.try_send((entry, now_ms)).is_err() {
            tracing::warn!("audit queue full or closed; an entry was dropped");
        }
    }
}
