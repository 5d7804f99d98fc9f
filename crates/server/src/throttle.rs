//! Brute-force protection where a secret is proved: the sign-in form and client
//! authentication share one back-off (`core::throttle`): per account or client from an
//! address, per address, and (slowing only) per account or client from everywhere, with
//! counters in the store so that every node sees them. Also the client's address: the
//! peer, or what a trusted reverse proxy says it is.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use latchkey_core::throttle::{
    PER_ACCOUNT, PER_ADDRESS, PER_IDENTIFIER, Policy, SECOND_FACTOR_EVERYWHERE,
};

use crate::app::AppState;

/// The client's address, when known.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Self(peer.map(|p| {
            client_address(p, &parts.headers, &state.config.trusted_proxies)
        })))
    }
}

/// The peer, unless it is a trusted proxy: then the last address in `X-Forwarded-For` that
/// is not itself a trusted proxy (each proxy appends the address it received from).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .map_while(|item| item.parse::<IpAddr>().ok())
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// The counters a proof is charged to: the subject (an account or a client) from this
/// address, the address, and the subject from every address.
#[derive(Debug)]
pub struct Budget {
    /// The subject from every address: it slows answers, never refuses them.
    slowing: String,
    address: Option<IpAddr>,
    /// Whether the subject had failures from this address when last looked at, so that a
    /// success only writes when there is something to clear.
    subject_counted: bool,
    /// A refusing budget for the subject from every address (second factors).
    everywhere: Option<Policy>,
}

impl Budget {
    /// A sign-in. `account` names the user when the identifier typed names one (so that
    /// username and email share one counter), else the identifier as typed.
    pub fn sign_in(account: &str, address: ClientAddress) -> Self {
        Self::new(format!("account:{account}"), address)
    }

    /// A second factor (a code from an authenticator app, a recovery code) for `user_id`:
    /// refused from everywhere too past [`SECOND_FACTOR_EVERYWHERE`].
    pub fn second_factor(user_id: &str, address: ClientAddress) -> Self {
        Self {
            everywhere: Some(SECOND_FACTOR_EVERYWHERE),
            ..Self::new(format!("factor:{user_id}"), address)
        }
    }

    /// A client authenticating with a secret, and the address.
    pub fn client(client_id: &str, address: ClientAddress) -> Self {
        Self::new(format!("client:{client_id}"), address)
    }

    fn new(subject: String, address: ClientAddress) -> Self {
        Self {
            slowing: subject,
            address: address.0,
            subject_counted: true,
            everywhere: None,
        }
    }

    /// The refusing keys, the subject-from-this-address one first. Built when the store is
    /// asked, not for every request: while no counter is live, none is needed.
    fn refusing(&self) -> Vec<(String, Policy)> {
        let subject = &self.slowing;
        let mut keys = match self.address {
            Some(ip) => vec![
                (format!("{subject}|address:{ip}"), PER_ACCOUNT),
                (format!("address:{ip}"), PER_ADDRESS),
            ],
            None => vec![(format!("{subject}|address:unknown"), PER_ACCOUNT)],
        };
        if let Some(policy) = self.everywhere {
            keys.push((format!("{subject}|everywhere"), policy));
        }
        keys
    }

    /// How long to wait before trying again (milliseconds), if a refusing counter says so.
    /// Before answering, an identifier guessed at from many addresses is held back the
    /// delay its failures have earned (the owner's answer too, so that a fast answer does
    /// not give a success away).
    pub async fn wait(&mut self, state: &AppState) -> Result<Option<i64>, latchkey_store::Error> {
        let now = state.clock.now_ms();
        let refusing = self.refusing();
        let mut names: Vec<&str> = refusing.iter().map(|(k, _)| k.as_str()).collect();
        names.push(&self.slowing);
        let found = state.db.find_throttles(&names, now).await?;
        self.subject_counted = found.iter().any(|(k, _)| *k == refusing[0].0);
        let mut longest = None;
        let mut delay = None;
        for (key, counter) in &found {
            if *key == self.slowing {
                delay = PER_IDENTIFIER.delay_ms(counter);
            }
            let policy = refusing.iter().find(|(k, _)| k == key).map(|(_, p)| p);
            let wait = policy.and_then(|p| p.retry_after_ms(Some(counter), now));
            longest = longest.max(wait);
        }
        if let Some(delay) = delay.filter(|_| longest.is_none()) {
            tracing::warn!(key = %self.slowing, delay_ms = delay, "many failed proofs; answer slowed");
            tokio::time::sleep(std::time::Duration::from_millis(delay.unsigned_abs())).await;
        }
        Ok(longest)
    }

    /// No counter is live: a success has nothing to clear.
    pub fn assume_clear(&mut self) {
        self.subject_counted = false;
    }

    /// Count a failed proof against every counter.
    pub async fn failed(&self, state: &AppState) -> Result<(), latchkey_store::Error> {
        let now = state.clock.now_ms();
        let slowing = (self.slowing.clone(), PER_IDENTIFIER);
        for (key, policy) in self.refusing().iter().chain([&slowing]) {
            count(state, key, policy, now).await?;
        }
        Ok(())
    }

    /// A successful proof clears the subject's counter from this address (not the
    /// address's: one good password must not buy an address more guesses at other
    /// accounts; nor the subject's from everywhere: the owner signing in must not reset the
    /// budget of someone guessing from elsewhere).
    pub async fn succeeded(&self, state: &AppState) -> Result<(), latchkey_store::Error> {
        match self.subject_counted {
            true => state.db.clear_throttle(&self.refusing()[0].0).await,
            false => Ok(()),
        }
    }
}

/// The counter key of `what` (`registration`, `user-code`, ...) from `address`, and how long
/// that address must still wait under `policy` (milliseconds), if it must. The caller counts
/// the event (`count`) when it should.
pub async fn per_address(
    state: &AppState,
    what: &str,
    address: ClientAddress,
    policy: &Policy,
) -> Result<(String, Option<i64>), latchkey_store::Error> {
    let now = state.clock.now_ms();
    let from = address
        .0
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let key = format!("{what}|address:{from}");
    let found = state.db.find_throttles(&[key.as_str()], now).await?;
    let wait = policy.retry_after_ms(found.first().map(|(_, counter)| counter), now);
    Ok((key, wait))
}

/// Count one event against `key` under `policy`, kept until the policy forgets it.
pub async fn count(
    state: &AppState,
    key: &str,
    policy: &Policy,
    now: i64,
) -> Result<(), latchkey_store::Error> {
    let first = latchkey_core::throttle::Counter {
        failures: 1,
        last_failure_at: now,
    };
    let counter = state
        .db
        .record_failure(key, now, policy.forget_at(&first))
        .await?;
    state
        .db
        .extend_throttle(key, policy.forget_at(&counter))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
        list.iter()
            .map(|s| s.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.9, 10.0.0.2"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("198.51.100.7"), &headers, &trusted),
            ip("198.51.100.7"),
            "untrusted peer"
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers, &[]),
            ip("10.0.0.1")
        );
        headers.insert(
            "x-forwarded-for",
            "garbage".parse().unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers, &trusted),
            ip("10.0.0.1")
        );
    }
}
