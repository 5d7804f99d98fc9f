//! Shared state, the clock, the route table, and serving.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use latchkey_store::Db;

use crate::config::Config;
use crate::keyring::Keyring;

/// Largest request body any endpoint accepts. Token requests are a few hundred bytes.
const BODY_LIMIT: usize = 64 * 1024;

/// Wall-clock time, or a fixed time that tests advance by hand.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    pub fn fixed(now_ms: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(now_ms))))
    }

    /// Milliseconds since the Unix epoch.
    #[allow(
        clippy::disallowed_methods,
        reason = "the one place the wall clock is read"
    )]
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(fixed) => fixed.load(Ordering::SeqCst),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
        }
    }

    /// Move a fixed clock forward; no effect on the system clock.
    pub fn advance(&self, ms: i64) {
        if let Some(fixed) = &self.0 {
            fixed.fetch_add(ms, Ordering::SeqCst);
        }
    }
}

/// What every handler shares, behind one pointer: axum clones the state for each middleware
/// and extractor of every request, and cloning a dozen reference counts, which both cores
/// touch, was a quarter of the CPU of serving discovery.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Debug)]
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Keyring,
    pub clock: Clock,
    pub audit: crate::audit::AuditWriter,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub cache: Arc<crate::cache::Cache>,
    pub metadata: Arc<crate::oidc::Metadata>,
    /// Fetches client ID metadata documents (CIMD).
    pub cimd: crate::cimd::Fetcher,
    /// Mail delivery (off without an SMTP server).
    pub outbox: Arc<crate::mail::worker::Outbox>,
}

/// Open the database (migrating it), align the management resource with the public URL.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot open the database {}: {e}",
            crate::config::redact_url(&config.database_url)
        )
    })?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    let indicator = latchkey_core::resource::management_indicator(config.public_url());
    db.set_management_indicator(&indicator).await?;
    let (callback, signed_out) = latchkey_core::client::console_uris(config.public_url());
    db.set_console_uris(&callback, &signed_out).await?;
    Ok(db)
}

/// Everything a node needs before it can answer requests.
pub async fn build(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let db = open_db(&config).await?;
    db.date_built_ins(clock.now_ms()).await?;
    let keys = Keyring::open(db.clone(), config.secret_key.as_deref(), clock.now_ms()).await?;
    Ok(AppState(Arc::new(Shared {
        audit: crate::audit::AuditWriter::start(db.clone()),
        metrics: Arc::default(),
        cache: Arc::default(),
        metadata: Arc::new(crate::oidc::Metadata::new(&config.issuer())?),
        cimd: crate::cimd::Fetcher::new(
            config.cimd_allow_hosts.clone(),
            config.cimd_roots_pem.as_deref(),
        )?,
        outbox: Arc::new(crate::mail::worker::Outbox::new(config.mail.as_ref())?),
        db,
        config: Arc::new(config),
        keys,
        clock,
    })))
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(crate::oidc::routes(&state))
        .merge(crate::api::routes())
        .merge(same_origin_forms(&state))
        .fallback(crate::pages::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(crate::around::AroundLayer(state.clone()))
        .with_state(state)
}

/// The hosted pages, the console and the sign-out confirmation: their forms are posted by
/// this server's own pages only.
fn same_origin_forms(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(crate::pages::routes())
        .merge(crate::console::routes())
        .route(
            "/oidc/session/end/confirm",
            axum::routing::post(crate::oidc::end_session_confirm),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::cross_site::refuse,
        ))
}

/// The metrics listener's only route.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move {
                let text = state.metrics.render(state.db.pool_stats());
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
            }),
        )
        .with_state(state)
}

/// Serve until `shutdown` resolves, refreshing signing keys, polling the cache and deleting
/// what has expired in the background.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.keys.spawn_refresh();
    state
        .cache
        .spawn_poll(state.db.clone(), state.clock.clone());
    crate::expired::spawn(
        state.db.clone(),
        state.clock.clone(),
        state.config.retention,
    );
    crate::mail::worker::spawn(state.clone());
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Readiness for a load balancer: 200 when the database answers and its schema is the one
/// this build expects, 503 with the reason otherwise.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let reason = match state.db.migrations_current().await {
        Ok(true) => None,
        Ok(false) => Some("migrations"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database does not answer");
            Some("database")
        }
    };
    match reason {
        None => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ready"})),
        ),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "reason": reason})),
        ),
    }
}

/// 200 when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable", "reason": "database"})),
            )
        }
    }
}

/// Listen where the configuration says, build the state, and serve until SIGINT or SIGTERM.
pub async fn run(config: Config, clock: Clock) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let metrics = match config.metrics_listen {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {address}: {e}"))?,
        ),
        None => None,
    };
    let state = build(config, clock).await?;
    if let Some(listener) = metrics {
        let router = metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tracing::info!(
        listen = %state.config.listen,
        issuer = %state.config.issuer(),
        console = %format!("{}/console", state.config.public_url()),
        account = %format!("{}/account", state.config.public_url()),
        database = ?state.db.backend(),
        "latchkey is ready"
    );
    serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
