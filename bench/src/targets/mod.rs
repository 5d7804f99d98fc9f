//! The speed and footprint targets, judged against a report: each with what was measured and whether
//! it holds. Quick mode prints them without judging.

mod postgres;
mod rsa;

pub use rsa::rsa_bound;

use std::fmt::Write;

use crate::ops::Op;
use crate::report::{Report, Side};

const MB: f64 = 1e6;

/// A target: its wording, what was measured, and whether it holds (None: not measured).
pub(crate) struct Target {
    what: String,
    measured: String,
    holds: Option<bool>,
}

/// The bare server that does only what `op` cannot do without (`floor.rs`), measured in the
/// same run: what it is, and its requests per second.
fn bare(report: &Report, op: Op) -> Option<(&'static str, f64)> {
    let (what, outcome) = match op {
        Op::Jwks => ("a bare server", report.floor.as_ref()?),
        Op::ClientCredentialsEs256 => ("a bare ES256 signer", report.es256_floor.as_ref()?),
        Op::ClientCredentialsRs256 => ("a bare RS256 signer", report.rs256_floor.as_ref()?),
        _ => return None,
    };
    Some((what, outcome.requests_per_second))
}

/// Truncated, not rounded: a ratio of 1.4985 must not read as the 1.50 it misses.
fn times(ratio: f64) -> String {
    format!("{:.2}x", (ratio * 100.0).floor() / 100.0)
}

pub(crate) fn ratio_target(report: &Report, op: Op, at_least: f64) -> Target {
    let ratio = report.ratio(op);
    let peer = report.row(op).and_then(|row| row.summary(Side::Peer));
    let beside = match (bare(report, op), peer) {
        (Some((what, rps)), Some(peer)) => format!(" ({what}: {})", times(rps / peer.rps)),
        _ => String::new(),
    };
    Target {
        what: format!("{}: at least {at_least}x the peer", op.label()),
        measured: ratio.map_or("peer not run".into(), |r| format!("{}{beside}", times(r))),
        holds: ratio.map(|r| r >= at_least),
    }
}

fn p99_target(report: &Report, op: Op) -> Target {
    let p99 = report.latchkey(op).map(|s| s.p99);
    Target {
        what: format!(
            "{}: p99 under 5 ms at {} connections",
            op.label(),
            report.load.connections
        ),
        measured: p99.map_or("-".into(), |p| {
            let same = report.same_cost.iter().find(|s| s.op == op);
            match same {
                Some(s) => format!(
                    "{p:.2} ms (a bare server as costly: {:.2} ms)",
                    s.outcome.p99_ms
                ),
                None => format!("{p:.2} ms"),
            }
        }),
        holds: p99.map(|p| p < 5.0),
    }
}

fn targets(report: &Report) -> Vec<Target> {
    if !report.postgres_floors.is_empty() {
        let mut all = postgres::targets(report);
        all.extend(footprint(report));
        return all;
    }
    let mut all = vec![
        ratio_target(report, Op::Discovery, 5.0),
        ratio_target(report, Op::ClientCredentialsEs256, 5.0),
        ratio_target(report, Op::Jwks, 4.0),
        ratio_target(report, Op::Introspection, 3.0),
    ];
    for op in [
        Op::Discovery,
        Op::Jwks,
        Op::ClientCredentialsEs256,
        Op::Introspection,
    ] {
        all.push(p99_target(report, op));
    }
    all.push(ratio_target(report, Op::ClientCredentialsRs256, 1.5));
    let rs256 = report.latchkey(Op::ClientCredentialsRs256).map(|s| s.rps);
    let share = |rate: f64| 100.0 * rate / report.rsa_signs;
    let beside = bare(report, Op::ClientCredentialsRs256).map_or(String::new(), |(what, rps)| {
        format!(" ({what}: {:.0}%)", share(rps))
    });
    all.push(Target {
        what: "client_credentials, RS256: at least 80% of the RSA-2048 signing rate".into(),
        measured: rs256.map_or("-".into(), |r| {
            format!(
                "{r:.0}/s of {:.0}/s ({:.0}%){beside}",
                report.rsa_signs,
                share(r)
            )
        }),
        holds: rs256.map(|r| r >= 0.8 * report.rsa_signs),
    });
    for op in [
        Op::CodeRedemption,
        Op::RefreshRotation,
        Op::CodeRedemptionEs256,
        Op::RefreshRotationEs256,
    ] {
        all.push(ratio_target(report, op, 2.0));
    }
    all.push(sign_ins(report, 0.8));
    all.extend(footprint(report));
    all
}

/// Complete sign-ins: at least `share` of the argon2id verifications per second.
pub(crate) fn sign_ins(report: &Report, share: f64) -> Target {
    Target {
        what: format!(
            "complete sign-ins: at least {:.0}% of the argon2id verifications per second",
            share * 100.0
        ),
        measured: report.sign_ins.map_or("-".into(), |s| {
            format!(
                "{s:.1}/s of {:.1}/s ({:.0}%)",
                report.argon2_verifies,
                100.0 * s / report.argon2_verifies
            )
        }),
        holds: report.sign_ins.map(|s| s >= share * report.argon2_verifies),
    }
}

/// Memory and start-up, the same on either backend.
fn footprint(report: &Report) -> Vec<Target> {
    let mut all = Vec::new();
    let idle = report.latchkey.idle_rss as f64 / MB;
    let peak = report.latchkey.peak_rss as f64 / MB;
    all.push(Target {
        what: "idle RSS under 30 MB".into(),
        measured: format!("{idle:.1} MB"),
        holds: Some(idle < 30.0),
    });
    all.push(Target {
        what: "RSS under load under 150 MB".into(),
        measured: format!("{peak:.1} MB"),
        holds: Some(peak < 150.0),
    });
    let startup = report.startup.map(|d| d.as_secs_f64() * 1000.0);
    all.push(Target {
        what: "start-up to ready under 300 ms on an existing database".into(),
        measured: startup.map_or("-".into(), |s| format!("{s:.0} ms")),
        holds: startup.map(|s| s < 300.0),
    });
    all
}

/// The targets as a Markdown table.
pub fn table(report: &Report) -> String {
    let mut out = String::from("| target | measured | holds |\n|---|---|---|\n");
    for t in targets(report) {
        let holds = match (report.quick, t.holds) {
            (true, _) => "not judged (quick mode)",
            (false, None) => "not measured",
            (false, Some(true)) => "yes",
            (false, Some(false)) => "**no**",
        };
        let _ = writeln!(out, "| {} | {} | {holds} |", t.what, t.measured);
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::report::Measured;
    use crate::wrk::{Load, Outcome};

    /// A load run that reached `rate` requests per second.
    pub(super) fn run(rate: f64) -> Outcome {
        Outcome {
            requests_per_second: rate,
            ..Outcome::default()
        }
    }

    pub(super) fn measured(op: Op, ours: f64, theirs: f64) -> Measured {
        let mut m = Measured::new(op);
        m.push(Side::Latchkey, run(ours));
        m.push(Side::Peer, run(theirs));
        m
    }

    /// A report of a default run on 2 cores whose RSA-2048 rate was `rsa_signs`.
    pub(super) fn report_of(rsa_signs: f64) -> Report {
        let args = crate::Args::parse_from(["latchkey-bench"]);
        let load = Load {
            threads: 2,
            connections: 64,
            seconds: 10,
        };
        let mut report = Report::new(&args, 2, load, 0);
        report.rsa_signs = rsa_signs;
        report
    }

    #[test]
    fn a_ratio_target_shows_its_bare_server_beside_it() {
        let mut report = report_of(2000.0);
        report.rows = vec![
            measured(Op::Jwks, 90_000.0, 25_000.0),
            measured(Op::ClientCredentialsRs256, 1_500.0, 900.0),
        ];
        report.floor = Some(run(99_990.0));
        report.rs256_floor = Some(run(1_700.0));
        let text = table(&report);
        assert!(text.contains("| 3.60x (a bare server: 3.99x) |"), "{text}");
        assert!(
            text.contains("| 1500/s of 2000/s (75%) (a bare RS256 signer: 85%) |"),
            "{text}"
        );
        // No bare server was measured for discovery.
        assert!(
            text.contains("discovery: at least 5x the peer | peer not run |"),
            "{text}"
        );
    }
}
