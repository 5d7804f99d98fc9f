//! The hosted pages: sign-in (forgery, fixation), consent (forgery, greed), sign-up,
//! identifiers people type, sign-in budgets and lockout, password changes, and what keeps
//! their forms to this server.

pub mod brute_force;
pub mod consent;
pub mod form_action;
pub mod identifiers;
pub mod lockout;
pub mod password_change;
pub mod plain;
pub mod sign_in;
pub mod sign_up;
