//! Mail waiting to be sent: queued in the transaction of the action that causes it, leased
//! by one node's worker at a time, then marked sent, retried later, or failed. What a message
//! carries beyond its template (`payload`) is emptied once it is sent or given up.

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Result};

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: String,
    /// Which message (`verify_email`, `recovery`, ...): the worker renders it from this.
    pub kind: String,
    pub recipient: String,
    /// The account it concerns, when there is one (for the console's list of failures).
    pub user_id: Option<String>,
    /// The language to write it in (`en`, `fr`).
    pub locale: String,
    /// The message's own values (a code, a link), sealed or plain as the server chose.
    pub payload: String,
    pub created_at: i64,
}

/// A queued message, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    pub mail: Mail,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Deliveries tried so far, this one included once leased.
    pub attempts: i64,
    pub last_error: Option<String>,
    pub finished_at: Option<i64>,
    /// Until when the node that leased it alone may send it (0 when nobody holds it): the
    /// marks below change the row only while that lease stands.
    pub lease_until: i64,
}

const COLUMNS: &str = "id, kind, recipient, user_id, locale, payload, created_at, status, \
     attempts, last_error, finished_at, lease_until";

impl Record for MailRecord {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(MailRecord {
            mail: Mail {
                id: row.get("id")?,
                kind: row.get("kind")?,
                recipient: row.get("recipient")?,
                user_id: row.get("user_id")?,
                locale: row.get("locale")?,
                payload: row.get("payload")?,
                created_at: row.get("created_at")?,
            },
            status: row.get("status")?,
            attempts: row.get("attempts")?,
            last_error: row.get("last_error")?,
            finished_at: row.get("finished_at")?,
            lease_until: row.get("lease_until")?,
        })
    }
}

/// The row that queues `mail`, for the transaction of the action that causes it.
pub(crate) fn insert(mail: &Mail) -> Statement {
    Statement::new(
        "INSERT INTO outbox (id, kind, recipient, user_id, locale, payload, next_attempt_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        args![
            &mail.id,
            &mail.kind,
            &mail.recipient,
            &mail.user_id,
            &mail.locale,
            &mail.payload,
            mail.created_at
        ],
    )
}

/// Leases up to `$3` due messages until `$2`: the outer conditions are checked again on the
/// row a concurrent lease may have just changed (PostgreSQL re-reads it), so two nodes
/// never lease one message.
const LEASE: &str = "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1 \
       AND lease_until <= $1 ORDER BY next_attempt_at LIMIT $3) \
     AND status = 'queued' AND lease_until <= $1 \
     RETURNING id, kind, recipient, user_id, locale, payload, created_at, status, attempts, \
       last_error, finished_at, lease_until";

impl Db {
    /// Queue `mails` on their own (the action that causes them writes nothing else).
    pub async fn queue_mail(&self, mails: &[Mail]) -> Result<()> {
        self.execute(mails.iter().map(insert).collect()).await?;
        Ok(())
    }

    /// Lease up to `limit` messages due at `now_ms` until `lease_until`: only this caller
    /// sends them, unless it fails to report back before the lease ends.
    pub async fn lease_mail(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<MailRecord>> {
        transaction!(self, |tx| {
            tx.fetch_all::<MailRecord>(LEASE, &args![now_ms, lease_until, limit])
                .await
        })
    }

    /// Delivered: done, and what it carried is forgotten. Like the two marks below, it
    /// changes the row only under the lease `(id, lease_until)` names: a node whose lease ran
    /// out (and was taken over) records nothing.
    pub async fn mark_mail_sent(&self, (id, lease): (&str, i64), now_ms: i64) -> Result<()> {
        let update = Statement::new(
            "UPDATE outbox SET status = 'sent', payload = '', finished_at = $1, \
             last_error = NULL, lease_until = 0 WHERE id = $2 AND status = 'queued' \
             AND lease_until = $3",
            args![now_ms, id, lease],
        );
        self.execute_one(update).await.map(|_| ())
    }

    /// Not delivered this time: try again at `at`.
    pub async fn mark_mail_retry(
        &self,
        (id, lease): (&str, i64),
        at: i64,
        error: &str,
    ) -> Result<()> {
        let update = Statement::new(
            "UPDATE outbox SET next_attempt_at = $1, last_error = $2, lease_until = 0 \
             WHERE id = $3 AND status = 'queued' AND lease_until = $4",
            args![at, error, id, lease],
        );
        self.execute_one(update).await.map(|_| ())
    }

    /// Given up: shown to administrators, and what it carried is forgotten.
    pub async fn mark_mail_failed(
        &self,
        (id, lease): (&str, i64),
        now_ms: i64,
        error: &str,
    ) -> Result<()> {
        let update = Statement::new(
            "UPDATE outbox SET status = 'failed', payload = '', finished_at = $1, \
             last_error = $2, lease_until = 0 WHERE id = $3 AND status = 'queued' \
             AND lease_until = $4",
            args![now_ms, error, id, lease],
        );
        self.execute_one(update).await.map(|_| ())
    }

    /// The messages about `user_id` (all of them when `None`) that could not be delivered,
    /// newest first.
    pub async fn find_failed_mail(
        &self,
        user_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MailRecord>> {
        let order = "ORDER BY finished_at DESC";
        match user_id {
            Some(user_id) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM outbox WHERE status = 'failed' AND user_id = $1 \
                     {order} LIMIT $2"
                );
                self.fetch_all(&sql, &args![user_id, limit]).await
            }
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM outbox WHERE status = 'failed' {order} LIMIT $1"
                );
                self.fetch_all(&sql, &args![limit]).await
            }
        }
    }

    /// Every message, newest first (tests, and the worker's own checks).
    pub async fn find_mail(&self, limit: i64) -> Result<Vec<MailRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC LIMIT $1");
        self.fetch_all(&sql, &args![limit]).await
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
