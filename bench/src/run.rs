//! One benchmark run from start to end: the machine's limits, both servers started and set
//! up, every operation measured A, B, A, B, then Latchkey's start-up time.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::Args;
use crate::launch::Launcher;
use crate::ops::Op;
use crate::process::{self, PeakSampler, Server};
use crate::report::{Measured, Report, Side};
use crate::setup::{self, Target};
use crate::wrk::{self, Load};
use crate::{floor, flow, micro, peer};

/// One server under test with what the benchmark keeps for it.
pub(crate) struct Contender {
    pub target: Target,
    pub server: Server,
    pub access_token: String,
    pub side: Side,
}

pub async fn all(args: &Args) -> anyhow::Result<Report> {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let binary = process::latchkey_binary(!args.no_build)?;
    let work = tempfile::tempdir()?;
    let load = Load {
        threads: cores,
        connections: args.connections,
        seconds: args.seconds(),
    };
    let mut report = Report::new(args, cores, load, process::size_of(&binary));

    eprintln!("measuring the machine: RSA-2048 signing and argon2id on {cores} threads");
    report.rsa_signs = micro::rsa_signs(cores, crate::micro_duration(args))?;
    report.argon2_verifies = micro::argon2_verifies(cores, crate::micro_duration(args))?;

    let database = match &args.postgres {
        Some(url) => latchkey_store::testing::fresh_postgres_schema(url).await,
        None => format!("sqlite://{}/latchkey.db", work.path().display()),
    };
    let mut launchers = vec![Launcher::new(
        &binary,
        database,
        work.path().join("latchkey"),
    )?];
    let mut contenders = Vec::new();
    eprintln!("starting Latchkey on {}", report.backend);
    contenders.push(start(&launchers[0], Side::Latchkey).await?);
    if args.postgres.is_some() {
        // The same operations on SQLite, for the targets set against SQLite's rates.
        let dir = work.path().join("sqlite");
        let database = format!("sqlite://{}/latchkey.db", dir.display());
        launchers.push(Launcher::new(&binary, database, dir)?);
        eprintln!("starting Latchkey on SQLite");
        contenders.push(start(&launchers[1], Side::Sqlite).await?);
    }

    if args.peer {
        let dir = work.path().join("peer");
        std::fs::create_dir_all(&dir)?;
        eprintln!("installing the peer from npm");
        peer::install(&dir)?;
        report.peer_version = Some(peer::version(&dir));
        let port = process::free_port()?;
        let (server, started) = peer::start(&dir, port, cores)?;
        report.peer_startup = Some(started);
        let target = Target::peer(&server.base.clone());
        contenders.push(contender(target, server, Side::Peer).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for c in &contenders {
        report.side(c.side).idle_rss = c.server.rss();
    }

    // Like argon2id's below, the RSA rate drifts from minute to minute: it is measured
    // again around each operation that signs with RSA, and the limit is the mean.
    let mut rsa = vec![report.rsa_signs];
    for op in Op::ALL {
        if op == Op::ClientCredentialsRs256 {
            eprintln!("measuring Latchkey's start-up on the existing database");
            for c in contenders.iter_mut().filter(|c| c.side != Side::Peer) {
                c.server.stop();
            }
            let mut times = Vec::new();
            for _ in 0..5 {
                let (mut server, time) = launchers[0].serve("ES256")?;
                times.push(time);
                server.stop();
            }
            times.sort();
            report.startup = times.get(times.len() / 2).copied();
            // Latchkey's contenders come first, in the order of their launchers.
            for (c, launcher) in contenders.iter_mut().zip(&launchers) {
                c.server = launcher.serve("RS256")?.0;
            }
        }
        if !selected(args, op.label()) {
            continue;
        }
        if op.signs_rsa() {
            rsa.push(micro::rsa_signs(cores, crate::micro_duration(args))?);
        }
        let mut measured = Measured::new(op);
        for round in 0..args.rounds() {
            for c in &contenders {
                eprintln!("{} / {} / round {}", op.label(), c.target.name, round + 1);
                let rate = measured
                    .best_rate(c.side)
                    .unwrap_or_else(|| first_guess(op, c.side, &report));
                let (outcome, peak) = measure(op, c, rate, load, work.path()).await?;
                let side = report.side(c.side);
                side.peak_rss = side.peak_rss.max(peak);
                measured.push(c.side, outcome);
            }
        }
        report.rows.push(measured);
        if op.signs_rsa() {
            rsa.push(micro::rsa_signs(cores, crate::micro_duration(args))?);
            report.rsa_signs = rsa.iter().sum::<f64>() / rsa.len() as f64;
        }
    }
    if selected(args, "complete sign-in") {
        eprintln!("complete sign-ins at Latchkey");
        let c = &contenders[0];
        let sampler = PeakSampler::start(vec![c.server.pid()]);
        // The machine's speed drifts by more than the margin judged here, so its argon2id
        // rate is measured again before and after each round and the mean is the limit.
        let limit = || micro::argon2_verifies(cores, crate::micro_duration(args));
        let mut limits = vec![limit()?];
        let mut sign_ins = 0.0;
        for _ in 0..args.rounds() {
            sign_ins += flow::sign_ins(&c.target, cores * 8, load.seconds.max(2)).await?;
            limits.push(limit()?);
        }
        report.sign_ins = Some(sign_ins / args.rounds() as f64);
        report.argon2_verifies = limits.iter().sum::<f64>() / limits.len() as f64;
        let side = report.side(Side::Latchkey);
        side.peak_rss = side.peak_rss.max(sampler.finish());
    }
    let c = &contenders[0];
    let model = floor::Model {
        target: &c.target,
        base: &c.server.base,
        access_token: &c.access_token,
        postgres: args.postgres.as_deref(),
        rounds: args.rounds(),
    };
    floor::measure(
        &mut report,
        |label| selected(args, label),
        model,
        work.path(),
    )
    .await?;
    for mut c in contenders {
        c.server.stop();
    }
    Ok(report)
}

/// Bootstrap and start the Latchkey of `launcher`, and set it up as a contender.
pub(crate) async fn start(launcher: &Launcher, side: Side) -> anyhow::Result<Contender> {
    let bootstrap = launcher.bootstrap()?;
    let (server, _) = launcher.serve("ES256")?;
    let mut target = setup::latchkey(&launcher.base, &bootstrap).await?;
    if side == Side::Sqlite {
        target.name = "Latchkey on SQLite";
    }
    contender(target, server, side).await
}

/// Sign in once (the session then yields codes without a form) and get an access token.
pub(crate) async fn contender(
    target: Target,
    server: Server,
    side: Side,
) -> anyhow::Result<Contender> {
    let http = crate::browser::http()?;
    let code = flow::code(&target, &crate::browser::browser(&http)).await?;
    let tokens = flow::redeem(&http, &target, &code).await?;
    let access_token = tokens["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    Ok(Contender {
        target,
        server,
        access_token,
        side,
    })
}

/// One run of `op` at one server: what it consumes prepared first, then the load; the
/// outcome and the server's peak memory. A code redemption whose codes ran out before the
/// end stopped short (and under-reports its rate), so it is run again with more.
pub(crate) async fn measure(
    op: Op,
    c: &Contender,
    mut rate: f64,
    load: Load,
    work: &Path,
) -> anyhow::Result<(wrk::Outcome, u64)> {
    let target = match op.es256_id_token() {
        true => c.target.with_es256_id_tokens(),
        false => c.target.clone(),
    };
    let run_dir = work.join(format!("run-{}", c.target.name));
    std::fs::create_dir_all(&run_dir)?;
    let mut attempts = 1;
    loop {
        let pool = prepare(op, &target, rate, load).await?;
        let pooled = pool.len() as u64;
        if op.pooled() {
            // The peer's workers copy each other's writes asynchronously.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // A pool cut short by its deadline feeds a shorter run.
        let load = match op.redeems_codes() {
            true => Load {
                seconds: ((pooled as f64 / (rate * 1.1)) as u64).clamp(1, load.seconds),
                ..load
            },
            false => load,
        };
        let request = op.request(&target, &c.server.base, &c.access_token, pool);
        let sampler = PeakSampler::start(vec![c.server.pid()]);
        let outcome = run_wrk(load, &c.server.base, request, &run_dir).await?;
        let peak = sampler.finish();
        // A wrk thread that finds the pool empty stops, and what it had in flight is not
        // counted: a run that ran dry answered at least all but one per connection.
        let ran_dry = outcome.requests + load.connections as u64 >= pooled;
        if !op.redeems_codes() || !ran_dry || attempts == 3 {
            return Ok((outcome, peak));
        }
        eprintln!("  the codes ran out before the end; again with more");
        rate *= 2.5;
        attempts += 1;
    }
}

/// The rate a code redemption is first prepared for: an ES256 ID token's from the RS256
/// one's at the same server (an RSA signature costs far more than the rest), else a guess.
pub(crate) fn first_guess(op: Op, side: Side, report: &Report) -> f64 {
    let rs256 = report
        .rows
        .iter()
        .find(|m| m.op == Op::CodeRedemption)
        .and_then(|m| m.best_rate(side));
    match (op.es256_id_token(), rs256) {
        (true, Some(rate)) => rate * 2.0,
        _ => 4000.0,
    }
}

/// Codes (enough for `rate` per second over the run), or refresh token families (two per
/// connection), through the real flow, for `target`'s web client.
async fn prepare(op: Op, target: &Target, rate: f64, load: Load) -> anyhow::Result<Vec<String>> {
    if !op.pooled() {
        return Ok(Vec::new());
    }
    if op.redeems_codes() {
        let count = (rate * 1.3 * load.seconds as f64) as usize + load.connections;
        // Codes live a minute (`lifetimes::CODE_MS`): a pool prepared for longer would hold
        // expired codes by the time the run reaches them (where preparing is slow, as with
        // seeded users on PostgreSQL), so preparing stops after 35 s.
        let deadline = Instant::now() + Duration::from_secs(35);
        let codes = flow::codes(target, count, 64, Some(deadline)).await?;
        // Codes and verifiers are URL-safe as they are.
        let items = codes
            .into_iter()
            .map(|c| format!("{}&code_verifier={}", c.value, c.verifier));
        return Ok(items.collect());
    }
    let families = load.connections * 2;
    if let Some((users, seeded_at)) = target.population {
        // Live refresh tokens of seeded grants, of users picked at random (`bulk`).
        let app = usize::from(op.es256_id_token());
        let live = latchkey_store::bulk::TOKENS_PER_GRANT - 1;
        let pick = |_| {
            let n = crate::setup::next_seeded(users);
            latchkey_store::bulk::refresh_token(n, app, live, seeded_at)
        };
        return Ok((0..families).map(pick).collect());
    }
    let http = crate::browser::http()?;
    let mut tokens = Vec::with_capacity(families);
    for code in flow::codes(target, families, 1, None).await? {
        let body = flow::redeem(&http, target, &code).await?;
        let token = body["refresh_token"]
            .as_str()
            .with_context(|| format!("{} issued no refresh token: {body}", target.name))?;
        tokens.push(token.to_owned());
    }
    Ok(tokens)
}

pub(crate) async fn run_wrk(
    load: Load,
    base: &str,
    request: wrk::Request,
    dir: &Path,
) -> anyhow::Result<wrk::Outcome> {
    let (base, dir) = (base.to_owned(), dir.to_owned());
    tokio::task::spawn_blocking(move || wrk::run(load, &base, &request, &dir)).await?
}

/// Whether `--only` leaves the operation `label` in (whatever the case: `--only jwks`).
pub(crate) fn selected(args: &Args, label: &str) -> bool {
    let label = label.to_lowercase();
    args.only.as_ref().is_none_or(|only| {
        only.to_lowercase()
            .split(',')
            .any(|part| label.contains(part.trim()))
    })
}
