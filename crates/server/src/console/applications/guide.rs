//! An application's Integration guide: for its type, the settings to paste into a service
//! that supports a custom OpenID Connect provider, and the authorization code flow in `curl`,
//! Node `openid-client`, Python Authlib and Rust `openidconnect`, filled with its real values.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use latchkey_core::client::{Application, ApplicationType};

use super::show::{Tab, load, tabs};
use crate::app::AppState;
use crate::console::{Console, Frame};
use crate::error::PageError;
use crate::html;

#[derive(Template)]
#[template(path = "console/app_guide.html")]
struct GuidePage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    machine: bool,
    confidential: bool,
    has_callback: bool,
    values: Vec<Value>,
    snippets: Vec<Snippet>,
}

struct Value {
    id: &'static str,
    label: &'static str,
    value: String,
}

struct Snippet {
    id: &'static str,
    title: &'static str,
    code: String,
}

/// The values every snippet is filled with.
struct Facts<'a> {
    issuer: String,
    client_id: &'a str,
    redirect_uri: String,
    scope: &'static str,
}

const SECRET: &str = "<client secret>";

fn curl(f: &Facts, confidential: bool) -> String {
    let auth = match confidential {
        true => format!("  -u '{}:{SECRET}' \\\n", f.client_id),
        false => format!(
            "  -d client_id={} -d code_verifier=\"$VERIFIER\" \\\n",
            f.client_id
        ),
    };
    let pkce = match confidential {
        true => String::new(),
        false => "VERIFIER=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')\n\
                  CHALLENGE=$(printf %s \"$VERIFIER\" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')\n"
            .to_owned(),
    };
    let challenge = match confidential {
        true => "",
        false => "&code_challenge=$CHALLENGE&code_challenge_method=S256",
    };
    format!(
        "{pkce}# 1. Send the browser to:\n\
         echo \"{issuer}/auth?client_id={id}&response_type=code&redirect_uri={redirect}&scope={scope}&state=xyz{challenge}\"\n\
         # 2. Latchkey redirects back to {redirect}?code=...&state=xyz&iss=...\n\
         # 3. Redeem the code:\n\
         curl -s {issuer}/token \\\n{auth}  -d grant_type=authorization_code -d code=\"$CODE\" \\\n  --data-urlencode redirect_uri={redirect}",
        issuer = f.issuer,
        id = f.client_id,
        redirect = f.redirect_uri,
        scope = f.scope.replace(' ', "+"),
    )
}

fn node(f: &Facts, confidential: bool) -> String {
    let secret = match confidential {
        true => format!("'{SECRET}'"),
        false => "undefined, client.None()".to_owned(),
    };
    format!(
        "import * as client from 'openid-client';\n\n\
         const config = await client.discovery(new URL('{issuer}'), '{id}', {secret});\n\
         const verifier = client.randomPKCECodeVerifier();\n\
         const url = client.buildAuthorizationUrl(config, {{\n  redirect_uri: '{redirect}',\n  scope: '{scope}',\n  \
         code_challenge: await client.calculatePKCECodeChallenge(verifier),\n  code_challenge_method: 'S256',\n}});\n\
         // ... send the browser to url; on the callback:\n\
         const tokens = await client.authorizationCodeGrant(config, callbackUrl, {{ pkceCodeVerifier: verifier }});\n\
         console.log(tokens.claims());",
        issuer = f.issuer,
        id = f.client_id,
        redirect = f.redirect_uri,
        scope = f.scope,
    )
}

fn python(f: &Facts, confidential: bool) -> String {
    let secret = match confidential {
        true => format!(", client_secret='{SECRET}'"),
        false => String::new(),
    };
    format!(
        "from authlib.common.security import generate_token\n\
         from authlib.integrations.requests_client import OAuth2Session\n\n\
         client = OAuth2Session('{id}'{secret}, scope='{scope}',\n                       \
         redirect_uri='{redirect}', code_challenge_method='S256')\n\
         verifier = generate_token(48)\n\
         url, state = client.create_authorization_url('{issuer}/auth', code_verifier=verifier)\n\
         # ... send the browser to url; on the callback:\n\
         token = client.fetch_token('{issuer}/token', authorization_response=callback_url,\n                           \
         code_verifier=verifier)",
        issuer = f.issuer,
        id = f.client_id,
        redirect = f.redirect_uri,
        scope = f.scope,
    )
}

fn rust(f: &Facts, confidential: bool) -> String {
    let secret = match confidential {
        true => format!("Some(ClientSecret::new(\"{SECRET}\".into()))"),
        false => "None".to_owned(),
    };
    format!(
        "let issuer = IssuerUrl::new(\"{issuer}\".into())?;\n\
         let metadata = CoreProviderMetadata::discover_async(issuer, &http).await?;\n\
         let client = CoreClient::from_provider_metadata(metadata, ClientId::new(\"{id}\".into()), {secret})\n    \
         .set_redirect_uri(RedirectUrl::new(\"{redirect}\".into())?);\n\
         let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();\n\
         let (url, state, nonce) = client\n    \
         .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)\n    \
         .add_scope(Scope::new(\"email\".into()))\n    .set_pkce_challenge(challenge)\n    .url();\n\
         // ... send the browser to url; on the callback:\n\
         let tokens = client.exchange_code(AuthorizationCode::new(code))?\n    \
         .set_pkce_verifier(verifier).request_async(&http).await?;",
        issuer = f.issuer,
        id = f.client_id,
        redirect = f.redirect_uri,
    )
}

fn machine(f: &Facts) -> String {
    format!(
        "curl -s {issuer}/token -u '{id}:{SECRET}' \\\n  -d grant_type=client_credentials \\\n  \
         --data-urlencode resource=<API identifier> -d scope='<scopes>'",
        issuer = f.issuer,
        id = f.client_id,
    )
}

fn page(state: &AppState, console: &Console, app: &Application) -> Response {
    let text = console.text();
    let confidential = app.app_type.is_confidential();
    let facts = Facts {
        issuer: state.config.issuer(),
        client_id: &app.id,
        redirect_uri: app
            .redirect_uris
            .first()
            .cloned()
            .unwrap_or_else(|| "<callback URL>".into()),
        scope: "openid profile email offline_access",
    };
    let mut values = vec![
        Value {
            id: "guide-discovery",
            label: text.discovery,
            value: format!("{}/.well-known/openid-configuration", facts.issuer),
        },
        Value {
            id: "guide-client-id",
            label: text.client_id,
            value: app.id.clone(),
        },
        Value {
            id: "guide-callback",
            label: text.guide_callback,
            value: facts.redirect_uri.clone(),
        },
        Value {
            id: "guide-scopes",
            label: text.guide_scopes,
            value: facts.scope.to_owned(),
        },
    ];
    if confidential {
        values.insert(
            2,
            Value {
                id: "guide-secret",
                label: text.client_secret,
                value: SECRET.to_owned(),
            },
        );
    }
    let machine_app = app.app_type == ApplicationType::MachineToMachine;
    let snippets = match machine_app {
        true => vec![Snippet {
            id: "snippet-curl",
            title: "curl",
            code: machine(&facts),
        }],
        false => vec![
            Snippet {
                id: "snippet-curl",
                title: "curl",
                code: curl(&facts, confidential),
            },
            Snippet {
                id: "snippet-node",
                title: "Node.js (openid-client)",
                code: node(&facts, confidential),
            },
            Snippet {
                id: "snippet-python",
                title: "Python (Authlib)",
                code: python(&facts, confidential),
            },
            Snippet {
                id: "snippet-rust",
                title: "Rust (openidconnect)",
                code: rust(&facts, confidential),
            },
        ],
    };
    let view = GuidePage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_type: text.type_name(app.app_type),
        app_third_party: app.is_third_party,
        tabs: tabs(text, app, "/guide"),
        machine: machine_app,
        confidential,
        has_callback: !app.redirect_uris.is_empty(),
        values,
        snippets,
    };
    html::render(StatusCode::OK, &view, &view.frame.nonce)
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    Ok(page(&state, &console, &app))
}
