//! The hosted pages' words, in English and French, and how a language is chosen:
//! `ui_locales` first, then `Accept-Language`, then English.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

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

    fn from_tag(tag: &str) -> Option<Self> {
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
    pub expired_interaction: &'static str,
    pub continue_button: &'static str,
    pub sign_out_title: &'static str,
    pub sign_out_question: &'static str,
    pub sign_out_button: &'static str,
    pub signed_out: &'static str,
    pub sign_up_title: &'static str,
    pub username_label: &'static str,
    pub email_label: &'static str,
    pub sign_up_button: &'static str,
    pub create_account: &'static str,
    pub have_account: &'static str,
    pub account_exists: &'static str,
    pub sign_up_invalid: &'static str,
    pub account_title: &'static str,
    pub consent_title: &'static str,
    pub consent_wants: &'static str,
    pub signed_in_as: &'static str,
    pub not_you: &'static str,
    pub user_data_heading: &'static str,
    pub api_heading: &'static str,
    pub openid_meaning: &'static str,
    pub offline_meaning: &'static str,
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
    pub apps_title: &'static str,
    pub apps_intro: &'static str,
    pub apps_none: &'static str,
    pub apps_stay_signed_in: &'static str,
    pub apps_since: &'static str,
    pub apps_last_used: &'static str,
    pub remove_access: &'static str,
    /// `{minutes}` is replaced by the wait.
    pub too_many_attempts: &'static str,
    pub cross_site: &'static str,
    pub confirm_title: &'static str,
    pub confirm_question: &'static str,
    pub confirm_unverified: &'static str,
}

impl Text {
    /// What a user-data scope releases, in words a user understands.
    pub fn scope(&self, name: &str) -> Option<&'static str> {
        Some(match name {
            "profile" => self.scope_profile,
            "email" => self.scope_email,
            "phone" => self.scope_phone,
            "address" => self.scope_address,
            "custom_data" => self.scope_custom_data,
            "roles" => self.scope_roles,
            _ => return None,
        })
    }
}

const EN: Text = Text {
    sign_in_title: "Sign in",
    sign_in_to: "to continue to",
    identifier_label: "Username or email",
    password_label: "Password",
    sign_in_button: "Sign in",
    invalid_credentials: "The username or password is incorrect.",
    error_title: "Something went wrong",
    expired_interaction: "This sign-in page has expired. Go back to the application and start again.",
    continue_button: "Continue",
    sign_out_title: "Sign out",
    sign_out_question: "Do you want to sign out?",
    sign_out_button: "Sign out",
    signed_out: "You are signed out.",
    sign_up_title: "Create your account",
    username_label: "Username",
    email_label: "Email (optional)",
    sign_up_button: "Create account",
    create_account: "No account yet? Create one",
    have_account: "Already have an account? Sign in",
    account_exists: "This username or email is already taken.",
    sign_up_invalid: "Please check what you entered:",
    account_title: "Your account",
    consent_title: "Allow access",
    consent_wants: "wants to access your account",
    signed_in_as: "Signed in as",
    not_you: "Not you? Use another account",
    user_data_heading: "Your information",
    api_heading: "Permissions for",
    openid_meaning: "The app will know your account’s unique identifier.",
    offline_meaning: "Stay signed in to the app: it keeps access until you remove it.",
    return_to: "You will then be sent back to",
    terms: "Terms of use",
    privacy: "Privacy policy",
    authorize_button: "Authorize",
    cancel_button: "Cancel",
    scope_profile: "Your name, nickname, picture and other profile details",
    scope_email: "Your email address",
    scope_phone: "Your phone number",
    scope_address: "Your postal address",
    scope_custom_data: "Additional data your organization keeps about you",
    scope_roles: "Your roles",
    apps_title: "Connected apps",
    apps_intro: "Third-party apps you allowed to access your account.",
    apps_none: "You have not allowed any third-party app.",
    apps_stay_signed_in: "Stays signed in",
    apps_since: "Allowed since",
    apps_last_used: "Last used",
    remove_access: "Remove access",
    too_many_attempts: "Too many attempts. Try again in {minutes} min.",
    cross_site: "This form was sent from another site, so it was not accepted. Go back and try again.",
    confirm_title: "Continue to the application?",
    confirm_question: "wants to sign you in.",
    confirm_unverified: "This application runs on a device, so its identity cannot be verified. Continue only if you just asked to sign in to it.",
};

const FR: Text = Text {
    sign_in_title: "Connexion",
    sign_in_to: "pour continuer vers",
    identifier_label: "Nom d’utilisateur ou e-mail",
    password_label: "Mot de passe",
    sign_in_button: "Se connecter",
    invalid_credentials: "Le nom d’utilisateur ou le mot de passe est incorrect.",
    error_title: "Une erreur est survenue",
    expired_interaction: "Cette page de connexion a expiré. Revenez à l’application et recommencez.",
    continue_button: "Continuer",
    sign_out_title: "Déconnexion",
    sign_out_question: "Voulez-vous vous déconnecter ?",
    sign_out_button: "Se déconnecter",
    signed_out: "Vous êtes déconnecté.",
    sign_up_title: "Créez votre compte",
    username_label: "Nom d’utilisateur",
    email_label: "E-mail (facultatif)",
    sign_up_button: "Créer le compte",
    create_account: "Pas encore de compte ? Créez-en un",
    have_account: "Déjà un compte ? Connectez-vous",
    account_exists: "Ce nom d’utilisateur ou cet e-mail est déjà pris.",
    sign_up_invalid: "Vérifiez ce que vous avez saisi :",
    account_title: "Votre compte",
    consent_title: "Autoriser l’accès",
    consent_wants: "souhaite accéder à votre compte",
    signed_in_as: "Connecté en tant que",
    not_you: "Ce n’est pas vous ? Utilisez un autre compte",
    user_data_heading: "Vos informations",
    api_heading: "Autorisations pour",
    openid_meaning: "L’application connaîtra l’identifiant unique de votre compte.",
    offline_meaning: "Rester connecté à l’application : elle garde l’accès jusqu’à ce que vous le retiriez.",
    return_to: "Vous serez ensuite renvoyé vers",
    terms: "Conditions d’utilisation",
    privacy: "Politique de confidentialité",
    authorize_button: "Autoriser",
    cancel_button: "Annuler",
    scope_profile: "Votre nom, pseudonyme, photo et autres détails de profil",
    scope_email: "Votre adresse e-mail",
    scope_phone: "Votre numéro de téléphone",
    scope_address: "Votre adresse postale",
    scope_custom_data: "Les données supplémentaires que votre organisation conserve à votre sujet",
    scope_roles: "Vos rôles",
    apps_title: "Applications connectées",
    apps_intro: "Les applications tierces que vous avez autorisées à accéder à votre compte.",
    apps_none: "Vous n’avez autorisé aucune application tierce.",
    apps_stay_signed_in: "Reste connectée",
    apps_since: "Autorisée depuis le",
    apps_last_used: "Dernière utilisation le",
    remove_access: "Retirer l’accès",
    too_many_attempts: "Trop de tentatives. Réessayez dans {minutes} min.",
    cross_site: "Ce formulaire a été envoyé depuis un autre site : il n’a pas été accepté. Revenez en arrière et réessayez.",
    confirm_title: "Continuer vers l’application ?",
    confirm_question: "souhaite vous connecter.",
    confirm_unverified: "Cette application s’exécute sur un appareil : son identité ne peut pas être vérifiée. Continuez uniquement si vous venez de demander à vous y connecter.",
};

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
