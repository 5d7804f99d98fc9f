//! The Settings form checked field by field before anything is saved, with the same rules the
//! API applies: every problem at once, each said beside the field it concerns, in words that
//! name no API field path (the Branding form's checks use the same `FieldError`).

use latchkey_core::client::Application;
use latchkey_core::registration::{self as rules, Invalid};

use super::show::SettingsForm;
use crate::console::ConsoleText;

pub use crate::console::form::FieldError;

/// The message of `invalid`, without the field path the rule put before it.
fn plain(invalid: Invalid, path: &str) -> String {
    let message = invalid.message;
    match message.strip_prefix(&format!("{path}: ")) {
        Some(rest) => rest.to_owned(),
        None => message,
    }
}

/// The lines of a multi-line field, trimmed, without the empty ones.
pub fn lines(value: &str) -> Vec<String> {
    value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl SettingsForm {
    /// Every problem of the form for `app`; none means the API will accept it.
    pub fn problems(&self, app: &Application, text: &ConsoleText) -> Vec<FieldError> {
        let mut found = Vec::new();
        let mut add = |field, message| found.push(FieldError { field, message });
        if rules::check_name("name", &self.name).is_err() {
            add("name", text.problem.name.to_owned());
        }
        if rules::check_description("description", Some(&self.description)).is_err() {
            add("description", text.problem.description.to_owned());
        }
        if app.app_type == latchkey_core::client::ApplicationType::MachineToMachine {
            return found;
        }
        for (field, value) in [
            ("redirect_uris", &self.redirect_uris),
            ("post_logout_redirect_uris", &self.post_logout_redirect_uris),
        ] {
            let uris = lines(value);
            if uris.len() > rules::MAX_URIS {
                add(
                    field,
                    format!("{} ({})", text.too_many_lines, rules::MAX_URIS),
                );
            }
            for uri in uris {
                let checked =
                    rules::check_redirect_uri("uri", &uri, app.app_type, app.is_third_party);
                if let Err(invalid) = checked {
                    add(field, plain(invalid, "uri"));
                }
            }
        }
        for origin in lines(&self.cors_allowed_origins) {
            if let Err(invalid) = rules::check_origins("origin", std::slice::from_ref(&origin)) {
                add("cors_allowed_origins", plain(invalid, "origin[0]"));
            }
        }
        let number = |v: &str| v.trim().parse::<i64>().ok();
        let max = rules::MAX_TOKEN_TTL_SECS;
        if !number(&self.id_token_ttl).is_some_and(|n| (60..=max).contains(&n)) {
            add("id_token_ttl", text.id_token_ttl_range.to_owned());
        }
        // Left empty: none.
        let grace = self.refresh_token_reuse_grace_seconds.trim();
        if !grace.is_empty() && !number(grace).is_some_and(|n| (0..=60).contains(&n)) {
            add(
                "refresh_token_reuse_grace_seconds",
                text.reuse_grace_range.to_owned(),
            );
        }
        if !number(&self.refresh_token_ttl_in_days).is_some_and(|n| (1..=90).contains(&n)) {
            add(
                "refresh_token_ttl_in_days",
                text.refresh_ttl_range.to_owned(),
            );
        }
        found
    }
}
