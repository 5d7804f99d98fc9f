//! `latchkey-bench --scale N`: Latchkey on a database seeded with N users and what hangs off
//! them (`seed`), beside Latchkey on an empty one, same machine, same run, A/B alternated:
//! every protocol operation, complete sign-ins of seeded users, the management lookups
//! (`manage`), and the footprint: disk, memory, start-up, backup, migration (`report`).

mod manage;
mod report;
mod seed;

use std::path::Path;
use std::time::{Duration, Instant};

pub use report::Report;

use crate::Args;
use crate::launch::Launcher;
use crate::ops::Op;
use crate::process::{self, PeakSampler};
use crate::report::{Measured, Side};
use crate::run::{self, Contender};
use crate::wrk::{Load, Outcome};
use crate::{flow, setup};

pub async fn run(args: &Args, users: u64) -> anyhow::Result<Report> {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let binary = process::latchkey_binary(!args.no_build)?;
    let work = tempfile::tempdir()?;
    let load = Load {
        threads: cores,
        connections: args.connections,
        seconds: args.seconds(),
    };
    let head = crate::report::Report::new(args, cores, load, process::size_of(&binary));
    let (empty_url, seeded_url) = match &args.postgres {
        Some(url) => (
            latchkey_store::testing::fresh_postgres_schema(url).await,
            latchkey_store::testing::fresh_postgres_schema(url).await,
        ),
        None => (
            format!("sqlite://{}/empty/latchkey.db", work.path().display()),
            format!("sqlite://{}/seeded/latchkey.db", work.path().display()),
        ),
    };
    let empty = Launcher::new(&binary, empty_url.clone(), work.path().join("empty"))?;
    let seeded = Launcher::new(&binary, seeded_url.clone(), work.path().join("seeded"))?;

    eprintln!("starting Latchkey on an empty database");
    let mut a = run::start(&empty, Side::Latchkey).await?;
    eprintln!("setting up Latchkey on the database to seed");
    let bootstrap = seeded.bootstrap()?;
    let (mut server, _) = seeded.serve("ES256")?;
    let mut target = setup::latchkey(&seeded.base, &bootstrap).await?;
    let filled = seed::fill(&seeded_url, &target, users).await?;
    server.stop();
    let (disk, tables) = seed::footprint(&seeded_url).await?;
    let disk_empty = seed::disk(&empty_url).await?;

    eprintln!("measuring start-up on both databases");
    a.server.stop();
    let startup_empty = startup(&empty)?;
    let startup = startup(&seeded)?;
    a.server = empty.serve("ES256")?.0;
    target.name = "Latchkey, seeded";
    target.population = Some((users, filled.at_ms));
    let mut b = run::contender(target, seeded.serve("ES256")?.0, Side::Scaled).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = b.server.rss();
    let mut peak_rss = idle_rss;

    let mut rows = Vec::new();
    // RS256 access tokens need a restart with another setting; the operation is the same
    // client-credentials path as ES256's.
    let ops = Op::ALL
        .into_iter()
        .filter(|&op| op != Op::ClientCredentialsRs256 && run::selected(args, op.label()));
    for op in ops {
        let mut measured = Measured::new(op);
        for round in 0..args.rounds() {
            for c in [&a, &b] {
                eprintln!("{} / {} / round {}", op.label(), c.target.name, round + 1);
                let rate = measured
                    .best_rate(c.side)
                    .unwrap_or_else(|| run::first_guess(op, c.side, &head));
                let (outcome, peak) = run::measure(op, c, rate, load, work.path())
                    .await
                    .unwrap_or_else(|e| (failed(op.label(), e), 0));
                eprintln!(
                    "  {:.0} req/s, p99 {:.2} ms",
                    outcome.requests_per_second, outcome.p99_ms
                );
                if c.side == Side::Scaled {
                    peak_rss = peak_rss.max(peak);
                }
                measured.push(c.side, outcome);
            }
        }
        rows.push(measured);
    }
    let sign_ins = match run::selected(args, "complete sign-in") {
        true => Some(sign_ins(args, &a, &b, cores, load, &mut peak_rss).await?),
        false => None,
    };
    let lookups = lookups(
        args,
        &a,
        &b,
        cores,
        load.seconds,
        work.path(),
        &mut peak_rss,
    )
    .await?;

    eprintln!("backup, migration and disk size");
    let backup = backup(args, &seeded, &seeded_url, work.path())?;
    a.server.stop();
    b.server.stop();
    let migrate = seeded.time(&["migrate"])?;
    let rehearsal = seed::migration(&seeded_url).await?;
    let disk_after = seed::disk(&seeded_url).await?;
    if std::env::var_os("LATCHKEY_BENCH_KEEP").is_some() {
        eprintln!("kept the databases and logs in {}", work.keep().display());
    }
    Ok(Report {
        head,
        seeded: filled,
        disk,
        tables,
        disk_empty,
        disk_after,
        startup,
        startup_empty,
        idle_rss,
        peak_rss,
        rows,
        sign_ins,
        lookups,
        backup,
        migrate,
        rehearsal,
    })
}

/// Start-up to ready, median of five.
fn startup(launcher: &Launcher) -> anyhow::Result<Duration> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let (mut server, time) = launcher.serve("ES256")?;
        times.push(time);
        server.stop();
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Complete sign-ins on each side, alternated: the benchmark user on the empty database,
/// seeded users at random on the other.
async fn sign_ins(
    args: &Args,
    a: &Contender,
    b: &Contender,
    cores: usize,
    load: Load,
    peak_rss: &mut u64,
) -> anyhow::Result<(f64, f64)> {
    let (mut empty, mut seeded) = (0.0, 0.0);
    for round in 0..args.rounds() {
        eprintln!("complete sign-ins / round {}", round + 1);
        empty += flow::sign_ins(&a.target, cores * 8, load.seconds.max(2)).await?;
        let sampler = PeakSampler::start(vec![b.server.pid()]);
        seeded += flow::sign_ins(&b.target, cores * 8, load.seconds.max(2)).await?;
        *peak_rss = (*peak_rss).max(sampler.finish());
    }
    let rounds = args.rounds() as f64;
    Ok((empty / rounds, seeded / rounds))
}

/// Each management lookup at 8 clients on each side, alternated.
async fn lookups(
    args: &Args,
    a: &Contender,
    b: &Contender,
    cores: usize,
    seconds: u64,
    work: &Path,
    peak_rss: &mut u64,
) -> anyhow::Result<Vec<report::LookupRow>> {
    let load = Load {
        threads: cores.min(8),
        connections: 8,
        seconds,
    };
    let (id_a, cookie_a) = manage::console_session(&a.server.base, &a.target).await?;
    let (id_b, cookie_b) = manage::console_session(&b.server.base, &b.target).await?;
    let empty = manage::lookups(&a.target, &id_a, &cookie_a);
    let seeded = manage::lookups(&b.target, &id_b, &cookie_b);
    let mut rows = Vec::new();
    for (on_empty, on_seeded) in empty.into_iter().zip(seeded) {
        let mut row = report::LookupRow {
            label: on_empty.label,
            empty: Vec::new(),
            seeded: Vec::new(),
        };
        for round in 0..args.rounds() {
            eprintln!("{} / round {}", row.label, round + 1);
            let dir = work.join("lookups");
            std::fs::create_dir_all(&dir)?;
            let request = on_empty.request.clone();
            let outcome = run::run_wrk(load, &a.server.base, request, &dir).await;
            row.empty
                .push(outcome.unwrap_or_else(|e| failed(row.label, e)));
            let sampler = PeakSampler::start(vec![b.server.pid()]);
            let request = on_seeded.request.clone();
            let outcome = run::run_wrk(load, &b.server.base, request, &dir).await;
            row.seeded
                .push(outcome.unwrap_or_else(|e| failed(row.label, e)));
            *peak_rss = (*peak_rss).max(sampler.finish());
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A measurement that failed (wrk saw no answer in its timeout, say): nothing served, its
/// latency unbounded, so that the targets it judges fail and a run that took an hour to get
/// here still writes its report.
fn failed(what: &str, error: anyhow::Error) -> Outcome {
    eprintln!("  {what}: {error:#}; recorded as failed");
    Outcome {
        requests_per_second: 0.0,
        p50_ms: f64::INFINITY,
        p99_ms: f64::INFINITY,
        requests: 0,
        errors: 1,
    }
}

/// `latchkey backup` of the SQLite file while the server runs, or `pg_dump` of the schema:
/// how long it took and what it wrote.
fn backup(
    args: &Args,
    seeded: &Launcher,
    url: &str,
    work: &Path,
) -> anyhow::Result<Option<(Duration, u64)>> {
    let file = work.join("backup.db");
    let time = match &args.postgres {
        None => seeded.time(&["backup", "--to", &file.to_string_lossy()])?,
        Some(_) => {
            let Some((base, schema)) = url.split_once("options=-c%20search_path%3D") else {
                return Ok(None);
            };
            let started = Instant::now();
            let status = std::process::Command::new("pg_dump")
                .args(["-Fc", "-n", schema, "-f"])
                .arg(&file)
                .arg(base.trim_end_matches(['?', '&']))
                .status();
            match status {
                Ok(s) if s.success() => started.elapsed(),
                _ => return Ok(None),
            }
        }
    };
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    Ok(Some((time, size)))
}
