//! Running Latchkey: the binary, several nodes, crashes, outages, expiry, health, caches, HTTP
//! limits, signing keys and the README's walk-through.

pub mod binary;
pub mod cache;
pub mod cluster;
pub mod cluster_mail;
pub mod crash;
pub mod db_outage;
pub mod demo_app;
pub mod expired;
pub mod health;
pub mod http_limits;
pub mod key_rotation;
pub mod plans;
pub mod signing_keys;
pub mod token_keys;
