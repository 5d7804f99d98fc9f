//! The admin console.

pub mod admin;
