//! The admin console.

pub mod admin;
pub mod agents;
pub mod audit;
pub mod forms;
pub mod guide;
pub mod organizations;
pub mod users;
