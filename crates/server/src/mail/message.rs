//! A queued message rendered when it is sent: its kind's words in its language, the
//! company's name and logo as configured then, a text part and an HTML part.

use askama::Template;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::{Kind, Payload};
use crate::i18n::Locale;
use crate::i18n::Text as Words;

#[derive(Template)]
#[template(path = "mail/message.html")]
struct Html<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    title: &'a str,
    paragraphs: &'a [String],
    code: Option<&'a str>,
    link: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct Text<'a> {
    title: &'a str,
    paragraphs: &'a [String],
    code: Option<&'a str>,
    link: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

/// Who sends, and as whom the pages are branded.
#[derive(Debug)]
pub struct Sender<'a> {
    pub from: &'a str,
    pub company: &'a str,
    pub logo: Option<&'a str>,
}

/// The subject and paragraphs of `kind`, `{company}` and `{organization}` filled in.
fn words(kind: Kind, all: &Words, (company, organization): (&str, &str)) -> (String, Vec<String>) {
    let (text, invitation) = (&all.email.mail, all.invitation);
    let (subject, paragraphs): (&str, Vec<&str>) = match kind {
        Kind::SignUpCode => (text.code_subject, vec![text.sign_up_intro, text.not_you]),
        Kind::VerifyCode => (text.code_subject, vec![text.verify_intro, text.not_you]),
        Kind::Recovery => (
            text.recovery_subject,
            vec![text.recovery_intro, text.not_you],
        ),
        Kind::PasswordChanged => (
            text.changed_subject,
            vec![text.changed_intro, text.changed_warning],
        ),
        Kind::SignUpExists => (text.exists_subject, vec![text.exists_intro, text.not_you]),
        Kind::FactorRemoved => (
            text.factor_removed_subject,
            vec![text.factor_removed_intro, text.changed_warning],
        ),
        Kind::EmailChanged => (
            text.email_changed_subject,
            vec![text.email_changed_intro, text.changed_warning],
        ),
        Kind::Invitation => (
            invitation.subject,
            vec![invitation.intro, invitation.how, text.not_you],
        ),
    };
    let fill = |s: &str| {
        s.replace("{company}", company)
            .replace("{organization}", organization)
    };
    (fill(subject), paragraphs.into_iter().map(fill).collect())
}

/// The message to `to`, or why it cannot be built (an address the SMTP library refuses).
pub fn render(
    sender: &Sender<'_>,
    (kind, locale): (Kind, Locale),
    to: &str,
    payload: &Payload,
) -> Result<Message, String> {
    let all = locale.text();
    let text = &all.email.mail;
    let organization = payload.organization.as_deref().unwrap_or_default();
    let (subject, paragraphs) = words(kind, all, (sender.company, organization));
    // Links lead to setting a new password, or to accepting an invitation.
    let label = match kind {
        Kind::Invitation => all.invitation.link,
        _ => text.recovery_link,
    };
    let link = payload.link.as_deref().map(|url| (label, url));
    let footer = text.footer.replace("{company}", sender.company);
    let html = Html {
        lang: locale.tag(),
        company: sender.company,
        logo: sender.logo.filter(|l| l.starts_with("https://")),
        title: &subject,
        paragraphs: &paragraphs,
        code: payload.code.as_deref(),
        link,
        footer: &footer,
    };
    let plain = Text {
        title: &subject,
        paragraphs: &paragraphs,
        code: payload.code.as_deref(),
        link,
        footer: &footer,
    };
    let from: Mailbox = sender.from.parse().map_err(|e| format!("sender: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(
            plain.render().map_err(|e| e.to_string())?,
        ))
        .singlepart(SinglePart::html(html.render().map_err(|e| e.to_string())?));
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(body)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_renders_in_both_languages_with_its_code_and_link() {
        let sender = Sender {
            from: "Example <no-reply@example.com>",
            company: "Example",
            logo: Some("https://example.com/logo.png"),
        };
        let payload = Payload {
            code: Some("123456".into()),
            link: Some("https://id.example.com/recover/abc?code=123456".into()),
            organization: Some("Acme".into()),
        };
        for kind in super::super::KINDS {
            for locale in [Locale::En, Locale::Fr] {
                let message = render(&sender, (kind, locale), "a@example.com", &payload);
                let message = message.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
                let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
                assert!(raw.contains("123456"), "{kind:?} {locale:?}");
                assert!(raw.contains("text/html") && raw.contains("text/plain"));
                assert!(!raw.contains("{company}") && !raw.contains("{organization}"));
            }
        }
    }
}
