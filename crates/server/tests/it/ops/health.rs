//! What operators and load balancers call: liveness and readiness.

use crate::support::{TestApp, backends};

#[tokio::test]
async fn health_and_readiness_answer() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let health = app.get_json("/health").await;
        assert_eq!(health["status"], "ok");
        let ready = app.http.get(app.url("/ready")).send().await;
        let ready = ready.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ready.status(), 200);
        let body: serde_json::Value = ready.json().await.unwrap_or_default();
        assert_eq!(body["status"], "ready", "migrations current on {backend:?}");
        assert_eq!(app.state.db.migrations_current().await.ok(), Some(true));
    }
}
