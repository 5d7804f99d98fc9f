//! The hosted pages: sign-up, sign-in budgets and lockout, password changes, and what keeps
//! their forms to this server.

pub mod brute_force;
pub mod csrf_and_replay;
pub mod form_action;
pub mod lockout;
pub mod password_change;
pub mod sign_up;
