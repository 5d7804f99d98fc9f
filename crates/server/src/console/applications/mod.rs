//! The applications pages: the list by party, one application's settings, its secrets, a
//! third-party application's permissions and branding, its set-up checklist and its
//! integration guide.

pub mod branding;
mod checks;
pub mod guide;
pub mod list;
pub mod new_api;
pub mod permissions;
pub mod secrets;
pub mod setup;
pub mod show;
