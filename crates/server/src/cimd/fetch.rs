//! Fetching a client's metadata document (CIMD) without becoming a proxy into the network
//! Latchkey runs in: `https` only (`http` from the hosts the operator allows), every address
//! a name resolves to checked by `core::cimd::address_allowed` and only those connected to (a
//! second, different DNS answer gains nothing), IP literals checked the same, no redirects
//! followed, 5 seconds and 5 KiB at most. What the document must say is `core::cimd`'s.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use latchkey_core::cimd::{self, Document};
use latchkey_core::{ErrorCode, OAuthError};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, CACHE_CONTROL};

/// Fetches documents; cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    allowed: Arc<AllowedHosts>,
}

/// The hosts exempt from the address rules (`LATCHKEY_CIMD_ALLOW_HOSTS`): `host` (any port)
/// or `host:port`. A test's document host on loopback is one; nothing else should be.
#[derive(Debug, Default)]
struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    fn host(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.0.iter().any(|entry| {
            let named = entry.rsplit_once(':').map_or(entry.as_str(), |(h, _)| h);
            entry == host || named.trim_start_matches('[').trim_end_matches(']') == host
        })
    }

    fn host_and_port(&self, host: &str, port: u16) -> bool {
        let with_port = format!("{host}:{port}");
        self.0
            .iter()
            .any(|entry| *entry == host || *entry == with_port)
    }
}

/// The resolver every fetch uses: names resolve only to addresses a fetch may reach.
#[derive(Debug)]
struct Guard(Arc<AllowedHosts>);

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let exempt = self.0.host(name.as_str());
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|addr| exempt || cimd::address_allowed(addr.ip()))
                .collect();
            if kept.is_empty() {
                let why = format!("{host} resolves to no address a fetch may reach");
                return Err(why.into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

impl Fetcher {
    /// A fetcher trusting the public web's roots and, if given, the PEM certificates of
    /// `extra_roots` (`LATCHKEY_CIMD_CA_FILE`: tests, private PKI).
    pub fn new(allowed_hosts: Vec<String>, extra_roots: Option<&[u8]>) -> anyhow::Result<Self> {
        let allowed = Arc::new(AllowedHosts(allowed_hosts));
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_millis(cimd::FETCH_TIMEOUT_MS))
            .user_agent("Latchkey")
            .dns_resolver(Arc::new(Guard(allowed.clone())));
        if let Some(pem) = extra_roots {
            for certificate in reqwest::Certificate::from_pem_bundle(pem)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        Ok(Self {
            http: builder.build()?,
            allowed,
        })
    }

    /// The document at `client_id`, and how many seconds to keep it.
    pub async fn fetch(&self, client_id: &str) -> Result<(Document, i64), OAuthError> {
        let url = cimd::check_url(client_id, true)?;
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(443);
        let exempt = self.allowed.host_and_port(host, port);
        if url.scheme() == "http" && !exempt {
            return Err(refused("client_id must be an https URL"));
        }
        // The resolver never sees an IP literal: check it here.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !exempt
            && !cimd::address_allowed(ip)
        {
            return Err(refused("client_id names an address a fetch may not reach"));
        }
        let sent = self.http.get(url).header(ACCEPT, "application/json").send();
        let mut response = sent.await.map_err(|e| unreachable(client_id, &e))?;
        if response.status() != reqwest::StatusCode::OK {
            let status = response.status().as_u16();
            return Err(refused(format!(
                "the client's metadata document answered {status}, not 200"
            )));
        }
        let keep = cimd::keep_for_secs(
            response
                .headers()
                .get(CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
        );
        let too_big = || refused("the client's metadata document is larger than 5 KiB");
        if response
            .content_length()
            .is_some_and(|n| n > cimd::MAX_DOCUMENT_BYTES as u64)
        {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(client_id, &e))?
        {
            if body.len() + chunk.len() > cimd::MAX_DOCUMENT_BYTES {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((cimd::parse(client_id, &body)?, keep))
    }
}

fn refused(why: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClient, why)
}

/// Why a fetch failed, without the internals of the error chain.
fn unreachable(client_id: &str, error: &reqwest::Error) -> OAuthError {
    tracing::info!(client_id, error = %error, "client metadata document not fetched");
    let why = match error {
        e if e.is_timeout() => "took longer than 5 seconds",
        e if e.is_connect() => "could not be reached (or only at an address a fetch may not reach)",
        _ => "could not be read",
    };
    refused(format!("the client's metadata document {why}"))
}
