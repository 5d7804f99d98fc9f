//! The people and applications most tests start from: `alice`, and applications redirecting
//! to one callback.

use serde_json::json;

use super::Admin;

/// Where the set-up's applications receive their authorization responses.
pub const CALLBACK: &str = "https://app.example.com/callback";
/// `alice`'s password.
pub const PASSWORD: &str = "correct horse battery";

/// A registered application: its client id and, for a confidential one, its secret.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

impl Admin<'_> {
    /// The user `alice` with [`PASSWORD`]: her id.
    pub async fn alice(&self) -> String {
        let alice = json!({"username": "alice", "password": PASSWORD});
        let (status, alice) = self.post("/api/users", alice).await;
        assert_eq!(status, 201, "{alice}");
        alice["id"].as_str().unwrap_or_default().to_owned()
    }

    /// A first-party application of `app_type` (`Traditional`, `SPA`, `Native`) named `name`,
    /// redirecting to [`CALLBACK`].
    pub async fn client(&self, name: &str, app_type: &str) -> Client {
        let metadata = json!({"redirectUris": [CALLBACK]});
        let body = json!({"name": name, "type": app_type, "oidcClientMetadata": metadata});
        self.register(body).await
    }

    /// A third-party web application named `name`, redirecting to [`CALLBACK`].
    pub async fn third_party(&self, name: &str) -> Client {
        let metadata = json!({"redirectUris": [CALLBACK]});
        let body = json!({"name": name, "type": "Traditional", "isThirdParty": true,
            "oidcClientMetadata": metadata});
        self.register(body).await
    }

    async fn register(&self, body: serde_json::Value) -> Client {
        let (status, created) = self.post("/api/applications", body).await;
        assert_eq!(status, 201, "{created}");
        let text = |name: &str| created[name].as_str().unwrap_or_default().to_owned();
        Client {
            id: text("id"),
            secret: text("secret"),
        }
    }
}
