//! A browser as the benchmark drives one: its own cookies over a shared HTTP client,
//! redirects followed by hand, and the sign-in and consent forms answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use crate::setup::PASSWORD;

/// A browser: its own cookies over a shared HTTP client (building a client per browser would
/// cost the benchmark's own CPU), redirects followed by hand.
#[derive(Debug, Clone)]
pub struct Browser {
    pub http: reqwest::Client,
    /// (name, path) to value.
    cookies: Arc<Mutex<HashMap<(String, String), String>>>,
}

impl Browser {
    /// The cookies whose path covers `url` (RFC 6265 §5.1.4, simplified to a prefix).
    pub fn send(&self, url: &str, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.cookie_header(url) {
            Some(jar) => request.header("cookie", jar),
            None => request,
        }
    }

    /// The `Cookie` header this browser sends to `url`, if any.
    pub fn cookie_header(&self, url: &str) -> Option<String> {
        let path = url::Url::parse(url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        let cookies = self.cookies.lock().ok()?;
        let jar: Vec<String> = cookies
            .iter()
            .filter(|((_, scope), _)| path.starts_with(scope.as_str()))
            .map(|((name, _), value)| format!("{name}={value}"))
            .collect();
        (!jar.is_empty()).then(|| jar.join("; "))
    }

    pub fn keep(&self, response: &reqwest::Response) {
        let Ok(mut cookies) = self.cookies.lock() else {
            return;
        };
        for header in response.headers().get_all("set-cookie") {
            let header = header.to_str().unwrap_or_default();
            let mut parts = header.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let mut path = "/".to_owned();
            let mut gone = value.is_empty();
            for attribute in parts {
                let lower = attribute.to_ascii_lowercase();
                if let Some(p) = lower.strip_prefix("path=") {
                    path = attribute[5..5 + p.len()].to_owned();
                }
                gone |= lower == "max-age=0" || lower.starts_with("expires=thu, 01 jan 1970");
            }
            let key = (name.to_owned(), path);
            match gone {
                true => cookies.remove(&key),
                false => cookies.insert(key, value.to_owned()),
            };
        }
    }
}

/// The HTTP client every browser shares.
pub fn http() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

pub fn browser(http: &reqwest::Client) -> Browser {
    Browser {
        http: http.clone(),
        cookies: Arc::default(),
    }
}

/// The form on a sign-in or consent page, filled in.
pub fn answer(page: &str, login: &str) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let form = page.find("<form").context("a page without a form")?;
    let action = attribute(&page[form..], "action").unwrap_or_default();
    let mut fields = Vec::new();
    for name in ["csrf", "user", "prompt"] {
        if let Some(value) = hidden(page, name) {
            fields.push((name.to_owned(), value));
        }
    }
    if page.contains("name=\"password\"") {
        let field = if page.contains("name=\"identifier\"") {
            "identifier"
        } else {
            "login"
        };
        fields.push((field.into(), login.into()));
        fields.push(("password".into(), PASSWORD.into()));
    } else {
        fields.push(("decision".into(), "authorize".into()));
    }
    Ok((action.replace("&amp;", "&"), fields))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker)? + marker.len();
    tag[start..].split('"').next().map(str::to_owned)
}

pub fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = page.find(&marker)?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    attribute(&page[tag_start..tag_end], "value")
}
