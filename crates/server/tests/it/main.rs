//! Latchkey's integration tests: one binary, one file per spec feature. Every test that
//! touches a database runs on SQLite and again on PostgreSQL when
//! `LATCHKEY_TEST_POSTGRES_URL` is set.

mod support;

mod api_applications;
mod api_auth;
mod api_consent;
mod api_openapi;
mod api_resources_roles;
mod api_script;
mod api_users_keys;
mod auth_options;
mod binary;
mod brute_force;
mod cache;
mod claims;
mod client_credentials;
mod cluster;
mod code_flow;
mod console;
mod cors;
mod crash;
mod db_outage;
mod demo_app;
mod discovery;
mod expired;
mod hostile_api;
mod hostile_codes;
mod hostile_http;
mod hostile_pages;
mod hostile_redirects;
mod hostile_tokens;
mod key_rotation;
mod lockout;
mod logout;
mod native_apps;
mod operations;
mod pages_security;
mod password_change;
mod process;
mod revocation;
mod second_rp;
mod sign_up;
mod signing_keys;
mod third_party;
mod third_party_revoke;
mod token_keys;
mod user_api_access;
mod user_tokens;
mod walk;
