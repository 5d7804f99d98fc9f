//! What the console says about a user's second factors.

#[derive(Debug)]
pub struct FactorsText {
    pub heading: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub totp: &'static str,
    pub passkey: &'static str,
    pub codes: &'static str,
    pub left: &'static str,
    pub col_kind: &'static str,
    pub col_detail: &'static str,
    pub col_added: &'static str,
    pub col_used: &'static str,
    pub removed: &'static str,
}

pub const EN: FactorsText = FactorsText {
    heading: "Passkeys and second factors",
    intro: "Remove a factor the user lost; they are told by mail when mail is on. Secrets are never shown.",
    none: "No passkey or second factor.",
    totp: "Authenticator app",
    passkey: "Passkey",
    codes: "Recovery codes",
    left: "{count} left",
    col_kind: "Factor",
    col_detail: "Detail",
    col_added: "Added",
    col_used: "Last used",
    removed: "Factor removed.",
};

pub const FR: FactorsText = FactorsText {
    heading: "Clés d’accès et seconds facteurs",
    intro: "Retirez un facteur que l’utilisateur a perdu ; il en est prévenu par e-mail si l’envoi est configuré. Les secrets ne sont jamais affichés.",
    none: "Aucune clé d’accès ni second facteur.",
    totp: "Application d’authentification",
    passkey: "Clé d’accès",
    codes: "Codes de secours",
    left: "{count} restants",
    col_kind: "Facteur",
    col_detail: "Détail",
    col_added: "Ajouté",
    col_used: "Dernière utilisation",
    removed: "Facteur retiré.",
};
