//! An authorization request for a test: `response_type=code`, `scope=openid`,
//! `redirect_uri` the set-up's callback and `state=st`, each overridable, so that a test
//! says only what it changes.

use super::{CALLBACK, TestApp};

#[derive(Debug, Clone)]
pub struct Authorize {
    params: Vec<(String, String)>,
}

impl Authorize {
    pub fn new(client_id: &str) -> Self {
        let params = [
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "st"),
        ];
        Self {
            params: params
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// `name` set to `value`, replacing what was there.
    pub fn set(self, name: &str, value: &str) -> Self {
        self.without(name).add(name, value)
    }

    /// `name=value` added, beside any other value of `name` (`resource` may repeat).
    pub fn add(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.params.retain(|(n, _)| n != name);
        self
    }

    /// Each parameter of a query string (`&a=1&b=2`) set in turn.
    pub fn query(self, extra: &str) -> Self {
        let pairs = url::form_urlencoded::parse(extra.trim_start_matches('&').as_bytes());
        let pairs: Vec<(String, String)> = pairs.into_owned().collect();
        pairs
            .iter()
            .fold(self, |request, (name, value)| request.set(name, value))
    }

    /// The URL of `/oidc/auth` at `app` with these parameters.
    pub fn url(&self, app: &TestApp) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.params)
            .finish();
        format!("{}/oidc/auth?{query}", app.address)
    }
}
