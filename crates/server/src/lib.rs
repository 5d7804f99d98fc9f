//! The `latchkey` server: configuration, the HTTP application, and the admin operations.
//!
//! - [`config`]: settings from defaults, `latchkey.toml`, then `LATCHKEY_*` and flags.
//! - [`cli`]: the `latchkey` command line (`serve`, `migrate`, `bootstrap`, `keys`).
//! - [`app`]: shared state, the clock, the route table, serving.
//! - [`keyring`]: the signing keys a node holds, loaded from and refreshed against the store.
//! - [`error`]: the one place errors become HTTP responses.
//! - [`oidc`]: the protocol endpoints, thin shells around `latchkey_core`.
//! - [`api`]: the management REST API under `/api`.
//! - [`pages`]: hosted pages (sign-in); [`html`], [`i18n`]: how pages render and speak.
//! - [`browser`]: session and interaction cookies shared by the protocol and the pages.
//! - [`cross_site`]: form posts from other sites refused before any handler runs.
//! - [`cache`]: in-memory copies of clients and API permissions, kept honest by polling.
//! - [`password`]: argon2id hashing on threads of its own, one per core.
//! - [`expired`]: expired codes, tokens and sessions deleted in the background.
//! - [`manage`]: admin operations shared by the CLI and the management API.

pub mod api;
pub mod app;
pub mod around;
pub mod audit_writer;
pub mod browser;
pub mod cache;
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
pub mod manage;
pub mod metrics;
pub mod oidc;
pub mod pages;
pub mod password;
pub mod throttle;
