//! The management API: every resource, its authentication (hostile tokens included), and its
//! OpenAPI document.

pub mod applications;
pub mod auth;
pub mod openapi;
pub mod protected_resource;
pub mod resources_roles;
pub mod script;
pub mod third_party;
pub mod users_keys;
