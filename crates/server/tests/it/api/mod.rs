//! The management API: every resource, its authentication, its OpenAPI document, and hostile
//! callers.

pub mod applications;
pub mod auth;
pub mod hostile;
pub mod openapi;
pub mod resources_roles;
pub mod script;
pub mod third_party;
pub mod users_keys;
