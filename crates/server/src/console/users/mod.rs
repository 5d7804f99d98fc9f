//! The users pages: the searchable list, creating a user, and one user's page.

pub mod list;
pub mod show;
