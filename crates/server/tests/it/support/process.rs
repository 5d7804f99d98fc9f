//! Real `latchkey` processes for the tests that need them: the command with a clean
//! environment, a guard that kills and reaps the process, and waiting until it is ready.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_latchkey");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A running process, killed and reaped when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `latchkey ARGS` in `dir`, listening on `port` with the public URL that port gives, on the
/// default SQLite database, with no secret key from the caller's environment. Callers set
/// other `LATCHKEY_*` variables on the command to change that.
pub fn latchkey(dir: &Path, port: u16, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("LATCHKEY_SECRET_KEY")
        .env_remove("LATCHKEY_SECRET_KEY_FILE")
        .env_remove("LATCHKEY_DATABASE_URL")
        .env("LATCHKEY_LISTEN", format!("127.0.0.1:{port}"))
        .env("LATCHKEY_PUBLIC_URL", format!("http://127.0.0.1:{port}"));
    command
}

/// Wait until `{base}/ready` answers 200 (at most ten seconds).
pub async fn wait_ready(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/ready"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("latchkey at {base} did not become ready");
}

/// `latchkey serve` with `command`'s settings, ready to answer.
pub async fn serve(mut command: Command, base: &str) -> Process {
    let process = Process(
        command
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    wait_ready(base).await;
    process
}
