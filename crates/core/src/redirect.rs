//! Matching a requested `redirect_uri` against the registered ones: byte for byte, with one
//! exception, the port of a loopback IP redirect for native apps (RFC 8252 §7.3); and
//! whether a redirect proves who receives the code (RFC 8252 §8.6).

use url::{Host, Url};

use crate::client::{Application, ApplicationType};

/// The registered URI that `requested` matches, if any.
pub fn find<'a>(application: &'a Application, requested: &str) -> Option<&'a str> {
    application
        .redirect_uris
        .iter()
        .find(|registered| {
            registered.as_str() == requested
                || (application.app_type == ApplicationType::Native
                    && same_but_loopback_port(registered, requested))
        })
        .map(String::as_str)
}

/// Whether sending a code to `redirect_uri` proves nothing about who receives it
/// (RFC 8252 §8.6): a public client's loopback or private-scheme URI, which any program on
/// the device can claim. Such an authorization is never given silently: the user confirms it
/// on a page naming the application. `own_origin` (the server's public origin) is exempt:
/// what is served there is this server's own.
pub fn proves_nothing(application: &Application, redirect_uri: &str, own_origin: &str) -> bool {
    if application.app_type.is_confidential() {
        return false;
    }
    match Url::parse(redirect_uri) {
        Ok(url) if url.scheme() == "https" => false,
        Ok(url) if url.scheme() == "http" => url.origin().ascii_serialization() != own_origin,
        _ => true,
    }
}

/// Equal once the port is removed, when both are `http` on the same loopback IP literal.
/// `localhost` is not included: it may resolve elsewhere (RFC 8252 §8.3).
fn same_but_loopback_port(registered: &str, requested: &str) -> bool {
    let (Ok(mut a), Ok(mut b)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    let loopback_ip = |u: &Url| match u.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    if a.scheme() != "http" || b.scheme() != "http" || !loopback_ip(&a) || !loopback_ip(&b) {
        return false;
    }
    if a.set_port(None).is_err() || b.set_port(None).is_err() {
        return false;
    }
    // Compare the rest as written: the requested string minus its port must equal the
    // registered string minus its port, so no normalisation can widen the match.
    a.as_str() == b.as_str()
        && strip_port(registered) == a.as_str()
        && strip_port(requested) == b.as_str()
}

fn strip_port(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("http://") else {
        return uri.to_owned();
    };
    let (authority, path) = rest
        .find('/')
        .map_or((rest, ""), |i| (&rest[..i], &rest[i..]));
    let host = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    };
    let path = if path.is_empty() { "/" } else { path };
    format!("http://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_private_schemes_of_public_clients_prove_nothing() {
        let own = "http://127.0.0.1:3001";
        let mut app = app(ApplicationType::Native, &[]);
        for uri in [
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "com.example.app:/cb",
        ] {
            assert!(proves_nothing(&app, uri, own), "{uri}");
        }
        assert!(!proves_nothing(&app, "https://app.example.com/cb", own));
        assert!(!proves_nothing(
            &app,
            "http://127.0.0.1:3001/console/callback",
            own
        ));
        app.app_type = ApplicationType::Spa;
        assert!(proves_nothing(&app, "http://localhost:5173/cb", own));
        app.app_type = ApplicationType::Traditional;
        assert!(
            !proves_nothing(&app, "http://localhost:5173/cb", own),
            "a secret proves it"
        );
    }

    fn app(app_type: ApplicationType, uris: &[&str]) -> Application {
        Application {
            id: "a".into(),
            name: "A".into(),
            description: None,
            app_type,
            is_third_party: false,
            redirect_uris: uris.iter().map(|u| (*u).to_owned()).collect(),
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        }
    }

    #[test]
    fn matching_is_byte_for_byte() {
        let a = app(
            ApplicationType::Traditional,
            &["https://app.example.com/cb"],
        );
        assert!(find(&a, "https://app.example.com/cb").is_some());
        for near in [
            "https://app.example.com/cb/",
            "https://APP.example.com/cb",
            "https://app.example.com:443/cb",
            "https://app.example.com/cb?x=1",
            "https://app.example.com/%63b",
            "https://app.example.com/cb#",
        ] {
            assert!(find(&a, near).is_none(), "{near}");
        }
    }

    #[test]
    fn native_apps_may_vary_the_port_of_a_loopback_ip_only() {
        let a = app(
            ApplicationType::Native,
            &[
                "http://127.0.0.1/callback",
                "http://[::1]:8000/cb",
                "http://localhost/cb",
            ],
        );
        assert!(find(&a, "http://127.0.0.1:53121/callback").is_some());
        assert!(find(&a, "http://[::1]:40000/cb").is_some());
        assert!(find(&a, "http://127.0.0.1:53121/other").is_none());
        assert!(
            find(&a, "http://localhost:4000/cb").is_none(),
            "localhost keeps its exact port"
        );
        assert!(find(&a, "http://127.0.0.2:53121/callback").is_none());
        let web = app(ApplicationType::Spa, &["http://127.0.0.1/callback"]);
        assert!(
            find(&web, "http://127.0.0.1:53121/callback").is_none(),
            "only native apps"
        );
    }
}
