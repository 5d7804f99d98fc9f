//! The `latchkey` server: configuration, the HTTP application, and the admin operations.
//!
//! - [`config`]: settings from defaults, `latchkey.toml`, then `LATCHKEY_*` and flags.
//! - [`cli`]: the `latchkey` command line (`serve`, `migrate`, `bootstrap`, `keys`).
//! - [`app`]: shared state, the clock, the route table, serving; [`around`]: what every
//!   request passes through (request id, metrics, limits, default headers).
//! - [`keyring`]: the signing keys a node holds, loaded from and refreshed against the store.
//! - [`error`]: the one place errors become HTTP responses.
//! - [`oidc`]: the protocol endpoints, thin shells around `latchkey_core`: `authorize`,
//!   `resume`, one module per grant under `token`, `introspection`, `revocation`,
//!   `userinfo`, `end_session`, `discovery`.
//! - [`consent`]: reading what an authorization request would grant a user from the store.
//! - [`api`]: the management REST API under `/api`.
//! - [`pages`]: hosted pages (sign-in, sign-up, consent, account); [`html`], [`i18n`]: how
//!   pages render and speak.
//! - [`console`]: the admin console, a relying party of this server.
//! - [`bearer`]: a request's bearer token (RFC 6750 §2.1).
//! - [`browser`]: session and interaction cookies shared by the protocol and the pages.
//! - [`cross_site`]: form posts from other sites refused before any handler runs;
//!   [`throttle`]: failure budgets for secrets and passwords.
//! - [`cache`]: in-memory copies of clients and API permissions, kept honest by polling.
//! - [`cimd`]: fetching a client's metadata document (CIMD) behind the SSRF rules.
//! - [`password`]: argon2id hashing on threads of its own, one per core.
//! - [`expired`]: expired codes, tokens and sessions deleted in the background; [`retention`]:
//!   old audit entries and idle grants, the same way.
//! - [`mail`]: the outbox: mail queued with the action that causes it, delivered by a worker.
//! - [`manage`]: admin operations shared by the CLI and the management API.
//! - [`audit`]: the audit log's two writers, at once (`write_now`) and batched (`queue`).
//! - [`logs`]: structured logs with the request's context; [`metrics`]: Prometheus counters.

pub mod api;
pub mod app;
pub mod around;
pub mod audit;
pub mod bearer;
pub mod browser;
pub mod cache;
pub mod cimd;
pub mod cli;
pub mod config;
pub mod consent;
pub mod console;
pub mod cross_site;
pub mod error;
pub mod expired;
pub mod html;
pub mod i18n;
pub mod keyring;
pub mod logs;
pub mod mail;
pub mod manage;
pub mod metrics;
pub mod oidc;
pub mod pages;
pub mod passkeys;
pub mod password;
pub mod retention;
pub mod throttle;
