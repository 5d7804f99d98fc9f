//! How the machine's RSA-2048 rate bounds the operations that sign an RS256 ID token, and
//! what twice the peer would leave beside the signature.

use std::fmt::Write;

use crate::ops::Op;
use crate::report::{Report, Side};

/// Code redemption and refresh rotation each sign one RS256 ID token on either side, so
/// the machine's RSA-2048 rate bounds both: how much of it each side reaches, and how
/// much twice the peer's rate would take. Where the same operation was also measured with
/// an ES256 ID token, its cost per operation on the whole machine (the load generator's
/// share included) plus one RSA signature gives the rate the cores allow, and what twice
/// the peer would leave for everything but the signature.
pub fn rsa_bound(report: &Report) -> String {
    let mut out = String::new();
    if report.rsa_signs <= 0.0 {
        return out;
    }
    let rps = |op, side| Some(report.row(op)?.summary(side)?.rps);
    // Microseconds of all the cores that one operation takes at `rate` per second.
    let cores = report.cores as f64;
    let cost_us = |rate: f64| 1e6 * cores / rate;
    let signature_us = cost_us(report.rsa_signs);
    for (op, es256) in [
        (Op::CodeRedemption, Op::CodeRedemptionEs256),
        (Op::RefreshRotation, Op::RefreshRotationEs256),
    ] {
        let (Some(ours), Some(theirs)) = (rps(op, Side::Latchkey), rps(op, Side::Peer)) else {
            continue;
        };
        let share = |rate: f64| 100.0 * rate / report.rsa_signs;
        let _ = write!(
            out,
            "Each {} signs one RS256 ID token on both sides: Latchkey reaches {:.0}% of the RSA-2048 signing rate, the peer {:.0}%; twice the peer would take {:.0}%.",
            op.label(),
            share(ours),
            share(theirs),
            share(2.0 * theirs)
        );
        if let Some(rest) = rps(es256, Side::Latchkey) {
            let rest_us = cost_us(rest);
            let allowed = 1e6 * cores / (rest_us + signature_us);
            let left_us = cost_us(2.0 * theirs) - signature_us;
            let _ = write!(
                out,
                " With an ES256 ID token it costs {rest_us:.0} µs of the {cores:.0} cores; with one RSA signature ({signature_us:.0} µs) more, they allow about {allowed:.0}/s (measured: {ours:.0}/s). Twice the peer, {:.0}/s, would leave {} beside the signature.",
                2.0 * theirs,
                match left_us > 0.0 {
                    true => format!(
                        "{left_us:.0} µs ({:.0}% of the ES256 cost)",
                        100.0 * left_us / rest_us
                    ),
                    false => "nothing".into(),
                }
            );
        }
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::tests::{measured, report_of};

    #[test]
    fn the_rsa_bound_adds_one_signature_to_the_es256_cost() {
        let mut report = report_of(2000.0);
        report.rows = vec![
            measured(Op::CodeRedemption, 1400.0, 900.0),
            measured(Op::CodeRedemptionEs256, 4000.0, 1200.0),
            measured(Op::RefreshRotation, 1500.0, 500.0),
        ];
        let text = rsa_bound(&report);
        // 2 cores / 4,000 per s = 500 µs; an RSA signature 2 / 2,000 = 1,000 µs; together
        // 2 cores allow 1,333/s. Twice the peer (1,800/s) leaves 1,111 - 1,000 = 111 µs.
        assert!(text.contains("Latchkey reaches 70% of the RSA-2048 signing rate, the peer 45%; twice the peer would take 90%."), "{text}");
        assert!(text.contains("costs 500 µs of the 2 cores"), "{text}");
        assert!(text.contains("about 1333/s (measured: 1400/s)"), "{text}");
        assert!(
            text.contains("would leave 111 µs (22% of the ES256 cost)"),
            "{text}"
        );
        // Without its ES256 row, the refresh rotation gets the shares alone.
        let refresh = text.split("\n\n").nth(1).unwrap_or_default();
        assert!(
            refresh.ends_with("twice the peer would take 50%."),
            "{text}"
        );
    }
}
