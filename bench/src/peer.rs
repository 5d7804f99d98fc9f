//! The peer, node-oidc-provider at the version pinned in `bench/peer/package-lock.json`,
//! installed from the npm registry into a temporary folder and started with one worker per
//! core.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::process::Server;

const PACKAGE: &str = include_str!("../peer/package.json");
const LOCK: &str = include_str!("../peer/package-lock.json");
const SCRIPT: &str = include_str!("../peer/peer.mjs");

/// `npm ci` of the pinned peer into `dir`.
pub fn install(dir: &Path) -> anyhow::Result<()> {
    std::fs::write(dir.join("package.json"), PACKAGE)?;
    std::fs::write(dir.join("package-lock.json"), LOCK)?;
    std::fs::write(dir.join("peer.mjs"), SCRIPT)?;
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .context("running npm (Node.js 20 or later is needed for the peer)")?;
    if !status.success() {
        bail!("npm ci of the peer failed");
    }
    Ok(())
}

/// The installed version of oidc-provider, for the report.
pub fn version(dir: &Path) -> String {
    let manifest = std::fs::read_to_string(dir.join("node_modules/oidc-provider/package.json"))
        .unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|m| m["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Start the peer on `port` with `workers` processes; returns once every worker listens.
pub fn start(dir: &Path, port: u16, workers: usize) -> anyhow::Result<(Server, Duration)> {
    let started = Instant::now();
    let mut command = Command::new("node");
    command
        .args(["peer.mjs", &port.to_string(), &workers.to_string()])
        .current_dir(dir)
        .env("NODE_ENV", "production")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut server = Server::spawn(command, &format!("http://127.0.0.1:{port}"))?;
    let stdout = server.take_stdout().context("no stdout from the peer")?;
    let mut lines = BufReader::new(stdout).lines();
    match lines.next() {
        Some(Ok(line)) if line.trim() == "ready" => {
            // Keep reading: a worker writing to a closed pipe would die of EPIPE.
            std::thread::spawn(move || lines.for_each(drop));
            Ok((server, started.elapsed()))
        }
        other => bail!("the peer did not start: {other:?}"),
    }
}
