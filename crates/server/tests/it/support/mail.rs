//! A real SMTP server for the tests (`smtp_sink.py`, aiosmtpd in a process of its own):
//! plain on loopback, or requiring STARTTLS with a certificate from a test CA and a login.
//! What it receives is read back decoded; it can be stopped and started again on its port.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use latchkey::config::mail::{MailConfig, Security};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde::Deserialize;
use tempfile::TempDir;

use super::process::{Process, free_port};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/smtp_sink.py");
const USER: &str = "latchkey";
const PASSWORD: &str = "smtp secret";

/// One message as the server received it.
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Received {
    /// The six-digit code the message carries, if any.
    pub fn code(&self) -> Option<String> {
        self.text
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    }

    /// The first link to Latchkey the message carries, if any.
    pub fn link(&self) -> Option<String> {
        let start = self.text.find("http")?;
        let link = self.text[start..].split_whitespace().next()?;
        Some(link.to_owned())
    }
}

pub struct MailServer {
    pub port: u16,
    dir: TempDir,
    /// The certificate and key it offers with STARTTLS, and the CA's PEM.
    tls: Option<(PathBuf, PathBuf, String)>,
    process: Option<Process>,
}

impl MailServer {
    /// A server on loopback without TLS (`smtp://127.0.0.1:<port>?tls=none`).
    pub async fn plain() -> Self {
        Self::start(false).await
    }

    /// A server that requires STARTTLS and a login.
    pub async fn starttls() -> Self {
        Self::start(true).await
    }

    async fn start(tls: bool) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let tls = tls.then(|| certificate(&dir));
        let mut server = Self {
            port: free_port(),
            dir,
            tls,
            process: None,
        };
        server.restart().await;
        server
    }

    /// Start it (again) on its port.
    pub async fn restart(&mut self) {
        let mut command = Command::new("python3");
        command
            .arg(SCRIPT)
            .args(["--port", &self.port.to_string()])
            .arg("--dir")
            .arg(self.dir.path().join("inbox"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some((cert, key, _)) = &self.tls {
            command.arg("--tls").arg(cert).arg(key);
            command.args(["--auth", &format!("{USER}:{PASSWORD}")]);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("python3 {SCRIPT}: {e}"));
        self.process = Some(Process(child));
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the SMTP server did not start (is aiosmtpd installed?)");
    }

    /// Stop it: connections are refused until [`MailServer::restart`].
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Latchkey's settings for this server.
    pub fn config(&self) -> MailConfig {
        let (security, username, password, roots_pem) = match &self.tls {
            Some((_, _, ca)) => (
                Security::StartTls,
                Some(USER.to_owned()),
                Some(PASSWORD.to_owned()),
                Some(ca.clone().into_bytes()),
            ),
            None => (Security::None, None, None, None),
        };
        let host = match self.tls {
            Some(_) => "localhost",
            None => "127.0.0.1",
        };
        MailConfig {
            host: host.to_owned(),
            port: self.port,
            security,
            username,
            password,
            roots_pem,
            from: "Latchkey Test <no-reply@example.com>".to_owned(),
            verify_sign_up: true,
        }
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let inbox = self.dir.path().join("inbox");
        let mut names: Vec<_> = std::fs::read_dir(&inbox)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "json"));
        names.sort();
        names
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
            })
            .collect()
    }

    /// The messages once there are at least `count` (ten seconds at most).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..400 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("expected {count} messages, got {:?}", self.messages());
    }

    /// The newest message to `to`, waiting for the `count`-th message in all.
    pub async fn last_to(&self, to: &str, count: usize) -> Received {
        let messages = self.wait_for(count).await;
        let found = messages
            .into_iter()
            .rev()
            .find(|m| m.to.iter().any(|t| t == to));
        found.unwrap_or_else(|| panic!("no message to {to}"))
    }
}

/// A certificate for `localhost` from a new test CA: its files, and the CA's PEM.
fn certificate(dir: &TempDir) -> (PathBuf, PathBuf, String) {
    let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap_or_else(|e| panic!("{e}"));
    let issuer = Issuer::new(ca, &ca_key);
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .and_then(|p| p.signed_by(&key, &issuer))
        .unwrap_or_else(|e| panic!("{e}"));
    let cert_path = dir.path().join("smtp.crt");
    let key_path = dir.path().join("smtp.key");
    std::fs::write(&cert_path, leaf.pem()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&key_path, key.serialize_pem()).unwrap_or_else(|e| panic!("{e}"));
    (cert_path, key_path, ca_cert.pem())
}
