//! Matching a requested `redirect_uri` against the registered ones: byte for byte, with one
//! exception, the port of a loopback IP redirect for native apps (RFC 8252 §7.3; for clients
//! that registered themselves `localhost` too, which their documents list without a port); and
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
                    && same_but_loopback_port(registered, requested, application.dynamic.is_some()))
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

/// Whether the code would go to this computer: an `http` redirect to a loopback address or
/// `localhost`.
pub fn is_loopback(redirect_uri: &str) -> bool {
    let Ok(url) = Url::parse(redirect_uri) else {
        return false;
    };
    url.scheme() == "http"
        && match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(name)) => name == "localhost",
            None => false,
        }
}

/// The origins of the `https` and loopback `http` URIs among `redirect_uris`, once each:
/// where a self-registered client's own pages run, allowed to call the token endpoint.
pub fn web_origins(redirect_uris: &[String]) -> Vec<String> {
    let mut origins: Vec<String> = Vec::new();
    for uri in redirect_uris {
        let Ok(url) = Url::parse(uri) else { continue };
        let web = url.scheme() == "https" || is_loopback(uri);
        let origin = url.origin().ascii_serialization();
        if web && !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

/// Equal once the port is removed, when both are `http` on the same loopback IP literal.
/// `localhost` only when `named` (a self-registered client, whose document says
/// `http://localhost/callback` for an ephemeral port): an administrator registering an app
/// should use the IP literal, as `localhost` may resolve elsewhere (RFC 8252 §8.3).
fn same_but_loopback_port(registered: &str, requested: &str, named: bool) -> bool {
    let (Ok(mut a), Ok(mut b)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    let loopback_ip = |u: &Url| match u.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => named && name == "localhost",
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
            dynamic: None,
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
        let mut agent = a.clone();
        agent.dynamic = Some(crate::dynamic::Dynamic {
            registration: crate::dynamic::Registration::Cimd,
            approval: None,
            policy_ceiling: true,
            fetched_at: None,
            fresh_until: None,
            authorized_at: None,
        });
        assert!(
            find(&agent, "http://localhost:4000/cb").is_some(),
            "a self-registered client's localhost matches any port"
        );
        assert!(find(&agent, "http://localhost:4000/other").is_none());
        assert!(is_loopback("http://localhost:4000/cb"));
        assert!(is_loopback("http://[::1]/cb"));
        assert!(!is_loopback("https://localhost/cb"));
        assert!(!is_loopback("http://example.com/cb"));
        let uris = [
            "https://claude.ai/api/mcp/auth_callback".to_owned(),
            "https://claude.ai/other".to_owned(),
            "http://localhost:6274/oauth/callback".to_owned(),
            "cursor://anysphere.cursor-mcp/oauth/callback".to_owned(),
        ];
        assert_eq!(
            web_origins(&uris),
            ["https://claude.ai", "http://localhost:6274"]
        );
        let web = app(ApplicationType::Spa, &["http://127.0.0.1/callback"]);
        assert!(
            find(&web, "http://127.0.0.1:53121/callback").is_none(),
            "only native apps"
        );
    }
}
