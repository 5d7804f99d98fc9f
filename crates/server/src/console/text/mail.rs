//! What the console says about a user's address and mail: whether the address is proven,
//! the administrator's actions on it, and the messages that could not be delivered.

#[derive(Debug)]
pub struct MailText {
    pub heading: &'static str,
    pub verified: &'static str,
    pub unverified: &'static str,
    pub no_email: &'static str,
    pub mark_verified: &'static str,
    pub mark_unverified: &'static str,
    pub send_reset: &'static str,
    pub reset_sent: &'static str,
    pub mail_off: &'static str,
    pub undelivered: &'static str,
    pub undelivered_intro: &'static str,
}

pub const EN: MailText = MailText {
    heading: "Email",
    verified: "Verified",
    unverified: "Not verified",
    no_email: "No email address.",
    mark_verified: "Mark as verified",
    mark_unverified: "Mark as not verified",
    send_reset: "Send a password reset email",
    reset_sent: "A password reset email is on its way.",
    mail_off: "Mail is off: set LATCHKEY_SMTP_URL to send verification codes and password reset emails.",
    undelivered: "Not delivered",
    undelivered_intro: "These messages to this user were given up after a day of retries, or refused by the mail server.",
};

pub const FR: MailText = MailText {
    heading: "E-mail",
    verified: "Vérifiée",
    unverified: "Non vérifiée",
    no_email: "Pas d’adresse e-mail.",
    mark_verified: "Marquer comme vérifiée",
    mark_unverified: "Marquer comme non vérifiée",
    send_reset: "Envoyer un e-mail de réinitialisation du mot de passe",
    reset_sent: "Un e-mail de réinitialisation du mot de passe est en route.",
    mail_off: "L’envoi d’e-mails est désactivé : définissez LATCHKEY_SMTP_URL pour envoyer des codes de vérification et des e-mails de réinitialisation.",
    undelivered: "Non distribués",
    undelivered_intro: "Ces messages à cet utilisateur ont été abandonnés après un jour de tentatives, ou refusés par le serveur de messagerie.",
};
