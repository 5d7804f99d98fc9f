//! Device authorizations (RFC 8628): written when a device asks, found by the user code a
//! person types, decided once (approved with the authorization code it issued, or denied),
//! and read by each poll, which also records when the device polled and at what interval.

use latchkey_core::device::{DeviceAuthorization, Status};

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

const COLUMNS: &str = "id, device_code_hash, user_code_hash, client_id, request, created_at, \
     expires_at, interval_secs, last_polled_at, status, code_hash";

impl Record for DeviceAuthorization {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let status: String = row.get("status")?;
        let code_hash: Option<String> = row.get("code_hash")?;
        let status = match (status.as_str(), code_hash) {
            ("pending", _) => Status::Pending,
            ("approved", Some(code_hash)) => Status::Approved { code_hash },
            ("denied", _) => Status::Denied,
            (other, _) => return Err(Error::Corrupt(format!("device status {other}"))),
        };
        Ok(DeviceAuthorization {
            id: row.get("id")?,
            device_code_hash: row.get("device_code_hash")?,
            user_code_hash: row.get("user_code_hash")?,
            client_id: row.get("client_id")?,
            request: row.get("request")?,
            created_at: row.get("created_at")?,
            expires_at: row.get("expires_at")?,
            interval_secs: row.get("interval_secs")?,
            last_polled_at: row.get("last_polled_at")?,
            status,
        })
    }
}

impl Db {
    /// Record a new device authorization. A user code already in use (one chance in about
    /// 2^34 per live code) is `Error::Conflict`: the caller draws another.
    pub async fn insert_device_authorization(&self, d: &DeviceAuthorization) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO device_authorizations (id, device_code_hash, user_code_hash, \
             client_id, request, created_at, expires_at, interval_secs) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                &d.id,
                &d.device_code_hash,
                &d.user_code_hash,
                &d.client_id,
                &d.request,
                d.created_at,
                d.expires_at,
                d.interval_secs
            ],
        );
        self.execute_one(insert).await.map(|_| ())
    }

    /// The live, undecided authorization a user code names.
    pub async fn find_device_by_user_code(
        &self,
        user_code_hash: &str,
        now_ms: i64,
    ) -> Result<Option<DeviceAuthorization>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM device_authorizations \
             WHERE user_code_hash = $1 AND status = 'pending' AND expires_at > $2"
        );
        self.fetch_optional(&sql, &args![user_code_hash, now_ms])
            .await
    }

    /// The authorization a device polls with, whatever its state.
    pub async fn find_device_by_device_code(
        &self,
        device_code_hash: &str,
    ) -> Result<Option<DeviceAuthorization>> {
        let sql =
            format!("SELECT {COLUMNS} FROM device_authorizations WHERE device_code_hash = $1");
        self.fetch_optional(&sql, &args![device_code_hash]).await
    }

    /// Remember this poll: when, and the interval the device must keep from now on.
    pub async fn record_device_poll(
        &self,
        id: &str,
        now_ms: i64,
        interval_secs: i64,
    ) -> Result<()> {
        let update = Statement::new(
            "UPDATE device_authorizations SET last_polled_at = $1, interval_secs = $2 WHERE id = $3",
            args![now_ms, interval_secs, id],
        );
        self.execute_one(update).await.map(|_| ())
    }

    /// The user said no. `false` if it was decided before (or has expired).
    pub async fn deny_device(&self, id: &str, now_ms: i64) -> Result<bool> {
        let update = Statement::new(
            "UPDATE device_authorizations SET status = 'denied', decided_at = $1 \
             WHERE id = $2 AND status = 'pending' AND expires_at > $1",
            args![now_ms, id],
        );
        Ok(self.execute_one(update).await? == 1)
    }
}

/// Consume interaction `interaction` (as `sessions::take_interaction` does) only while device
/// authorization `device` is still undecided and live: an approval that comes too late, or
/// after another decision, records nothing.
pub(crate) fn take_interaction_for_device(
    interaction: &str,
    device: &str,
    now_ms: i64,
) -> Statement {
    Statement::new(
        "UPDATE interactions SET consumed_at = $1 \
         WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1 AND EXISTS \
         (SELECT 1 FROM device_authorizations d \
          WHERE d.id = $3 AND d.status = 'pending' AND d.expires_at > $1)",
        args![now_ms, interaction, device],
    )
}

/// The approval of device authorization `id`, with the authorization code it issued: written
/// in the transaction that records the grant and the code, and only while undecided.
pub(crate) fn approve_device(id: &str, code_hash: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE device_authorizations SET status = 'approved', code_hash = $1, decided_at = $2 \
         WHERE id = $3 AND status = 'pending' AND expires_at > $2",
        args![code_hash, now_ms, id],
    )
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
