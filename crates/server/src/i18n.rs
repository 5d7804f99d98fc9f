//! The hosted pages' words, in English and French, and how a language is chosen:
//! `ui_locales` first, then `Accept-Language`, then English.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
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
}
