//! The roles pages: the list, creating a role, and one role's permissions and holders.

pub mod list;
pub mod show;
