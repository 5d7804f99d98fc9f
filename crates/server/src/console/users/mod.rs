//! The users pages: the searchable list, creating a user, and one user's page with its
//! editable profile.

mod checks;
pub mod factors;
pub mod list;
pub mod mail;
pub mod profile;
pub mod show;
