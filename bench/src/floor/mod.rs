//! What this machine allows any Rust HTTP server under the same load: a bare axum server (one
//! handler, no middleware, no logging, as many worker threads as cores) answering either with
//! Latchkey's own JWKS bytes, or with a token signed with ES256 or RS256 (aws-lc-rs, as
//! Latchkey signs) per request, or with the JWKS bytes after spinning on the CPU for as long as
//! Latchkey spends beyond the bare server on one operation. The distance from it to Latchkey
//! is Latchkey's own cost; its p99 is the tail the kernel and the load generator add to every
//! answer of that cost, which is what a p99 target at a given rate meets on this machine.

pub mod postgres;

use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::header;

use crate::ops::Op;
use crate::report::Report;
use crate::setup::Target;
use crate::signer::{Algorithm, Signer};
use crate::wrk::{self, Load, Outcome, Request};

/// The operations with a p99 target, each served again by a bare server of the same cost.
const TAILS: [Op; 3] = [Op::Discovery, Op::ClientCredentialsEs256, Op::Introspection];

/// What the bare server answers.
pub enum Answer {
    /// The same bytes every time, after `spins` turns of [`spin`] (none: 0).
    Fixed { body: Bytes, spins: u64 },
    /// A token response whose JWT is signed for each request.
    Token(Algorithm),
}

/// A bare server that spent on each answer the CPU Latchkey spends beyond the bare JWKS
/// server on `op`: cores divided by each one's rate, the difference (`wrk`'s own share, the
/// same on both, cancels out).
#[derive(Debug)]
pub struct SameCost {
    pub op: Op,
    pub cost_us: f64,
    pub outcome: Outcome,
}

/// Latchkey's server whose answers the floors are modelled on.
pub struct Model<'a> {
    pub target: &'a Target,
    pub base: &'a str,
    pub access_token: &'a str,
    /// The PostgreSQL Latchkey ran on (`--postgres`), for the bare servers doing its work.
    pub postgres: Option<&'a str>,
    pub rounds: usize,
}

/// Every floor that the selected operations call for, into `report`: the bare JWKS server,
/// the bare ES256 signer, and a bare server of the same cost for each operation with a p99
/// target that was measured.
pub async fn measure(
    report: &mut Report,
    selected: impl Fn(&str) -> bool,
    model: Model<'_>,
    work: &Path,
) -> anyhow::Result<()> {
    let load = report.load;
    let jwks_request = || Request {
        method: "GET",
        path: "/jwks".into(),
        headers: Vec::new(),
        body: wrk::Body::None,
    };
    let url = format!(
        "{}{}",
        model.base,
        model.target.path(model.base, &model.target.jwks_path)
    );
    let jwks = reqwest::get(&url)
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    if selected("JWKS") {
        eprintln!("JWKS bytes from a bare axum server");
        let answer = Answer::Fixed {
            body: jwks.clone(),
            spins: 0,
        };
        report.floor = Some(serve(load, answer, jwks_request(), work).await?);
    }
    if selected("client_credentials, ES256") {
        eprintln!("ES256 tokens from a bare axum server");
        let request = Op::ClientCredentialsEs256.request(model.target, model.base, "", vec![]);
        let answer = Answer::Token(Algorithm::Es256);
        report.es256_floor = Some(serve(load, answer, request, work).await?);
    }
    if selected("client_credentials, RS256") {
        eprintln!("RS256 tokens from a bare axum server");
        let request = Op::ClientCredentialsRs256.request(model.target, model.base, "", vec![]);
        let answer = Answer::Token(Algorithm::Rs256);
        report.rs256_floor = Some(serve(load, answer, request, work).await?);
    }
    if let Some(url) = model.postgres {
        let ran = |ops: &[Op]| ops.iter().any(|&op| report.latchkey(op).is_some());
        let works: Vec<postgres::Work> = [
            (
                ran(&[Op::Introspection, Op::Userinfo]),
                postgres::Work::Read,
            ),
            (
                ran(&[Op::CodeRedemption, Op::RefreshRotation]),
                postgres::Work::Use(Algorithm::Rs256),
            ),
            (
                ran(&[Op::CodeRedemptionEs256, Op::RefreshRotationEs256]),
                postgres::Work::Use(Algorithm::Es256),
            ),
        ]
        .into_iter()
        .filter_map(|(ran, work)| ran.then_some(work))
        .collect();
        postgres::measure(report, &works, url, model.rounds, work).await?;
    }
    let Some(floor) = report.floor.as_ref().map(|f| f.requests_per_second) else {
        return Ok(());
    };
    let spins_per_us = tokio::task::spawn_blocking(spins_per_us).await?;
    for op in TAILS {
        let Some(ours) = report.latchkey(op) else {
            continue;
        };
        eprintln!("a bare axum server as costly as Latchkey's {}", op.label());
        let cost_us = (report.cores as f64 * 1e6 * (1.0 / ours.rps - 1.0 / floor)).max(0.0);
        let answer = Answer::Fixed {
            body: jwks.clone(),
            spins: (cost_us * spins_per_us) as u64,
        };
        let request = op.request(model.target, model.base, model.access_token, vec![]);
        let outcome = serve(load, answer, request, work).await?;
        report.same_cost.push(SameCost {
            op,
            cost_us,
            outcome,
        });
    }
    Ok(())
}

/// The bare servers' paragraphs of the report.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    if let Some(floor) = &report.floor {
        let share = report.latchkey(Op::Jwks).map_or(String::new(), |jwks| {
            let percent = 100.0 * jwks.rps / floor.requests_per_second;
            format!(" Latchkey's JWKS reaches {percent:.0}% of it.")
        });
        let _ = writeln!(
            out,
            "A bare axum server (one handler, no middleware, no logging) answering with the same JWKS bytes under the same load: {:.0} req/s, p50 / p99 {:.2} / {:.2} ms.{share}\n",
            floor.requests_per_second, floor.p50_ms, floor.p99_ms
        );
    }
    if let Some(floor) = &report.es256_floor {
        let _ = writeln!(
            out,
            "The same bare server signing an ES256 token (P-256, aws-lc-rs) for each client-credentials request under the same load: {:.0} req/s, p50 / p99 {:.2} / {:.2} ms.\n",
            floor.requests_per_second, floor.p50_ms, floor.p99_ms
        );
    }
    if let Some(floor) = &report.rs256_floor {
        let _ = writeln!(
            out,
            "The same bare server signing an RS256 token (RSA-2048, aws-lc-rs) for each client-credentials request under the same load: {:.0} req/s ({:.0}% of the RSA-2048 signing rate), p50 / p99 {:.2} / {:.2} ms.\n",
            floor.requests_per_second,
            100.0 * floor.requests_per_second / report.rsa_signs.max(1.0),
            floor.p50_ms,
            floor.p99_ms
        );
    }
    if !report.same_cost.is_empty() {
        let _ = writeln!(
            out,
            "The same bare server spinning on the CPU, before it answers with the JWKS bytes, for as long as Latchkey spends per answer beyond it (from the two rates), under the same load: the tail this machine gives answers of that cost.\n\n| as costly as | CPU per answer beyond the bare server | req/s | p50 / p99 ms |\n|---|---:|---:|---:|"
        );
        for same in &report.same_cost {
            let o = &same.outcome;
            let _ = writeln!(
                out,
                "| {} | {:.0} µs | {:.0} | {:.2} / {:.2} |",
                same.op.label(),
                same.cost_us,
                o.requests_per_second,
                o.p50_ms,
                o.p99_ms
            );
        }
        out.push('\n');
    }
    out
}

async fn serve(
    load: Load,
    answer: Answer,
    request: Request,
    work: &Path,
) -> anyhow::Result<Outcome> {
    let dir = work.join("run-floor");
    std::fs::create_dir_all(&dir)?;
    tokio::task::spawn_blocking(move || bare_axum(load, answer, &request, &dir)).await?
}

/// Serve `answer` from a bare server and measure it with `load` sending `request` (any path
/// and method reach the one handler). Blocks: call it off the benchmark's own runtime.
pub fn bare_axum(
    load: Load,
    answer: Answer,
    request: &Request,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    serve_app(load, request, dir, |_| {
        Ok(match answer {
            Answer::Fixed { body, spins } => axum::Router::new().fallback(move || {
                let body = body.clone();
                async move {
                    spin(spins);
                    ([(header::CONTENT_TYPE, "application/json")], body)
                }
            }),
            Answer::Token(algorithm) => {
                let signer = Arc::new(Signer::new(algorithm)?);
                axum::Router::new().fallback(move || {
                    let signer = signer.clone();
                    async move {
                        let body = signer.token_response();
                        ([(header::CONTENT_TYPE, "application/json")], body)
                    }
                })
            }
        })
    })
}

/// Serve the router `app` builds (on the runtime it is given, one worker thread per load
/// thread) and measure it with `load` sending `request`. Blocks: call it off the benchmark's
/// own runtime.
pub fn serve_app(
    load: Load,
    request: &Request,
    dir: &Path,
    app: impl FnOnce(&tokio::runtime::Runtime) -> anyhow::Result<axum::Router>,
) -> anyhow::Result<Outcome> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(load.threads)
        .enable_all()
        .build()?;
    let app = app(&runtime)?;
    runtime.spawn(async move {
        if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
            let _ = axum::serve(listener, app).await;
        }
    });
    let outcome = wrk::run(load, &base, request, dir);
    runtime.shutdown_background();
    outcome
}

/// CPU work the compiler cannot remove, `turns` steps of it.
fn spin(turns: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..turns {
        x = std::hint::black_box(x.rotate_left(5) ^ 0x5851_f42d);
    }
    x
}

/// Turns of [`spin`] per microsecond on one core: the fastest of five tries, the one least
/// disturbed by whatever else the machine was doing.
fn spins_per_us() -> f64 {
    let turns = 5_000_000;
    (0..5)
        .map(|_| {
            let start = Instant::now();
            spin(turns);
            turns as f64 / start.elapsed().as_secs_f64() / 1e6
        })
        .fold(0.0, f64::max)
}
