//! One Latchkey under test: its binary, port and database, bootstrapped once and started as
//! often as the run needs (again with RS256 access tokens, again to time its start-up).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context;

use crate::process::{self, Server};

pub struct Launcher {
    binary: PathBuf,
    port: u16,
    pub base: String,
    database: String,
    dir: PathBuf,
    log: std::fs::File,
}

impl Launcher {
    /// A Latchkey on `database`, working in `dir` (created), logging to `dir/latchkey.log`.
    pub fn new(binary: &Path, database: String, dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let port = process::free_port()?;
        Ok(Self {
            binary: binary.to_owned(),
            port,
            base: format!("http://127.0.0.1:{port}"),
            database,
            log: std::fs::File::create(dir.join("latchkey.log"))?,
            dir,
        })
    }

    fn command(&self, alg: &str, arguments: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(arguments)
            .env("LATCHKEY_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("LATCHKEY_PUBLIC_URL", &self.base)
            .env("LATCHKEY_DATABASE_URL", &self.database)
            .env("LATCHKEY_ACCESS_TOKEN_ALG", alg)
            .env(
                "LATCHKEY_SECRET_KEY",
                "bench-secret-key-0123456789abcdef0123456789abcdef",
            )
            .env_remove("LATCHKEY_CONFIG")
            .stderr(
                self.log
                    .try_clone()
                    .map_or_else(|_| Stdio::null(), Stdio::from),
            )
            .current_dir(&self.dir);
        command
    }

    /// `latchkey bootstrap --json`: the administrator's credentials and the first clients.
    pub fn bootstrap(&self) -> anyhow::Result<serde_json::Value> {
        let out = self
            .command("ES256", &["bootstrap", "--json"])
            .output()
            .context("latchkey bootstrap")?;
        serde_json::from_slice(&out.stdout)
            .with_context(|| String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// Run the CLI command `arguments` to its end; how long it took.
    pub fn time(&self, arguments: &[&str]) -> anyhow::Result<Duration> {
        let started = std::time::Instant::now();
        let out = self.command("ES256", arguments).output()?;
        if !out.status.success() {
            anyhow::bail!("latchkey {arguments:?} failed: see {}", self.dir.display());
        }
        Ok(started.elapsed())
    }

    /// Serve, signing access tokens with `alg`; the server and how long it took to be ready.
    pub fn serve(&self, alg: &str) -> anyhow::Result<(Server, Duration)> {
        process::start(self.command(alg, &["serve"]), &self.base, "/ready")
    }
}
