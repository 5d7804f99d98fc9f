//! The targets of a `--postgres` run: each stateful operation against the bare server doing
//! the same PostgreSQL work (the fastest driver's, `floor::postgres`) and against the peer,
//! complete sign-ins against the argon2id rate, and discovery, JWKS and client credentials
//! against Latchkey's own rates on SQLite, measured beside it in the same run.

use super::{Target, ratio_target, sign_ins};
use crate::floor::postgres::Work;
use crate::ops::Op;
use crate::report::{Report, Side};
use crate::signer::Algorithm;

/// The fastest bare server's rate for `work`, and its driver.
fn bare(report: &Report, work: Work) -> Option<(f64, &'static str)> {
    report
        .postgres_floors
        .iter()
        .filter(|f| f.work == work)
        .map(|f| (f.rps(), f.driver.label()))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

fn share_of_bare(report: &Report, op: Op, work: Work) -> Target {
    let ours = report.latchkey(op).map(|s| s.rps);
    let bare = bare(report, work);
    Target {
        what: format!(
            "{}: at least 80% of a bare server's {}",
            op.label(),
            work.label()
        ),
        measured: match (ours, bare) {
            (Some(ours), Some((rps, driver))) => format!(
                "{ours:.0}/s of {rps:.0}/s ({:.0}%, {driver})",
                (100.0 * ours / rps).floor()
            ),
            _ => "-".into(),
        },
        holds: ours.zip(bare).map(|(ours, (rps, _))| ours >= 0.8 * rps),
    }
}

/// `op` on PostgreSQL against the same operation on SQLite, in the same run.
fn share_of_sqlite(report: &Report, op: Op) -> Target {
    let ours = report.latchkey(op).map(|s| s.rps);
    let sqlite = report
        .row(op)
        .and_then(|row| row.summary(Side::Sqlite))
        .map(|s| s.rps);
    Target {
        what: format!("{}: at least 90% of its SQLite rate", op.label()),
        measured: match (ours, sqlite) {
            (Some(ours), Some(sqlite)) => format!(
                "{ours:.0}/s of {sqlite:.0}/s ({:.0}%)",
                (100.0 * ours / sqlite).floor()
            ),
            _ => "-".into(),
        },
        holds: ours.zip(sqlite).map(|(ours, sqlite)| ours >= 0.9 * sqlite),
    }
}

pub(super) fn targets(report: &Report) -> Vec<Target> {
    let stateless = [
        Op::Discovery,
        Op::Jwks,
        Op::ClientCredentialsEs256,
        Op::ClientCredentialsRs256,
    ];
    let mut all: Vec<Target> = stateless
        .into_iter()
        .map(|op| share_of_sqlite(report, op))
        .collect();
    for op in [Op::Introspection, Op::Userinfo] {
        all.push(share_of_bare(report, op, Work::Read));
        all.push(ratio_target(report, op, 2.0));
    }
    for (op, algorithm) in [
        (Op::CodeRedemption, Algorithm::Rs256),
        (Op::RefreshRotation, Algorithm::Rs256),
        (Op::CodeRedemptionEs256, Algorithm::Es256),
        (Op::RefreshRotationEs256, Algorithm::Es256),
    ] {
        all.push(share_of_bare(report, op, Work::Use(algorithm)));
        all.push(ratio_target(report, op, 1.5));
    }
    all.push(sign_ins(report, 0.75));
    all
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::floor::postgres::{Driver, Floor, Work};
    use crate::ops::Op;
    use crate::report::{Measured, Report, Side};
    use crate::targets::tests::run;
    use crate::wrk::Load;

    #[test]
    fn operations_are_judged_against_the_fastest_bare_server_and_sqlite() {
        let args = crate::Args::parse_from(["latchkey-bench", "--postgres", "postgres://x"]);
        let load = Load {
            threads: 2,
            connections: 64,
            seconds: 10,
        };
        let mut report = Report::new(&args, 2, load, 0);
        let mut introspection = Measured::new(Op::Introspection);
        introspection.push(Side::Latchkey, run(27_000.0));
        introspection.push(Side::Peer, run(14_000.0));
        let mut jwks = Measured::new(Op::Jwks);
        jwks.push(Side::Latchkey, run(72_000.0));
        jwks.push(Side::Sqlite, run(80_000.0));
        report.rows = vec![introspection, jwks];
        report.postgres_floors = vec![
            Floor {
                work: Work::Read,
                driver: Driver::SqlxAny,
                runs: vec![run(20_000.0)],
            },
            Floor {
                work: Work::Read,
                driver: Driver::TokioPostgres,
                runs: vec![run(34_000.0)],
            },
        ];
        let text = super::super::table(&report);
        assert!(
            text.contains("| introspection (opaque token): at least 80% of a bare server's one indexed read | 27000/s of 34000/s (79%, tokio-postgres) | **no** |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| introspection (opaque token): at least 2x the peer | 1.92x | **no** |"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "| JWKS: at least 90% of its SQLite rate | 72000/s of 80000/s (90%) | yes |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| discovery: at least 90% of its SQLite rate | - | not measured |"),
            "{text}"
        );
        assert!(!text.contains("at least 5x the peer"), "{text}");
    }
}
