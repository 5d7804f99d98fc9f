//! The examples for an application with a server: the code flow in `curl`, a complete Node
//! `openid-client` program (the one a partner can run as handed over), Python Authlib and
//! Rust `openidconnect`; and the client credentials grant for a machine-to-machine app.

use super::{Facts, SECRET, quoted};

/// The authorization request as a URL, every value encoded (so that it is also safe inside
/// the shell's double quotes), `extra` appended as written.
fn authorize_url(f: &Facts, extra: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", &f.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &f.redirect_uri)
        .append_pair("scope", &f.scope)
        .append_pair("state", "xyz");
    for resource in &f.resources {
        query.append_pair("resource", resource);
    }
    format!("{}/auth?{}{extra}", f.issuer, query.finish())
}

pub fn curl(f: &Facts) -> String {
    let (pkce, challenge, auth) = match f.confidential {
        true => (
            String::new(),
            "",
            format!("  -u '{}:{SECRET}' \\\n", f.client_id),
        ),
        false => (
            "VERIFIER=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\\n')\n\
             CHALLENGE=$(printf %s \"$VERIFIER\" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')\n"
                .to_owned(),
            "&code_challenge=$CHALLENGE&code_challenge_method=S256",
            format!(
                "  -d client_id='{}' -d code_verifier=\"$VERIFIER\" \\\n",
                f.client_id
            ),
        ),
    };
    format!(
        "{pkce}# 1. Send the browser to:\n\
         echo \"{url}\"\n\
         # 2. Latchkey redirects back to the redirect URI with ?code=...&state=xyz&iss=...\n\
         CODE='<code>'\n\
         # 3. Redeem the code:\n\
         curl -s {issuer}/token \\\n{auth}  -d grant_type=authorization_code -d code=\"$CODE\" \\\n  \
         --data-urlencode redirect_uri='{redirect}'",
        url = authorize_url(f, challenge),
        issuer = f.issuer,
        redirect = f.redirect_uri,
    )
}

/// `openid-client` v6 refuses an `http` issuer unless told: a development issuer is allowed
/// explicitly, on a line of its own that says so.
pub fn discovery(f: &Facts, secret: &str) -> String {
    let insecure = match f.insecure {
        true => {
            ",\n  { execute: [client.allowInsecureRequests] }, // http issuer: development only"
        }
        false => "",
    };
    let (secret, auth) = match (f.confidential, f.insecure) {
        (true, true) => (format!(",\n  {secret}"), ",\n  undefined"),
        (true, false) => (format!(",\n  {secret}"), ""),
        (false, _) => (",\n  undefined".to_owned(), ",\n  client.None()"),
    };
    format!(
        "const config = await client.discovery(\n  new URL({issuer}),\n  {id}{secret}{auth}{insecure}\n);",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
    )
}

/// The parameters of `buildAuthorizationUrl`, and the lines adding further resources.
pub fn parameters(f: &Facts, redirect_uri: &str) -> (String, String) {
    let mut lines = format!(
        "  redirect_uri: {redirect_uri},\n  scope: {},\n",
        quoted(&f.scope)
    );
    let mut more = String::new();
    for (i, resource) in f.resources.iter().enumerate() {
        match i {
            0 => lines.push_str(&format!("  resource: {},\n", quoted(resource))),
            _ => more.push_str(&format!(
                "url.searchParams.append('resource', {});\n",
                quoted(resource)
            )),
        }
    }
    lines.push_str(
        "  code_challenge: await client.calculatePKCECodeChallenge(verifier),\n  \
         code_challenge_method: 'S256',\n",
    );
    (lines, more)
}

pub fn node(f: &Facts) -> String {
    let (parameters, more) = parameters(f, &quoted(&f.redirect_uri));
    format!(
        "// sign-in.mjs (npm install openid-client; node sign-in.mjs)\n\
         import * as client from 'openid-client';\n\
         import {{ createInterface }} from 'node:readline/promises';\n\n\
         {discovery}\n\
         const verifier = client.randomPKCECodeVerifier();\n\
         const url = client.buildAuthorizationUrl(config, {{\n{parameters}}});\n{more}\
         // Your app sends the browser there. Here: open it yourself and sign in.\n\
         console.log(url.href);\n\
         // Latchkey sends the browser back to the redirect URI; your app's route there gets the\n\
         // whole address. Here: paste it.\n\
         const input = createInterface({{ input: process.stdin, output: process.stdout }});\n\
         const callbackUrl = new URL(await input.question('Address after sign-in: '));\n\
         input.close();\n\
         const tokens = await client.authorizationCodeGrant(config, callbackUrl, {{ pkceCodeVerifier: verifier }});\n\
         console.log(JSON.stringify(tokens.claims()));",
        discovery = discovery(f, &quoted(SECRET)),
    )
}

pub fn python(f: &Facts) -> String {
    let secret = match f.confidential {
        true => format!(", client_secret={}", quoted(SECRET)),
        false => String::new(),
    };
    let resource = match f.resources.first() {
        Some(r) => format!(
            ",\n                                      resource={}",
            quoted(r)
        ),
        None => String::new(),
    };
    format!(
        "from authlib.common.security import generate_token\n\
         from authlib.integrations.requests_client import OAuth2Session\n\n\
         client = OAuth2Session({id}{secret}, scope={scope},\n                       \
         redirect_uri={redirect}, code_challenge_method='S256')\n\
         verifier = generate_token(48)\n\
         url, state = client.create_authorization_url({issuer} + '/auth', code_verifier=verifier{resource})\n\
         # ... send the browser to url; on the callback:\n\
         token = client.fetch_token({issuer} + '/token', authorization_response=callback_url,\n                           \
         code_verifier=verifier)",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
        redirect = quoted(&f.redirect_uri),
        scope = quoted(&f.scope),
    )
}

pub fn rust(f: &Facts) -> String {
    let secret = match f.confidential {
        true => format!("Some(ClientSecret::new({}.into()))", quoted(SECRET)),
        false => "None".to_owned(),
    };
    // openidconnect adds `openid` itself.
    let mut extra = String::new();
    for scope in f.scope.split(' ').filter(|s| *s != "openid") {
        extra.push_str(&format!(
            "\n    .add_scope(Scope::new({}.into()))",
            quoted(scope)
        ));
    }
    for resource in &f.resources {
        extra.push_str(&format!(
            "\n    .add_extra_param(\"resource\", {})",
            quoted(resource)
        ));
    }
    format!(
        "let issuer = IssuerUrl::new({issuer}.into())?;\n\
         let metadata = CoreProviderMetadata::discover_async(issuer, &http).await?;\n\
         let client = CoreClient::from_provider_metadata(metadata, ClientId::new({id}.into()), {secret})\n    \
         .set_redirect_uri(RedirectUrl::new({redirect}.into())?);\n\
         let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();\n\
         let (url, state, nonce) = client\n    \
         .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random){extra}\n    \
         .set_pkce_challenge(challenge)\n    .url();\n\
         // ... send the browser to url; on the callback:\n\
         let tokens = client.exchange_code(AuthorizationCode::new(code))?\n    \
         .set_pkce_verifier(verifier).request_async(&http).await?;",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
        redirect = quoted(&f.redirect_uri),
    )
}

pub fn machine(f: &Facts) -> String {
    format!(
        "curl -s {issuer}/token -u '{id}:{SECRET}' \\\n  -d grant_type=client_credentials \\\n  \
         --data-urlencode resource='<API identifier>' -d scope='<scopes>'",
        issuer = f.issuer,
        id = f.client_id,
    )
}
