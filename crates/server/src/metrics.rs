//! Prometheus metrics, served on their own listener (`LATCHKEY_METRICS_LISTEN`) so that they
//! are never exposed on the public port: requests by route and status, request latency,
//! tokens issued by grant, sign-in failures, mail queued, sent and given up, and the database
//! pool.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use latchkey_core::client::GrantType;

/// Upper bounds of the latency buckets, in milliseconds.
const BUCKETS_MS: [u64; 11] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

#[derive(Debug, Default)]
pub struct Metrics {
    /// By route pattern, then status.
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    latency: [AtomicU64; BUCKETS_MS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    tokens: [AtomicU64; GrantType::ALL.len()],
    sign_in_failures: AtomicU64,
    /// Mail queued, sent and given up by this node.
    mail: [AtomicU64; 3],
}

fn grant_index(grant: GrantType) -> usize {
    GrantType::ALL.iter().position(|g| *g == grant).unwrap_or(0)
}

impl Metrics {
    /// One answered request: its route pattern (never the raw path, which holds ids), status
    /// and duration.
    pub fn request(&self, route: &str, status: u16, micros: u64) {
        if let Ok(mut requests) = self.requests.lock() {
            // Allocate a key only the first time a route is seen.
            let by_status = match requests.get_mut(route) {
                Some(by_status) => by_status,
                None => requests.entry(route.to_owned()).or_default(),
            };
            *by_status.entry(status).or_default() += 1;
        }
        // One counter per request, the first bucket it fits (cumulated when rendered): both
        // cores adding to every bucket above it was a cache line fought over per bucket.
        let ms = micros / 1000;
        if let Some(bucket) = BUCKETS_MS.iter().position(|bound| ms < *bound) {
            self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn token_issued(&self, grant: GrantType) {
        self.tokens[grant_index(grant)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn sign_in_failed(&self) {
        self.sign_in_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn mail_queued(&self, count: usize) {
        self.mail[0].fetch_add(count as u64, Ordering::Relaxed);
    }

    pub fn mail_sent(&self) {
        self.mail[1].fetch_add(1, Ordering::Relaxed);
    }

    pub fn mail_failed(&self) {
        self.mail[2].fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the pool's current size and idle connections.
    pub fn render(&self, pool: (u32, usize)) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP latchkey_http_requests_total Requests answered, by route and status."
        );
        let _ = writeln!(out, "# TYPE latchkey_http_requests_total counter");
        if let Ok(requests) = self.requests.lock() {
            for (route, status, n) in requests
                .iter()
                .flat_map(|(r, s)| s.iter().map(move |(s, n)| (r, s, n)))
            {
                let route = route.replace('\\', "\\\\").replace('"', "\\\"");
                let _ = writeln!(
                    out,
                    "latchkey_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP latchkey_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(
            out,
            "# TYPE latchkey_http_request_duration_seconds histogram"
        );
        let mut n = 0;
        for (bound, bucket) in BUCKETS_MS.iter().zip(&self.latency) {
            let le = *bound as f64 / 1000.0;
            n += bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "latchkey_http_request_duration_seconds_bucket{{le=\"{le}\"}} {n}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1_000_000.0;
        let _ = writeln!(
            out,
            "latchkey_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(out, "latchkey_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "latchkey_http_request_duration_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP latchkey_tokens_issued_total Token responses, by grant type."
        );
        let _ = writeln!(out, "# TYPE latchkey_tokens_issued_total counter");
        for (grant, count) in GrantType::ALL.iter().zip(&self.tokens) {
            let (grant, n) = (grant.as_str(), count.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "latchkey_tokens_issued_total{{grant_type=\"{grant}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP latchkey_sign_in_failures_total Failed sign-ins (wrong password, unknown or suspended account, throttled)."
        );
        let _ = writeln!(out, "# TYPE latchkey_sign_in_failures_total counter");
        let _ = writeln!(
            out,
            "latchkey_sign_in_failures_total {}",
            self.sign_in_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP latchkey_mail_total Mail queued, sent, and given up after a day of retries (or refused for good), by this node."
        );
        let _ = writeln!(out, "# TYPE latchkey_mail_total counter");
        for (state, count) in ["queued", "sent", "failed"].iter().zip(&self.mail) {
            let n = count.load(Ordering::Relaxed);
            let _ = writeln!(out, "latchkey_mail_total{{state=\"{state}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP latchkey_db_pool_connections Database connections, open and idle."
        );
        let _ = writeln!(out, "# TYPE latchkey_db_pool_connections gauge");
        let _ = writeln!(
            out,
            "latchkey_db_pool_connections{{state=\"open\"}} {}",
            pool.0
        );
        let _ = writeln!(
            out,
            "latchkey_db_pool_connections{{state=\"idle\"}} {}",
            pool.1
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.request("/oidc/token", 200, 3_000);
        m.request("/oidc/token", 200, 40_000);
        m.request("/oidc/token", 200, 9_000_000);
        m.token_issued(GrantType::ClientCredentials);
        m.mail_queued(2);
        m.mail_sent();
        let text = m.render((2, 1));
        assert!(
            text.contains("latchkey_http_requests_total{route=\"/oidc/token\",status=\"200\"} 3")
        );
        assert!(text.contains("latchkey_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("latchkey_http_request_duration_seconds_bucket{le=\"0.001\"} 0"));
        assert!(text.contains("latchkey_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("latchkey_http_request_duration_seconds_bucket{le=\"2.5\"} 2"));
        assert!(text.contains("latchkey_http_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("latchkey_tokens_issued_total{grant_type=\"client_credentials\"} 1"));
        assert!(text.contains("latchkey_db_pool_connections{state=\"open\"} 2"));
        assert!(text.contains("latchkey_mail_total{state=\"queued\"} 2"));
        assert!(text.contains("latchkey_mail_total{state=\"failed\"} 0"));
    }
}
