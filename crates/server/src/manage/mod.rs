//! Admin operations, shared by the command line and the management API.

pub mod bootstrap;
pub mod keys;
