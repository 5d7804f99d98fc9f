//! Where settings come from: flags and environment ([`Sources`]), the TOML file, and the
//! defaults, merged and validated (`check`) into a [`Config`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use latchkey_core::jwt::Algorithm;
use latchkey_core::mfa::Policy;
use serde::Deserialize;
use url::Url;

use super::check;
use super::mail::MailSources;
use super::retention::RetentionSources;
use super::{Config, DEFAULT_DATABASE_URL, DEFAULT_LISTEN, DEFAULT_PUBLIC_URL};

const DEFAULT_CONFIG_FILE: &str = "latchkey.toml";

/// Values given by flags or environment (clap merges the two); `None` when absent.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub database_url: Option<String>,
    pub access_token_alg: Option<String>,
    pub company_name: Option<String>,
    pub sign_up: Option<String>,
    pub mfa: Option<String>,
    pub logo_url: Option<String>,
    pub trusted_proxies: Option<String>,
    pub metrics_listen: Option<String>,
    pub secret_key: Option<String>,
    pub secret_key_file: Option<PathBuf>,
    pub cimd_allow_hosts: Option<String>,
    pub cimd_ca_file: Option<PathBuf>,
    pub mail: MailSources,
    pub retention: RetentionSources,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    public_url: Option<String>,
    database_url: Option<String>,
    access_token_alg: Option<String>,
    company_name: Option<String>,
    sign_up: Option<bool>,
    mfa: Option<String>,
    logo_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    metrics_listen: Option<String>,
    secret_key_file: Option<PathBuf>,
    cimd_allow_hosts: Option<Vec<String>>,
    cimd_ca_file: Option<PathBuf>,
    smtp_url: Option<String>,
    smtp_password_file: Option<PathBuf>,
    smtp_ca_file: Option<PathBuf>,
    mail_from: Option<String>,
    sign_up_verify_email: Option<bool>,
    audit_retention_days: Option<u32>,
    grant_retention_days: Option<u32>,
}

impl Sources {
    /// Read the process environment for the settings that have no flag.
    pub fn with_process_env(mut self) -> Self {
        self.secret_key = self
            .secret_key
            .or_else(|| std::env::var("LATCHKEY_SECRET_KEY").ok());
        self.mail = self.mail.with_process_env();
        self.retention = self.retention.with_process_env();
        self
    }

    pub fn resolve(self) -> Result<Config, String> {
        let file = read_file(self.config_file.as_deref())?;
        let listen = self.listen.or(file.listen);
        let listen = listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen.parse().map_err(|_| {
            format!("listen (LATCHKEY_LISTEN / --listen): '{listen}' is not an address like 127.0.0.1:3001")
        })?;

        let public_url = self.public_url.or(file.public_url);
        let public_url = check::public_url(public_url.as_deref().unwrap_or(DEFAULT_PUBLIC_URL))?;

        let database_url = self.database_url.or(file.database_url);
        let database_url = database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if latchkey_store::backend_of(&database_url).is_none() {
            return Err(format!(
                "database URL (LATCHKEY_DATABASE_URL / --database-url): must start with sqlite: or postgres:, got '{}'",
                check::redact_url(&database_url)
            ));
        }

        let alg = self.access_token_alg.or(file.access_token_alg);
        let access_token_alg = match alg.as_deref() {
            None => Algorithm::ES256,
            Some(value) => Algorithm::parse(value).ok_or_else(|| {
                format!("access token algorithm (LATCHKEY_ACCESS_TOKEN_ALG / --access-token-alg): must be ES256 or RS256, got '{value}'")
            })?,
        };

        let secret_key = match (
            self.secret_key,
            self.secret_key_file.or(file.secret_key_file),
        ) {
            (Some(_), Some(_)) => {
                return Err(
                    "secret key: set LATCHKEY_SECRET_KEY or LATCHKEY_SECRET_KEY_FILE, not both"
                        .into(),
                );
            }
            (Some(key), None) => Some(check::secret(key, "LATCHKEY_SECRET_KEY")?),
            (None, Some(path)) => {
                let key = std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "secret key file (LATCHKEY_SECRET_KEY_FILE): cannot read {}: {e}",
                        path.display()
                    )
                })?;
                Some(check::secret(
                    key.trim_end().to_owned(),
                    "LATCHKEY_SECRET_KEY_FILE",
                )?)
            }
            (None, None) => None,
        };

        let company_name = self
            .company_name
            .or(file.company_name)
            .unwrap_or_else(|| "Latchkey".to_owned());
        let company_name = latchkey_core::registration::check_name("company name", &company_name)
            .map_err(|_| {
            "company name (LATCHKEY_COMPANY_NAME / --company-name): must be 1 to 256 characters"
                .to_owned()
        })?;

        let sign_up = match self.sign_up.as_deref() {
            None => file.sign_up.unwrap_or(true),
            Some("true" | "1" | "on") => true,
            Some("false" | "0" | "off") => false,
            Some(other) => {
                return Err(format!(
                    "sign-up (LATCHKEY_SIGN_UP / --sign-up): must be true or false, got '{other}'"
                ));
            }
        };

        let mfa = match self.mfa.or(file.mfa) {
            None => Policy::Optional,
            Some(value) => Policy::parse(&value).ok_or_else(|| {
                format!("second factors (LATCHKEY_MFA / --mfa): must be optional or required, got '{value}'")
            })?,
        };

        let logo_url = self.logo_url.or(file.logo_url);
        if let Some(logo) = &logo_url {
            let parsed = Url::parse(logo).ok();
            let ok = logo.len() <= 2048
                && parsed.is_some_and(|u| matches!(u.scheme(), "https" | "data"));
            if !ok {
                return Err(format!(
                    "logo URL (LATCHKEY_LOGO_URL / --logo-url): must be an https or data: URL of at most 2048 characters, got '{logo}'"
                ));
            }
        }

        let trusted_proxies = match self.trusted_proxies {
            Some(list) => check::proxies(list.split(',').map(str::trim).filter(|s| !s.is_empty()))?,
            None => check::proxies(file.trusted_proxies.iter().flatten().map(String::as_str))?,
        };

        let metrics_listen = match self.metrics_listen.or(file.metrics_listen) {
            None => None,
            Some(value) => Some(value.parse::<SocketAddr>().map_err(|_| {
                format!("metrics listen (LATCHKEY_METRICS_LISTEN / --metrics-listen): '{value}' is not an address like 127.0.0.1:9090")
            })?),
        };

        let cimd_allow_hosts = match self.cimd_allow_hosts {
            Some(list) => list.split(',').map(|h| h.trim().to_owned()).collect(),
            None => file.cimd_allow_hosts.unwrap_or_default(),
        };
        let cimd_allow_hosts = check::hosts(cimd_allow_hosts)?;
        let cimd_roots_pem = match self.cimd_ca_file.or(file.cimd_ca_file) {
            None => None,
            Some(path) => Some(check::read_roots(
                &path,
                "CIMD CA file (LATCHKEY_CIMD_CA_FILE / --cimd-ca-file)",
            )?),
        };

        let mail = MailSources {
            smtp_url: self.mail.smtp_url.or(file.smtp_url),
            smtp_password_file: self.mail.smtp_password_file.or(file.smtp_password_file),
            smtp_ca_file: self.mail.smtp_ca_file.or(file.smtp_ca_file),
            mail_from: self.mail.mail_from.or(file.mail_from),
            sign_up_verify_email: (self.mail.sign_up_verify_email)
                .or(file.sign_up_verify_email.map(|v| v.to_string())),
        }
        .resolve()?;
        let retention = RetentionSources {
            audit_days: (self.retention.audit_days)
                .or(file.audit_retention_days.map(|d| d.to_string())),
            grant_days: (self.retention.grant_days)
                .or(file.grant_retention_days.map(|d| d.to_string())),
        }
        .resolve()?;

        Ok(Config {
            origin: check::origin_of(&public_url),
            listen,
            public_url,
            database_url,
            secret_key,
            access_token_alg,
            company_name,
            sign_up,
            mfa,
            logo_url,
            trusted_proxies,
            metrics_listen,
            cimd_allow_hosts,
            cimd_roots_pem,
            mail,
            retention,
        })
    }
}

fn read_file(explicit: Option<&Path>) -> Result<FileSettings, String> {
    let path = match explicit {
        Some(path) => path,
        None if Path::new(DEFAULT_CONFIG_FILE).exists() => Path::new(DEFAULT_CONFIG_FILE),
        None => return Ok(FileSettings::default()),
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "config file (LATCHKEY_CONFIG / --config): cannot read {}: {e}",
            path.display()
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        let why = e.message().to_owned();
        format!("config file {}: {why}", path.display())
    })
}
