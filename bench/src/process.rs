//! The two servers under test as operating-system processes: starting them, knowing when they
//! are ready, reading their resident memory, stopping them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A child process, killed with its own children when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn spawn(mut command: Command, base: &str) -> anyhow::Result<Self> {
        command.stdin(Stdio::null());
        let child = command.spawn().context("starting a server")?;
        Ok(Self {
            child,
            base: base.to_owned(),
        })
    }

    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process and its children (the peer's workers), in bytes.
    pub fn rss(&self) -> u64 {
        rss_with_children(self.pid())
    }

    /// SIGTERM, then wait (a clean stop checkpoints SQLite).
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for pid in children(self.pid()) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `command` and wait until `base + ready_path` answers 200; returns the server and the
/// time from spawn to ready.
pub fn start(
    mut command: Command,
    base: &str,
    ready_path: &str,
) -> anyhow::Result<(Server, Duration)> {
    command.stdout(Stdio::null());
    let started = Instant::now();
    let mut server = Server::spawn(command, base)?;
    let address = base.trim_start_matches("http://").to_owned();
    let deadline = started + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ready(&address, ready_path) {
            return Ok((server, started.elapsed()));
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("{base} exited before it was ready: {status}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    bail!("{base} was not ready within 60 s")
}

/// One HTTP/1.1 GET on a fresh connection: whether it answered 200.
fn ready(address: &str, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.ends_with(b"200")
}

/// A loopback port nobody listens on now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn rss_with_children(pid: u32) -> u64 {
    rss_of(pid) + children(pid).into_iter().map(rss_of).sum::<u64>()
}

fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Direct children of `pid`, from each process's parent field in /proc.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // The parent is the second field after the parenthesised command name.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok())
                == Some(pid)
        })
        .collect()
}

/// The highest resident memory of a set of servers while a load runs.
#[derive(Debug)]
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakSampler {
    pub fn start(pids: Vec<u32>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let total: u64 = pids.iter().map(|&pid| rss_with_children(pid)).sum();
                p.fetch_max(total, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// The `latchkey` binary built next to this benchmark (`cargo build --release -p latchkey`).
pub fn latchkey_binary(build: bool) -> anyhow::Result<PathBuf> {
    if build {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--locked",
                "-p",
                "latchkey",
                "--bin",
                "latchkey",
            ])
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("cargo build --release -p latchkey failed");
        }
    }
    let exe = std::env::current_exe()?;
    let binary = exe
        .parent()
        .map(|dir| dir.join("latchkey"))
        .context("no directory for the benchmark binary")?;
    if !binary.exists() {
        bail!(
            "{} does not exist; build it with cargo build --release -p latchkey",
            binary.display()
        );
    }
    Ok(binary)
}

/// Size of a file in bytes.
pub fn size_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
