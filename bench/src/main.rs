//! `latchkey-bench`: Latchkey against node-oidc-provider on the same machine, in the same run,
//! alternating A, B, A, B, with the same load generator. See `docs/benchmarks.md`.

mod browser;
mod floor;
mod flow;
mod launch;
mod micro;
mod ops;
mod peer;
mod process;
mod report;
mod run;
mod scale;
mod setup;
mod signer;
mod targets;
mod wrk;

use std::time::Duration;

use clap::Parser;

/// Measure Latchkey (and, with --peer, node-oidc-provider) and print one table.
#[derive(Debug, Parser)]
#[command(name = "latchkey-bench")]
pub struct Args {
    /// Also start node-oidc-provider (installed from npm into a temporary folder) and compare
    #[arg(long)]
    peer: bool,
    /// A few seconds per operation, one round, targets reported but not judged
    #[arg(long)]
    quick: bool,
    /// Run Latchkey on a new schema of this PostgreSQL database instead of a fresh SQLite file
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Seconds per run of one operation [default: 10, quick: 1]
    #[arg(long)]
    seconds: Option<u64>,
    /// Rounds of A/B per operation [default: 2, quick: 1]
    #[arg(long)]
    rounds: Option<usize>,
    /// Connections the load generator keeps open
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Use the latchkey binary already built instead of running cargo build --release
    #[arg(long)]
    no_build: bool,
    /// Only the operations whose name contains this text, or one of these texts separated by commas (for profiling)
    #[arg(long, value_name = "TEXT")]
    only: Option<String>,
    /// Seed a database with this many users (and their grants, tokens, audit entries and
    /// organizations) and measure Latchkey on it beside an empty one [default: 1000000]
    #[arg(long, value_name = "USERS", num_args = 0..=1, default_missing_value = "1000000")]
    scale: Option<u64>,
    /// Also write the report (Markdown) to this file
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

impl Args {
    fn seconds(&self) -> u64 {
        self.seconds.unwrap_or(if self.quick { 1 } else { 10 })
    }

    fn rounds(&self) -> usize {
        self.rounds.unwrap_or(if self.quick { 1 } else { 2 })
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("latchkey-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(async {
        match args.scale {
            Some(users) => scale::run(&args, users).await.map(|r| r.markdown()),
            None => run::all(&args).await.map(|r| r.markdown()),
        }
    });
    match report {
        Ok(text) => {
            println!("{text}");
            if let Some(path) = &args.out
                && let Err(e) = std::fs::write(path, &text)
            {
                eprintln!("latchkey-bench: cannot write {}: {e}", path.display());
                return std::process::ExitCode::FAILURE;
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("latchkey-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// How long the micro-benchmarks run.
fn micro_duration(args: &Args) -> Duration {
    Duration::from_millis(if args.quick { 500 } else { 3000 })
}
