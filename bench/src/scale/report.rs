//! What a scale run measured and the Markdown it prints: each protocol operation on the
//! empty and the seeded database side by side, the management lookups, and the footprint
//! (disk, memory, start-up, backup, migration), each against its target.

use std::fmt::Write;
use std::time::Duration;

use latchkey_store::footprint::TableSize;

use super::seed::Seeded;
use crate::report::{Measured, Side, median};
use crate::wrk::Outcome;

/// The rate on the seeded database at least this share of the empty one's.
pub const RATE_SHARE: f64 = 0.8;
/// The p99 on the seeded database at most this multiple of the empty one's.
pub const P99_MULTIPLE: f64 = 2.0;
/// Management lookups' p99 under this, at 8 clients.
pub const LOOKUP_P99_MS: f64 = 50.0;
pub const RSS_MB: f64 = 150.0;
pub const STARTUP: Duration = Duration::from_secs(1);
/// The disk goal per million users, on SQLite.
pub const DISK_PER_MILLION_GB: f64 = 1.5;

/// One management lookup, every run of it.
#[derive(Debug)]
pub struct LookupRow {
    pub label: &'static str,
    pub empty: Vec<Outcome>,
    pub seeded: Vec<Outcome>,
}

#[derive(Debug)]
pub struct Report {
    pub head: crate::report::Report,
    pub seeded: Seeded,
    /// Bytes on disk once seeded, before the run; the empty database then; the seeded one
    /// after the run's own traffic.
    pub disk: u64,
    /// Where `disk` goes: each table with its indexes, largest first.
    pub tables: Vec<TableSize>,
    pub disk_empty: u64,
    pub disk_after: u64,
    pub startup: Duration,
    pub startup_empty: Duration,
    pub idle_rss: u64,
    pub peak_rss: u64,
    pub rows: Vec<Measured>,
    /// Complete sign-ins per second: the benchmark user on the empty database, seeded users
    /// at random on the other.
    pub sign_ins: Option<(f64, f64)>,
    pub lookups: Vec<LookupRow>,
    /// `latchkey backup` (SQLite) or `pg_dump` (PostgreSQL): time and size.
    pub backup: Option<(Duration, u64)>,
    /// `latchkey migrate` with nothing to apply.
    pub migrate: Duration,
    /// A migration adding an indexed column to `users`.
    pub rehearsal: Duration,
}

fn mark(holds: bool) -> &'static str {
    if holds { "✓" } else { "✗" }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

impl Report {
    pub fn markdown(&self) -> String {
        let h = &self.head;
        let users = self.seeded.users;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Latchkey at scale: {users} users on {}\n",
            h.backend
        );
        let _ = writeln!(
            out,
            "`{}` · {} · {} · wrk, {} threads, {} connections, {} s per run{}\n",
            h.command,
            h.date,
            h.machine,
            h.load.threads,
            h.load.connections,
            h.load.seconds,
            if h.quick {
                " · quick: targets not judged"
            } else {
                ""
            }
        );
        let seconds = self.seeded.time.as_secs_f64();
        let per_million = self.disk as f64 / users.max(1) as f64 * 1e6 / 1e9;
        let _ = writeln!(
            out,
            "Seeded through the store's bulk path: {users} users, {} rows in {seconds:.0} s \
             ({:.0} rows/s). On disk once seeded: {:.0} MB ({:.2} GB per million users{}; \
             the empty database {:.1} MB; {:.0} MB after the run's own traffic).\n",
            self.seeded.rows,
            self.seeded.rows as f64 / seconds.max(0.001),
            mb(self.disk),
            per_million,
            match h.backend {
                "SQLite" => format!(
                    ", goal {DISK_PER_MILLION_GB} GB {}",
                    mark(per_million < DISK_PER_MILLION_GB)
                ),
                _ => String::new(),
            },
            mb(self.disk_empty),
            mb(self.disk_after),
        );
        out += &self.tables_markdown();
        let mut held = 0;
        let mut judged = 0;
        let mut judge = |holds: bool| {
            judged += 1;
            held += usize::from(holds);
            mark(holds)
        };
        out += "| operation | empty: req/s | seeded: req/s | share (≥ 0.80) | empty: p99 ms | seeded: p99 ms | p99 × (≤ 2.0) | errors |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
        for row in &self.rows {
            let (Some(a), Some(b)) = (row.summary(Side::Latchkey), row.summary(Side::Scaled))
            else {
                continue;
            };
            let share = b.rps / a.rps.max(f64::MIN_POSITIVE);
            let times = b.p99 / a.p99.max(f64::MIN_POSITIVE);
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.0} | {share:.2} {} | {:.2} | {:.2} | {times:.2} {} | {} |",
                row.op.label(),
                a.rps,
                b.rps,
                judge(share >= RATE_SHARE),
                a.p99,
                b.p99,
                judge(times <= P99_MULTIPLE),
                a.errors + b.errors,
            );
        }
        if let Some((a, b)) = self.sign_ins {
            let share = b / a.max(f64::MIN_POSITIVE);
            let _ = writeln!(
                out,
                "| complete sign-in (a seeded user at random) | {a:.0} | {b:.0} | {share:.2} {} | | | | |",
                judge(share >= RATE_SHARE)
            );
        }
        out += "\n| management lookup, 8 clients | empty: p99 ms | seeded: p50 ms | seeded: p99 ms (< 50) | seeded: req/s | errors |\n";
        out += "|---|---:|---:|---:|---:|---:|\n";
        for row in &self.lookups {
            let p99 = |runs: &[Outcome]| median(runs.iter().map(|o| o.p99_ms).collect());
            let seeded_p99 = p99(&row.seeded);
            let _ = writeln!(
                out,
                "| {} | {:.2} | {:.2} | {seeded_p99:.2} {} | {:.0} | {} |",
                row.label,
                p99(&row.empty),
                median(row.seeded.iter().map(|o| o.p50_ms).collect()),
                judge(seeded_p99 < LOOKUP_P99_MS),
                median(row.seeded.iter().map(|o| o.requests_per_second).collect()),
                row.empty
                    .iter()
                    .chain(&row.seeded)
                    .map(|o| o.errors)
                    .sum::<u64>(),
            );
        }
        let peak = mb(self.peak_rss);
        let _ = writeln!(
            out,
            "\n| footprint on the seeded database | measured | target |\n|---|---:|---|\n\
             | memory (RSS), idle | {:.0} MB | |\n\
             | memory (RSS), peak under load | {peak:.0} MB | < {RSS_MB} MB {} |\n\
             | start-up to ready (median of 5; empty database {} ms) | {} ms | < 1 s {} |",
            mb(self.idle_rss),
            judge(peak < RSS_MB),
            self.startup_empty.as_millis(),
            self.startup.as_millis(),
            judge(self.startup < STARTUP),
        );
        if let Some((time, size)) = self.backup {
            let how = match h.backend {
                "SQLite" => "`latchkey backup`",
                _ => "`pg_dump -Fc` of the schema",
            };
            let _ = writeln!(
                out,
                "| backup ({how}) | {:.1} s, {:.0} MB | |",
                time.as_secs_f64(),
                mb(size)
            );
        }
        let _ = writeln!(
            out,
            "| `latchkey migrate`, nothing to apply | {} ms | |\n\
             | a migration adding an indexed column to `users` | {} ms | |",
            self.migrate.as_millis(),
            self.rehearsal.as_millis(),
        );
        let _ = writeln!(out, "\nTargets held: {held} of {judged}.");
        out
    }
}

impl Report {
    /// Where the disk goes once seeded: each table that takes at least 1% of it, then the
    /// rest together.
    fn tables_markdown(&self) -> String {
        let users = self.seeded.users.max(1) as f64;
        let total: i64 = self.tables.iter().map(|t| t.bytes).sum();
        let mut out = String::from(
            "| table, with its indexes | rows | MB | bytes per row | bytes per user |\n\
             |---|---:|---:|---:|---:|\n",
        );
        let (big, small): (Vec<_>, Vec<_>) =
            self.tables.iter().partition(|t| t.bytes * 100 >= total);
        for t in big {
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.0} | {:.0} |",
                t.table,
                t.rows,
                mb(t.bytes.max(0) as u64),
                t.bytes as f64 / t.rows.max(1) as f64,
                t.bytes as f64 / users,
            );
        }
        let rest: i64 = small.iter().map(|t| t.bytes).sum();
        let _ = writeln!(
            out,
            "| {} other tables | {} | {:.0} | | {:.0} |\n",
            small.len(),
            small.iter().map(|t| t.rows).sum::<i64>(),
            mb(rest.max(0) as u64),
            rest as f64 / users,
        );
        out
    }
}
