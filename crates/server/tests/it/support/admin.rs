//! `Admin`: the management API, called with a token from the bootstrap credentials.

use latchkey::manage::bootstrap::Credentials;

use super::TestApp;

/// A management-API client holding a token from the bootstrap credentials.
pub struct Admin<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub credentials: Credentials,
}

impl<'a> Admin<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let credentials = app.bootstrap().await;
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", credentials.resource.as_str()),
            ("scope", "all"),
        ];
        let body: serde_json::Value = app
            .token(
                &form,
                Some((&credentials.client_id, &credentials.client_secret)),
            )
            .await
            .json()
            .await
            .unwrap_or_default();
        let token = body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no management token: {body}"))
            .to_owned();
        Self {
            app,
            token,
            credentials,
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value, reqwest::header::HeaderMap) {
        let mut request = self
            .app
            .http
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        if status >= 400 {
            assert_eq!(
                headers["content-type"], "application/problem+json",
                "{path}: {json}"
            );
            assert!(json["code"].is_string(), "{json}");
        }
        (status, json, headers)
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let (s, j, _) = self.send(reqwest::Method::GET, path, None).await;
        (s, j)
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let (s, j, _) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, j)
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let (s, j, _) = self.send(reqwest::Method::PATCH, path, Some(body)).await;
        (s, j)
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let (s, j, _) = self.send(reqwest::Method::PUT, path, Some(body)).await;
        (s, j)
    }

    pub async fn delete(&self, path: &str) -> u16 {
        self.send(reqwest::Method::DELETE, path, None).await.0
    }
}
