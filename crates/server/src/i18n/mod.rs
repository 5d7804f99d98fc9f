//! The hosted pages' words, in English and French, and how a language is chosen:
//! `ui_locales` first, then `Accept-Language`, then English.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

pub mod device;
pub mod email;
mod en;
mod fr;
pub mod invitation;
pub mod mfa;

use en::EN;
use fr::FR;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

/// A handler's `Locale` argument: the browser's `Accept-Language`.
impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::of(&parts.headers, None))
    }
}

impl Locale {
    /// The language of a response: the client's `ui_locales` if it sent some, then the
    /// browser's `Accept-Language`.
    pub fn of(headers: &HeaderMap, ui_locales: Option<&str>) -> Self {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Self::negotiate(ui_locales, accept)
    }

    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The language a tag names (`fr-CA` is French), if it is one of the pages'.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag
            .trim()
            .split(['-', '_', ';'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// `ui_locales` (space-separated, in order of preference), then `Accept-Language`
    /// (weights honoured), then English.
    pub fn negotiate(ui_locales: Option<&str>, accept_language: Option<&str>) -> Self {
        if let Some(found) = ui_locales
            .into_iter()
            .flat_map(|v| v.split(' '))
            .find_map(Self::from_tag)
        {
            return found;
        }
        let mut ranked: Vec<(f32, Self)> = accept_language
            .into_iter()
            .flat_map(|v| v.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';');
                let locale = Self::from_tag(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map_or(Self::En, |(_, l)| *l)
    }

    pub fn text(self) -> &'static Text {
        match self {
            Self::En => &EN,
            Self::Fr => &FR,
        }
    }
}

#[derive(Debug)]
pub struct Text {
    pub sign_in_title: &'static str,
    pub sign_in_to: &'static str,
    pub identifier_label: &'static str,
    pub password_label: &'static str,
    pub sign_in_button: &'static str,
    pub invalid_credentials: &'static str,
    pub error_title: &'static str,
    pub error_request: &'static str,
    pub error_client: &'static str,
    pub error_scope: &'static str,
    pub error_denied: &'static str,
    pub error_server: &'static str,
    pub error_not_found: &'static str,
    pub error_forbidden: &'static str,
    pub error_details: &'static str,
    pub expired_interaction: &'static str,
    pub continue_button: &'static str,
    pub sign_out_title: &'static str,
    pub sign_out_question: &'static str,
    pub sign_out_button: &'static str,
    pub not_signed_in: &'static str,
    pub signed_out: &'static str,
    pub sign_up_title: &'static str,
    pub username_label: &'static str,
    pub email_label: &'static str,
    pub sign_up_button: &'static str,
    pub create_account: &'static str,
    pub have_account: &'static str,
    pub account_exists: &'static str,
    pub sign_up_invalid: &'static str,
    pub show_password: &'static str,
    pub hide_password: &'static str,
    pub password_hint: &'static str,
    pub password_too_short: &'static str,
    pub password_too_common: &'static str,
    pub password_too_long: &'static str,
    pub invalid_username: &'static str,
    pub invalid_email: &'static str,
    pub account_title: &'static str,
    pub consent_title: &'static str,
    pub consent_wants: &'static str,
    pub signed_in_as: &'static str,
    pub not_you: &'static str,
    pub user_data_heading: &'static str,
    /// The consent page's choice of organizations.
    pub organizations_heading: &'static str,
    pub organizations_hint: &'static str,
    pub organizations_claim_only: &'static str,
    pub api_heading: &'static str,
    pub openid_meaning: &'static str,
    pub offline_meaning: &'static str,
    pub remove_later: &'static str,
    pub return_to: &'static str,
    pub terms: &'static str,
    pub privacy: &'static str,
    pub authorize_button: &'static str,
    pub cancel_button: &'static str,
    pub scope_profile: &'static str,
    pub scope_email: &'static str,
    pub scope_phone: &'static str,
    pub scope_address: &'static str,
    pub scope_custom_data: &'static str,
    pub scope_roles: &'static str,
    pub scope_organizations: &'static str,
    pub scope_organization_roles: &'static str,
    pub apps_title: &'static str,
    pub apps_intro: &'static str,
    pub apps_none: &'static str,
    pub apps_stay_signed_in: &'static str,
    pub apps_since: &'static str,
    pub apps_last_used: &'static str,
    pub remove_access: &'static str,
    pub remove_question: &'static str,
    pub access_removed: &'static str,
    /// `{minutes}` is replaced by the wait.
    pub too_many_attempts: &'static str,
    pub cross_site: &'static str,
    pub confirm_title: &'static str,
    pub confirm_question: &'static str,
    pub confirm_unverified: &'static str,
    pub agent_hosted_at: &'static str,
    pub agent_verified: &'static str,
    pub agent_unverified: &'static str,
    pub agent_loopback: &'static str,
    pub api_indicator: &'static str,
    pub waiting_title: &'static str,
    pub waiting_message: &'static str,
    pub return_to_app: &'static str,
    pub finished_title: &'static str,
    pub finished_message: &'static str,
    pub finished_back: &'static str,
    pub device: &'static device::DeviceText,
    pub email: &'static email::EmailText,
    pub invitation: &'static invitation::InvitationText,
    pub mfa: &'static mfa::MfaText,
}

impl Text {
    /// Why a new password was refused, from the rule's code (`core::user::check_password`).
    pub fn password_problem(&self, code: &str) -> &'static str {
        match code {
            "user.password_too_common" => self.password_too_common,
            "user.password_too_long" => self.password_too_long,
            _ => self.password_too_short,
        }
    }

    /// What a user-data scope releases, in words a user understands.
    pub fn scope(&self, name: &str) -> Option<&'static str> {
        Some(match name {
            "profile" => self.scope_profile,
            "email" => self.scope_email,
            "phone" => self.scope_phone,
            "address" => self.scope_address,
            "custom_data" => self.scope_custom_data,
            "roles" => self.scope_roles,
            latchkey_core::organization::SCOPE_ORGANIZATIONS => self.scope_organizations,
            latchkey_core::organization::SCOPE_ORGANIZATION_ROLES => self.scope_organization_roles,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_locales_win_then_weighted_accept_language() {
        assert_eq!(Locale::negotiate(Some("de fr-CA"), Some("en")), Locale::Fr);
        assert_eq!(
            Locale::negotiate(None, Some("en;q=0.5, fr-FR;q=0.9")),
            Locale::Fr
        );
        assert_eq!(Locale::negotiate(None, Some("de, ja")), Locale::En);
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }

    #[test]
    fn every_consent_scope_is_described_in_both_languages() {
        for name in latchkey_core::claims::CONSENT_USER_SCOPES {
            assert!(
                EN.scope(name).is_some() && FR.scope(name).is_some(),
                "{name}"
            );
        }
    }
}
