//! The outbox's delivery: every node runs a worker that leases due messages (so that no two
//! nodes send one), renders each, hands it to the SMTP server, and marks it sent, to retry
//! (`core::email::retry_at`) or failed. A mail server that is down delays mail and loses
//! none: the message stays queued until it answers or a day has passed.

use std::sync::Arc;
use std::time::Duration;

use latchkey_store::outbox::MailRecord;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Notify;

use super::message::{Sender, render};
use super::{Kind, open};
use crate::app::AppState;
use crate::config::mail::{MailConfig, Security};
use crate::i18n::Locale;

/// How long a node holds a message it is sending before another may take it over: longer
/// than the longest SMTP conversation (a few steps of at most `SMTP_TIMEOUT` each).
const LEASE_MS: i64 = 5 * 60 * 1000;
/// Messages leased at a time: one, so that no message waits, leased, behind another's slow
/// delivery until its lease runs out.
const BATCH: i64 = 1;
/// How often a node looks for mail queued by others (or due again).
const POLL: Duration = Duration::from_secs(2);
/// How long one conversation with the SMTP server may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// A node's outbox: the SMTP transport (none when mail is off) and the bell that wakes the
/// worker when this node queues something.
#[derive(Default)]
pub struct Outbox {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    bell: Notify,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("enabled", &self.transport.is_some())
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// The outbox `mail` describes; an error names what is wrong with it.
    pub fn new(mail: Option<&MailConfig>) -> anyhow::Result<Self> {
        let Some(mail) = mail else {
            return Ok(Self::default());
        };
        let tls = || -> anyhow::Result<TlsParameters> {
            let mut builder = TlsParameters::builder(mail.host.clone());
            if let Some(pem) = &mail.roots_pem {
                builder = builder.add_root_certificate(Certificate::from_pem(pem)?);
            }
            Ok(builder.build_rustls()?)
        };
        let tls = match mail.security {
            Security::StartTls => Tls::Required(tls()?),
            Security::Implicit => Tls::Wrapper(tls()?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&mail.host)
            .port(mail.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &mail.username {
            let password = mail.password.clone().unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: Some(builder.build()),
            bell: Notify::new(),
        })
    }

    pub fn wake(&self) {
        self.bell.notify_one();
    }
}

/// Start this node's worker, when mail is on.
pub fn spawn(state: AppState) {
    if state.outbox.transport.is_none() {
        return;
    }
    tokio::spawn(async move {
        loop {
            let full = deliver_due(&state).await;
            if !full {
                let outbox = Arc::clone(&state.outbox);
                let _ = tokio::time::timeout(POLL, outbox.bell.notified()).await;
            }
        }
    });
}

/// Lease the messages due now and deliver each; whether the batch was full (more may wait).
async fn deliver_due(state: &AppState) -> bool {
    let now = state.clock.now_ms();
    let leased = match state.db.lease_mail(now, now + LEASE_MS, BATCH).await {
        Ok(leased) => leased,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the outbox");
            return false;
        }
    };
    let full = leased.len() as i64 == BATCH;
    for record in leased {
        deliver(state, record).await;
    }
    full
}

async fn deliver(state: &AppState, record: MailRecord) {
    let Some(transport) = &state.outbox.transport else {
        return;
    };
    let mail = &record.mail;
    let lease = (mail.id.as_str(), record.lease_until);
    let attempt = async {
        let kind = Kind::parse(&mail.kind).ok_or("unknown kind of message")?;
        let locale = Locale::from_tag(&mail.locale).unwrap_or(Locale::En);
        let payload = open(state, mail)
            .ok_or("its content cannot be opened (was the secret key changed?)")?;
        let from = state.config.mail.as_ref().map_or("", |m| m.from.as_str());
        let sender = Sender {
            from,
            company: &state.config.company_name,
            logo: state.config.logo_url.as_deref(),
        };
        let message = render(&sender, (kind, locale), &mail.recipient, &payload)
            .map_err(|e| format!("cannot be written: {e}"))?;
        transport
            .send(message)
            .await
            .map_err(|e| match e.is_permanent() {
                true => Failure::Permanent(e.to_string()),
                false => Failure::Transient(e.to_string()),
            })?;
        Ok::<(), Failure>(())
    };
    let now = || state.clock.now_ms();
    let outcome = match attempt.await {
        Ok(()) => {
            state.metrics.mail_sent();
            tracing::info!(id = %mail.id, kind = %mail.kind, "mail sent");
            state.db.mark_mail_sent(lease, now()).await
        }
        Err(Failure::Transient(why)) => {
            match latchkey_core::email::retry_at(record.attempts, mail.created_at, now()) {
                Some(at) => {
                    tracing::warn!(id = %mail.id, attempts = record.attempts, error = %why, "mail not delivered; will try again");
                    state.db.mark_mail_retry(lease, at, &why).await
                }
                None => give_up(state, lease, &why).await,
            }
        }
        Err(Failure::Permanent(why)) => give_up(state, lease, &why).await,
    };
    if let Err(e) = outcome {
        tracing::warn!(id = %mail.id, error = %e, "could not record the mail's delivery");
    }
}

async fn give_up(
    state: &AppState,
    lease: (&str, i64),
    why: &str,
) -> Result<(), latchkey_store::Error> {
    state.metrics.mail_failed();
    tracing::error!(id = %lease.0, error = %why, "mail given up");
    state
        .db
        .mark_mail_failed(lease, state.clock.now_ms(), why)
        .await
}

/// Why a delivery did not happen: worth trying again, or not.
enum Failure {
    Transient(String),
    Permanent(String),
}

impl From<&str> for Failure {
    fn from(why: &str) -> Self {
        Self::Permanent(why.to_owned())
    }
}

impl From<String> for Failure {
    fn from(why: String) -> Self {
        Self::Permanent(why)
    }
}
