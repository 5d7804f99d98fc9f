//! Mail settings: the SMTP server (`LATCHKEY_SMTP_URL`, its password from
//! `LATCHKEY_SMTP_PASSWORD_FILE`, extra roots from `LATCHKEY_SMTP_CA_FILE`), the sender
//! (`LATCHKEY_MAIL_FROM`) and whether sign-up waits for the address's code
//! (`LATCHKEY_SIGN_UP_VERIFY_EMAIL`). Without an SMTP server nothing that needs mail is
//! offered.

use std::path::PathBuf;

use url::Url;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://…?tls=none`: no TLS at all, only to a relay on this machine.
    None,
}

#[derive(Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Extra PEM roots the SMTP server's certificate may chain to.
    pub roots_pem: Option<Vec<u8>>,
    /// The sender, `Name <address>` or `address`.
    pub from: String,
    /// Whether sign-up with an email waits for the code before the account exists.
    pub verify_sign_up: bool,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The mail settings as given, before they are checked.
#[derive(Debug, Default, Clone)]
pub struct MailSources {
    pub smtp_url: Option<String>,
    pub smtp_password_file: Option<PathBuf>,
    pub smtp_ca_file: Option<PathBuf>,
    pub mail_from: Option<String>,
    pub sign_up_verify_email: Option<String>,
}

impl MailSources {
    /// The settings the process environment gives, where none was given otherwise.
    pub fn with_process_env(self) -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            smtp_url: self.smtp_url.or_else(|| env("LATCHKEY_SMTP_URL")),
            smtp_password_file: (self.smtp_password_file)
                .or_else(|| env("LATCHKEY_SMTP_PASSWORD_FILE").map(PathBuf::from)),
            smtp_ca_file: (self.smtp_ca_file)
                .or_else(|| env("LATCHKEY_SMTP_CA_FILE").map(PathBuf::from)),
            mail_from: self.mail_from.or_else(|| env("LATCHKEY_MAIL_FROM")),
            sign_up_verify_email: (self.sign_up_verify_email)
                .or_else(|| env("LATCHKEY_SIGN_UP_VERIFY_EMAIL")),
        }
    }

    /// The checked settings; `None` without an SMTP server.
    pub fn resolve(self) -> Result<Option<MailConfig>, String> {
        let verify = match self.sign_up_verify_email.as_deref() {
            None => None,
            Some("true" | "1" | "on") => Some(true),
            Some("false" | "0" | "off") => Some(false),
            Some(other) => {
                return Err(format!(
                    "sign-up email verification (LATCHKEY_SIGN_UP_VERIFY_EMAIL): must be true or false, got '{other}'"
                ));
            }
        };
        let Some(raw) = self.smtp_url else {
            if verify == Some(true) || self.mail_from.is_some() {
                return Err("mail (LATCHKEY_SIGN_UP_VERIFY_EMAIL, LATCHKEY_MAIL_FROM): needs an SMTP server, set LATCHKEY_SMTP_URL".into());
            }
            return Ok(None);
        };
        let mut config = parse_url(&raw)?;
        if let Some(path) = self.smtp_password_file {
            if config.password.is_some() {
                return Err("SMTP password: give it in LATCHKEY_SMTP_URL or LATCHKEY_SMTP_PASSWORD_FILE, not both".into());
            }
            let password = std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "SMTP password file (LATCHKEY_SMTP_PASSWORD_FILE): cannot read {}: {e}",
                    path.display()
                )
            })?;
            config.password = Some(password.trim_end_matches(['\r', '\n']).to_owned());
        }
        if config.password.is_some() && config.username.is_none() {
            return Err(
                "SMTP URL (LATCHKEY_SMTP_URL): a password needs a user name (smtp://user@host)"
                    .into(),
            );
        }
        if let Some(path) = self.smtp_ca_file {
            config.roots_pem = Some(super::check::read_roots(
                &path,
                "SMTP CA file (LATCHKEY_SMTP_CA_FILE)",
            )?);
        }
        let from = self.mail_from.ok_or(
            "mail sender (LATCHKEY_MAIL_FROM): required with LATCHKEY_SMTP_URL, for example \"Example <no-reply@example.com>\"",
        )?;
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "mail sender (LATCHKEY_MAIL_FROM): '{from}' is not an address or \"Name <address>\""
            ));
        }
        config.from = from;
        config.verify_sign_up = verify.unwrap_or(true);
        Ok(Some(config))
    }
}

fn parse_url(raw: &str) -> Result<MailConfig, String> {
    let fail = |why: &str| format!("SMTP URL (LATCHKEY_SMTP_URL): {why}");
    let url = Url::parse(raw).map_err(|_| fail("not a URL like smtp://user@host:587"))?;
    let (mut security, default_port) = match url.scheme() {
        "smtp" => (Security::StartTls, 587),
        "smtps" => (Security::Implicit, 465),
        _ => return Err(fail("must start with smtp:// or smtps://")),
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| fail("has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("tls", "none") if security == Security::StartTls => security = Security::None,
            ("tls", "starttls") if security == Security::StartTls => {}
            _ => return Err(fail(&format!("unknown option {key}={value}"))),
        }
    }
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if security == Security::None && !loopback {
        return Err(fail(
            "tls=none is only for a relay on this machine (localhost, 127.0.0.1 or ::1)",
        ));
    }
    let decode = |s: &str| {
        percent_decode(s)
            .ok_or_else(|| fail("the user name or password is not valid percent-encoding"))
    };
    let username = match url.username() {
        "" => None,
        user => Some(decode(user)?),
    };
    let password = url.password().map(decode).transpose()?;
    Ok(MailConfig {
        port: url.port().unwrap_or(default_port),
        host,
        security,
        username,
        password,
        roots_pem: None,
        from: String::new(),
        verify_sign_up: true,
    })
}

fn percent_decode(value: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(url: &str) -> Result<Option<MailConfig>, String> {
        MailSources {
            smtp_url: Some(url.into()),
            mail_from: Some("Example <no-reply@example.com>".into()),
            ..MailSources::default()
        }
        .resolve()
    }

    #[test]
    fn smtp_urls_say_how_to_connect() {
        let c = resolve("smtp://mailer:p%40ss@mail.example.com")
            .ok()
            .flatten();
        let c = c.unwrap_or_else(|| panic!("resolved"));
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("mail.example.com", 587, Security::StartTls)
        );
        assert_eq!(
            (c.username.as_deref(), c.password.as_deref()),
            (Some("mailer"), Some("p@ss"))
        );
        assert!(c.verify_sign_up, "on by default with mail");
        assert!(
            !format!("{c:?}").contains("p@ss"),
            "the password is never printed"
        );
        let c = resolve("smtps://mail.example.com:2465").ok().flatten();
        assert_eq!(
            c.map(|c| (c.port, c.security)),
            Some((2465, Security::Implicit))
        );
        let c = resolve("smtp://127.0.0.1:2525?tls=none").ok().flatten();
        assert_eq!(c.map(|c| c.security), Some(Security::None));
    }

    #[test]
    fn unsafe_or_incomplete_mail_settings_are_refused() {
        for bad in [
            "smtp://mail.example.com?tls=none",
            "http://mail.example.com",
            "smtp://mail.example.com?debug=1",
            "smtp://:secret@mail.example.com",
        ] {
            assert!(resolve(bad).is_err(), "{bad}");
        }
        let no_from = MailSources {
            smtp_url: Some("smtp://mail.example.com".into()),
            ..MailSources::default()
        };
        assert!(
            no_from
                .resolve()
                .is_err_and(|e| e.contains("LATCHKEY_MAIL_FROM"))
        );
        let no_server = MailSources {
            sign_up_verify_email: Some("true".into()),
            ..MailSources::default()
        };
        assert!(
            no_server
                .resolve()
                .is_err_and(|e| e.contains("LATCHKEY_SMTP_URL"))
        );
        assert!(MailSources::default().resolve().is_ok_and(|c| c.is_none()));
    }
}
