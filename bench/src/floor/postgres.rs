//! What this machine allows a server doing Latchkey's PostgreSQL work per request, on the
//! same PostgreSQL under the same load: the bare axum server of `floor` with a pool of
//! connections, answering a read (introspection, userinfo) with one indexed read, and a
//! one-time artefact's use (code redemption, refresh rotation) with one consuming UPDATE and
//! one INSERT, committed, then the token the operation signs. Each is served through every
//! PostgreSQL driver in reach, the measurement behind the driver Latchkey uses.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::Row;

use crate::report::Report;
use crate::signer::{Algorithm, Signer};
use crate::wrk::{Body, Load, Outcome, Request};

/// Connections each bare server keeps, as many as Latchkey's pool.
const CONNECTIONS: u32 = 16;

/// Rows besides the ones read or consumed, so that the index is not a single page.
const FILLER_ROWS: i64 = 20_000;

const SCHEMA: &str = "CREATE TABLE bare_tokens (token_hash TEXT PRIMARY KEY, \
     subject TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, \
     expires_at BIGINT NOT NULL, consumed_at BIGINT)";
/// `$1`: the prefix of each token's value, `$2`: how many (`<prefix>1` … `<prefix>$2`).
const FILL: &str = "INSERT INTO bare_tokens (token_hash, subject, client_id, scope, expires_at) \
     SELECT encode(sha256(convert_to($1 || g, 'UTF8')), 'hex'), 'user-' || g, 'web', \
     'openid profile', 4102444800000 FROM generate_series(1, $2::BIGINT) g";
const READ: &str = "SELECT subject, client_id, scope, expires_at FROM bare_tokens \
     WHERE token_hash = $1 AND consumed_at IS NULL";
const CONSUME: &str =
    "UPDATE bare_tokens SET consumed_at = $1 WHERE token_hash = $2 AND consumed_at IS NULL";
const INSERT: &str = "INSERT INTO bare_tokens (token_hash, subject, client_id, scope, expires_at) \
     VALUES ($1, 'user', 'web', 'openid profile', $2)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    SqlxAny,
    SqlxPostgres,
    TokioPostgres,
}

pub const DRIVERS: [Driver; 3] = [Driver::SqlxAny, Driver::SqlxPostgres, Driver::TokioPostgres];

impl Driver {
    pub fn label(self) -> &'static str {
        match self {
            Driver::SqlxAny => "sqlx, Any",
            Driver::SqlxPostgres => "sqlx, PostgreSQL",
            Driver::TokioPostgres => "tokio-postgres",
        }
    }
}

/// The PostgreSQL work of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// One indexed read, as introspection and userinfo do.
    Read,
    /// One consuming UPDATE and one INSERT, committed, then a token signed with this.
    Use(Algorithm),
}

impl Work {
    pub fn label(self) -> &'static str {
        match self {
            Work::Read => "one indexed read",
            Work::Use(Algorithm::Rs256) => "consume + insert, committed, RS256 token",
            Work::Use(Algorithm::Es256) => "consume + insert, committed, ES256 token",
        }
    }
}

/// One bare server's runs (one per round).
#[derive(Debug)]
pub struct Floor {
    pub work: Work,
    pub driver: Driver,
    pub runs: Vec<Outcome>,
}

impl Floor {
    pub fn rps(&self) -> f64 {
        crate::report::median(self.runs.iter().map(|o| o.requests_per_second).collect())
    }

    pub fn p99(&self) -> f64 {
        crate::report::median(self.runs.iter().map(|o| o.p99_ms).collect())
    }
}

/// Measure `works` with every driver, `rounds` times in turn, on a new schema of `url`.
pub async fn measure(
    report: &mut Report,
    works: &[Work],
    url: &str,
    rounds: usize,
    work_dir: &Path,
) -> anyhow::Result<()> {
    let url = latchkey_store::testing::fresh_postgres_schema(url).await;
    let setup = sqlx::PgPool::connect(&url).await?;
    sqlx::query(SCHEMA).execute(&setup).await?;
    fill(&setup, "filler-", FILLER_ROWS).await?;
    fill(&setup, "read-", 1).await?;
    let dir = work_dir.join("run-postgres-floor");
    std::fs::create_dir_all(&dir)?;
    let load = report.load;
    let mut batch = 0;
    for &work in works {
        for _ in 0..rounds {
            for driver in DRIVERS {
                eprintln!("{} through {}, bare", work.label(), driver.label());
                batch += 1;
                let request = match work {
                    Work::Read => request(Body::Fixed("token=read-1".into())),
                    Work::Use(_) => {
                        // Two tokens per connection, each answer's new one put back.
                        let prefix = format!("use-{batch}-");
                        let count = 2 * load.connections;
                        fill(&setup, &prefix, count as i64).await?;
                        let items = (1..=count).map(|n| format!("{prefix}{n}")).collect();
                        request(Body::Pooled {
                            prefix: "grant_type=refresh_token&refresh_token=".into(),
                            suffix: String::new(),
                            items,
                            recycle: true,
                        })
                    }
                };
                let (url, dir) = (url.clone(), dir.clone());
                let outcome = tokio::task::spawn_blocking(move || {
                    serve(load, driver, work, &url, &request, &dir)
                })
                .await??;
                let floors = &mut report.postgres_floors;
                match floors
                    .iter_mut()
                    .find(|f| f.work == work && f.driver == driver)
                {
                    Some(floor) => floor.runs.push(outcome),
                    None => floors.push(Floor {
                        work,
                        driver,
                        runs: vec![outcome],
                    }),
                }
            }
        }
    }
    setup.close().await;
    Ok(())
}

async fn fill(pool: &sqlx::PgPool, prefix: &str, count: i64) -> anyhow::Result<()> {
    sqlx::query(FILL)
        .bind(prefix)
        .bind(count)
        .execute(pool)
        .await?;
    Ok(())
}

fn request(body: Body) -> Request {
    Request {
        method: "POST",
        path: "/token".into(),
        headers: vec![(
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body,
    }
}

/// Serve `work` through `driver` and measure it. Blocks: call it off the benchmark's runtime.
fn serve(
    load: Load,
    driver: Driver,
    work: Work,
    url: &str,
    request: &Request,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    super::serve_app(load, request, dir, |runtime| {
        let pool = runtime.block_on(Pool::open(driver, url))?;
        let signer = match work {
            Work::Read => None,
            Work::Use(algorithm) => Some(Signer::new(algorithm)?),
        };
        let state = Arc::new(State { pool, signer });
        Ok(axum::Router::new().fallback(move |body: Bytes| answer(state.clone(), body)))
    })
}

struct State {
    pool: Pool,
    signer: Option<Signer>,
}

async fn answer(state: Arc<State>, body: Bytes) -> Response {
    let Some(value) = url::form_urlencoded::parse(&body)
        .find(|(name, _)| matches!(&**name, "token" | "refresh_token"))
        .map(|(_, value)| value.into_owned())
    else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let json = [(header::CONTENT_TYPE, "application/json")];
    let Some(signer) = &state.signer else {
        return match state.pool.read(&hash(&value)).await {
            Ok(Some((sub, client_id, scope, exp))) => {
                let body = serde_json::json!({
                    "active": true, "sub": sub, "client_id": client_id, "scope": scope,
                    "exp": exp / 1000,
                });
                (json, body.to_string()).into_response()
            }
            _ => StatusCode::BAD_REQUEST.into_response(),
        };
    };
    let new = latchkey_core::random::secret();
    let now = std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .map_or(0, |d| d.as_millis() as i64);
    match state.pool.consume(&hash(&value), &hash(&new), now).await {
        Ok(true) => (json, signer.token_response_with_refresh(&new)).into_response(),
        _ => StatusCode::BAD_REQUEST.into_response(),
    }
}

fn hash(value: &str) -> String {
    digest(&SHA256, value.as_bytes()).as_ref().iter().fold(
        String::with_capacity(64),
        |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        },
    )
}

type Found = (String, String, String, i64);

/// A pool of connections through one driver.
enum Pool {
    Any(sqlx::AnyPool),
    Sqlx(sqlx::PgPool),
    Tokio(deadpool_postgres::Pool),
}

impl Pool {
    async fn open(driver: Driver, url: &str) -> anyhow::Result<Self> {
        Ok(match driver {
            Driver::SqlxAny => {
                sqlx::any::install_default_drivers();
                let options = sqlx::any::AnyPoolOptions::new()
                    .max_connections(CONNECTIONS)
                    .test_before_acquire(false);
                Pool::Any(options.connect(url).await?)
            }
            Driver::SqlxPostgres => {
                let options = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(CONNECTIONS)
                    .test_before_acquire(false);
                Pool::Sqlx(options.connect(url).await?)
            }
            Driver::TokioPostgres => {
                // As Latchkey opens it: with TLS where the URL asks or allows it, as the sqlx
                // pools above do too.
                let pool = latchkey_store::testing::postgres_pool(url).await?;
                Pool::Tokio(pool)
            }
        })
    }

    async fn read(&self, hash: &str) -> anyhow::Result<Option<Found>> {
        /// The same read on either sqlx pool (their row types differ).
        macro_rules! read {
            ($pool:expr) => {{
                let row = sqlx::query(READ).bind(hash).fetch_optional($pool).await?;
                row.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            }};
        }
        Ok(match self {
            Pool::Any(pool) => read!(pool),
            Pool::Sqlx(pool) => read!(pool),
            Pool::Tokio(pool) => {
                let client = pool.get().await?;
                let statement = client.prepare_cached(READ).await?;
                let row = client.query_opt(&statement, &[&hash]).await?;
                row.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            }
        })
    }

    /// Consume `old` and insert `new`, in one transaction; whether `old` was there to take.
    async fn consume(&self, old: &str, new: &str, now: i64) -> anyhow::Result<bool> {
        let expires = now + 3_600_000;
        /// The same transaction on either sqlx pool (their transaction types differ).
        macro_rules! consume {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let taken = sqlx::query(CONSUME).bind(now).bind(old);
                if taken.execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(false);
                }
                let insert = sqlx::query(INSERT).bind(new).bind(expires);
                insert.execute(&mut *tx).await?;
                tx.commit().await?;
            }};
        }
        match self {
            Pool::Any(pool) => consume!(pool),
            Pool::Sqlx(pool) => consume!(pool),
            Pool::Tokio(pool) => {
                let mut client = pool.get().await?;
                let tx = client.transaction().await?;
                let consume = tx.prepare_cached(CONSUME).await?;
                if tx.execute(&consume, &[&now, &old]).await? != 1 {
                    return Ok(false);
                }
                let insert = tx.prepare_cached(INSERT).await?;
                tx.execute(&insert, &[&new, &expires]).await?;
                tx.commit().await?;
            }
        }
        Ok(true)
    }
}

/// The bare PostgreSQL servers' paragraph of the report.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    if report.postgres_floors.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "A bare axum server doing Latchkey's PostgreSQL work per request, on the same PostgreSQL under the same load ({CONNECTIONS} pooled connections, statements prepared, one transaction per use), through each driver: req/s, p99 ms.\n"
    );
    let _ = write!(out, "| PostgreSQL work per request |");
    for driver in DRIVERS {
        let _ = write!(out, " {} |", driver.label());
    }
    let _ = writeln!(out, "\n|---|{}", "---:|".repeat(DRIVERS.len()));
    let mut works: Vec<Work> = report.postgres_floors.iter().map(|f| f.work).collect();
    works.dedup();
    for work in works {
        let _ = write!(out, "| {} |", work.label());
        for driver in DRIVERS {
            let floor = report
                .postgres_floors
                .iter()
                .find(|f| f.work == work && f.driver == driver);
            let _ = match floor {
                Some(f) => write!(out, " {:.0} ({:.2}) |", f.rps(), f.p99()),
                None => write!(out, " - |"),
            };
        }
        out.push('\n');
    }
    out.push('\n');
    out
}
