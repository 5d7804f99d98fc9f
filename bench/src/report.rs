//! What a run measured, its medians, the targets judged against them, and the
//! Markdown the benchmark prints (and the README and `docs/benchmarks.md` quote).

use std::fmt::Write;
use std::time::Duration;

use crate::Args;
use crate::floor::SameCost;
use crate::ops::Op;
use crate::wrk::{Load, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Latchkey,
    Peer,
    /// Latchkey on a fresh SQLite file, beside Latchkey on PostgreSQL (`--postgres`).
    Sqlite,
    /// Latchkey on the seeded database, beside Latchkey on an empty one (`--scale`).
    Scaled,
}

/// Resident memory of one server, in bytes (the peer's counts all its workers).
#[derive(Debug, Default)]
pub struct Footprint {
    pub idle_rss: u64,
    pub peak_rss: u64,
}

/// Every run of one operation, on every side.
#[derive(Debug)]
pub struct Measured {
    pub op: Op,
    latchkey: Vec<Outcome>,
    peer: Vec<Outcome>,
    sqlite: Vec<Outcome>,
    scaled: Vec<Outcome>,
}

/// Medians over the rounds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub rps: f64,
    pub p50: f64,
    pub p99: f64,
    pub errors: u64,
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Measured {
    pub fn new(op: Op) -> Self {
        Self {
            op,
            latchkey: Vec::new(),
            peer: Vec::new(),
            sqlite: Vec::new(),
            scaled: Vec::new(),
        }
    }

    fn runs(&self, side: Side) -> &Vec<Outcome> {
        match side {
            Side::Latchkey => &self.latchkey,
            Side::Peer => &self.peer,
            Side::Sqlite => &self.sqlite,
            Side::Scaled => &self.scaled,
        }
    }

    pub fn push(&mut self, side: Side, outcome: Outcome) {
        match side {
            Side::Latchkey => self.latchkey.push(outcome),
            Side::Peer => self.peer.push(outcome),
            Side::Sqlite => self.sqlite.push(outcome),
            Side::Scaled => self.scaled.push(outcome),
        }
    }

    pub fn best_rate(&self, side: Side) -> Option<f64> {
        self.runs(side)
            .iter()
            .map(|o| o.requests_per_second)
            .max_by(f64::total_cmp)
    }

    pub fn summary(&self, side: Side) -> Option<Summary> {
        let runs = self.runs(side);
        (!runs.is_empty()).then(|| Summary {
            rps: median(runs.iter().map(|o| o.requests_per_second).collect()),
            p50: median(runs.iter().map(|o| o.p50_ms).collect()),
            p99: median(runs.iter().map(|o| o.p99_ms).collect()),
            errors: runs.iter().map(|o| o.errors).sum(),
        })
    }

    /// Latchkey's median rate over the peer's.
    pub fn ratio(&self) -> Option<f64> {
        let (ours, theirs) = (self.summary(Side::Latchkey)?, self.summary(Side::Peer)?);
        (theirs.rps > 0.0).then(|| ours.rps / theirs.rps)
    }
}

#[derive(Debug)]
pub struct Report {
    pub command: String,
    pub date: String,
    pub machine: String,
    pub cores: usize,
    pub load: Load,
    pub quick: bool,
    pub backend: &'static str,
    pub binary_size: u64,
    pub rsa_signs: f64,
    pub argon2_verifies: f64,
    /// Complete sign-ins per second (None: not measured, `--only` left them out).
    pub sign_ins: Option<f64>,
    pub startup: Option<Duration>,
    pub peer_startup: Option<Duration>,
    pub peer_version: Option<String>,
    pub latchkey: Footprint,
    pub peer: Footprint,
    /// Latchkey on SQLite in a `--postgres` run (its footprint is not reported).
    pub sqlite: Footprint,
    pub rows: Vec<Measured>,
    /// A bare axum server serving Latchkey's JWKS bytes under the same load (`floor.rs`).
    pub floor: Option<Outcome>,
    /// The same bare server signing an ES256 token per client-credentials request.
    pub es256_floor: Option<Outcome>,
    /// The same bare server signing an RS256 token per client-credentials request.
    pub rs256_floor: Option<Outcome>,
    /// The same bare server spending Latchkey's CPU per answer, for each p99 target.
    pub same_cost: Vec<SameCost>,
    /// Bare servers doing Latchkey's PostgreSQL work, through each driver (`--postgres`).
    pub postgres_floors: Vec<crate::floor::postgres::Floor>,
}

impl Report {
    pub fn new(args: &Args, cores: usize, load: Load, binary_size: u64) -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_else(|| "unknown CPU".into());
        let date = std::process::Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let given: Vec<String> = std::env::args().skip(1).collect();
        Self {
            command: format!(
                "cargo run --release -p latchkey-bench -- {}",
                given.join(" ")
            ),
            date,
            machine: format!("{cores} cores, {cpu}"),
            cores,
            load,
            quick: args.quick,
            backend: if args.postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            binary_size,
            rsa_signs: 0.0,
            argon2_verifies: 0.0,
            sign_ins: None,
            startup: None,
            peer_startup: None,
            peer_version: None,
            latchkey: Footprint::default(),
            peer: Footprint::default(),
            sqlite: Footprint::default(),
            rows: Vec::new(),
            floor: None,
            es256_floor: None,
            rs256_floor: None,
            same_cost: Vec::new(),
            postgres_floors: Vec::new(),
        }
    }

    pub fn side(&mut self, side: Side) -> &mut Footprint {
        match side {
            Side::Latchkey => &mut self.latchkey,
            Side::Peer => &mut self.peer,
            // A scale run keeps its own footprints (`scale::Report`).
            Side::Sqlite | Side::Scaled => &mut self.sqlite,
        }
    }

    pub fn row(&self, op: Op) -> Option<&Measured> {
        self.rows.iter().find(|m| m.op == op)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let peer = self.peer_version.as_deref().map_or("not run".into(), |v| {
            format!("oidc-provider {v}, {} workers, in-memory store", self.cores)
        });
        let _ = writeln!(out, "Command: `{}`  ", self.command.trim_end());
        let _ = writeln!(out, "Date: {}; machine: {}  ", self.date, self.machine);
        let sqlite = self.rows.iter().any(|m| m.summary(Side::Sqlite).is_some());
        let beside = if sqlite { " (and on SQLite)" } else { "" };
        let _ = writeln!(
            out,
            "Load: wrk, {} threads, {} connections, {} s per run, A/B alternated; Latchkey on {}{beside}; peer: {peer}\n",
            self.load.threads, self.load.connections, self.load.seconds, self.backend
        );
        let (head, rule) = match sqlite {
            true => (" on SQLite req/s | p50 / p99 ms |", "---:|---:|"),
            false => ("", ""),
        };
        let _ = writeln!(
            out,
            "| operation | Latchkey req/s | p50 / p99 ms |{head} peer req/s | p50 / p99 ms | ratio |"
        );
        let _ = writeln!(out, "|---|---:|---:|{rule}---:|---:|---:|");
        for m in &self.rows {
            let cell = |s: Option<Summary>| match s {
                Some(s) => {
                    let errors = if s.errors > 0 {
                        format!(" ({} errors)", s.errors)
                    } else {
                        String::new()
                    };
                    (
                        format!("{:.0}{errors}", s.rps),
                        format!("{:.2} / {:.2}", s.p50, s.p99),
                    )
                }
                None => ("-".into(), "-".into()),
            };
            let (ours, ours_latency) = cell(m.summary(Side::Latchkey));
            let (theirs, theirs_latency) = cell(m.summary(Side::Peer));
            let ratio = m.ratio().map_or("-".into(), |r| format!("{r:.1}x"));
            let on_sqlite = match sqlite {
                true => {
                    let (rate, latency) = cell(m.summary(Side::Sqlite));
                    format!(" {rate} | {latency} |")
                }
                false => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {ours} | {ours_latency} |{on_sqlite} {theirs} | {theirs_latency} | {ratio} |",
                m.op.label()
            );
        }
        if let Some(sign_ins) = self.sign_ins {
            let _ = writeln!(
                out,
                "| complete sign-in (argon2id) | {sign_ins:.1}/s | |{} - | | |",
                if sqlite { " - | |" } else { "" }
            );
        }
        let mb = |bytes: u64| format!("{:.1} MB", bytes as f64 / 1e6);
        let ms = |d: Option<Duration>| {
            d.map_or("-".into(), |d| {
                format!("{:.0} ms", d.as_secs_f64() * 1000.0)
            })
        };
        let _ = writeln!(out, "\n| footprint | Latchkey | peer |\n|---|---:|---:|");
        let _ = writeln!(
            out,
            "| idle RSS | {} | {} |",
            mb(self.latchkey.idle_rss),
            mb(self.peer.idle_rss)
        );
        let _ = writeln!(
            out,
            "| peak RSS under load | {} | {} |",
            mb(self.latchkey.peak_rss),
            mb(self.peer.peak_rss)
        );
        let _ = writeln!(
            out,
            "| start-up to ready (existing database) | {} | {} |",
            ms(self.startup),
            ms(self.peer_startup)
        );
        let _ = writeln!(out, "| binary size | {} | - |", mb(self.binary_size));
        let _ = writeln!(
            out,
            "\nMachine limits ({} threads): RSA-2048 signing {:.0}/s, argon2id verification (m=19 MiB, t=2, p=1) {:.1}/s.\n",
            self.cores, self.rsa_signs, self.argon2_verifies
        );
        out += &crate::floor::markdown(self);
        out += &crate::floor::postgres::markdown(self);
        out += &crate::targets::rsa_bound(self);
        out += &crate::targets::table(self);
        out
    }

    pub fn ratio(&self, op: Op) -> Option<f64> {
        self.row(op)?.ratio()
    }

    pub fn latchkey(&self, op: Op) -> Option<Summary> {
        self.row(op)?.summary(Side::Latchkey)
    }
}
