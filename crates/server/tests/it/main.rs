//! Latchkey's integration tests: one binary, one folder per surface (`oidc`, `pages`, `api`,
//! `console`, `email`, `ops`, `agents`) and one file per spec feature in it, helpers in `support`. Every test that
//! touches a database runs on SQLite and again on PostgreSQL when
//! `LATCHKEY_TEST_POSTGRES_URL` is set.

mod support;

mod agents;
mod api;
mod console;
mod email;
mod mfa;
mod oidc;
mod ops;
mod organizations;
mod pages;
