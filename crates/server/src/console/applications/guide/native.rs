//! The examples for a native app: AppAuth on Android and iOS (a private-scheme redirect URI,
//! PKCE added by the library), and a desktop program that receives the code on a loopback
//! port of its own choosing (RFC 8252 §7.3).

use super::server::{discovery, parameters};
use super::{Facts, quoted};

pub fn android(f: &Facts) -> String {
    format!(
        "// build.gradle: implementation 'net.openid:appauth:0.11.1', and\n\
         // manifestPlaceholders = [appAuthRedirectScheme: 'the scheme of the redirect URI']\n\
         AuthorizationServiceConfiguration.fetchFromIssuer(Uri.parse({issuer})) {{ config, error ->\n    \
         val request = AuthorizationRequest.Builder(\n        \
         config!!, {id}, ResponseTypeValues.CODE, Uri.parse({redirect})\n    \
         ).setScope({scope}).build() // AppAuth adds PKCE (S256)\n    \
         signIn.launch(AuthorizationService(this).getAuthorizationRequestIntent(request))\n\
         }}\n\
         // In the ActivityResult callback:\n\
         val response = AuthorizationResponse.fromIntent(result.data!!)!!\n\
         AuthorizationService(this).performTokenRequest(response.createTokenExchangeRequest()) {{ tokens, error ->\n    \
         // tokens?.idToken, tokens?.accessToken, tokens?.refreshToken\n\
         }}",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
        redirect = quoted(&f.redirect_uri),
        scope = quoted(&f.scope),
    )
}

pub fn ios(f: &Facts) -> String {
    let scopes = f
        .scope
        .split(' ')
        .map(quoted)
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "// Swift Package: https://github.com/openid/AppAuth-iOS\n\
         OIDAuthorizationService.discoverConfiguration(forIssuer: URL(string: {issuer})!) {{ config, error in\n    \
         guard let config else {{ return }}\n    \
         let request = OIDAuthorizationRequest(\n        \
         configuration: config, clientId: {id}, scopes: [{scopes}],\n        \
         redirectURL: URL(string: {redirect})!, responseType: OIDResponseTypeCode,\n        \
         additionalParameters: nil) // AppAuth adds PKCE (S256)\n    \
         self.flow = OIDAuthState.authState(byPresenting: request, presenting: self) {{ state, error in\n        \
         // state?.lastTokenResponse?.idToken, .accessToken, .refreshToken\n    \
         }}\n\
         }}",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
        redirect = quoted(&f.redirect_uri),
    )
}

/// A complete Node program: a one-time server on a free loopback port receives the code.
pub fn desktop(f: &Facts) -> String {
    let path = url::Url::parse(&f.redirect_uri)
        .ok()
        .filter(|u| u.scheme() == "http")
        .map_or_else(|| "/callback".to_owned(), |u| u.path().to_owned());
    let (parameters, more) = parameters(f, "redirect_uri");
    format!(
        "// desktop.mjs (npm install openid-client; node desktop.mjs)\n\
         import * as client from 'openid-client';\n\
         import {{ createServer }} from 'node:http';\n\n\
         {discovery}\n\
         // A one-time server on a free loopback port receives the code (RFC 8252).\n\
         const server = createServer();\n\
         await new Promise((listening) => server.listen(0, '127.0.0.1', listening));\n\
         const redirect_uri = `http://127.0.0.1:${{server.address().port}}{path}`;\n\
         const verifier = client.randomPKCECodeVerifier();\n\
         const url = client.buildAuthorizationUrl(config, {{\n{parameters}}});\n{more}\
         console.log(url.href); // open it in the user's browser\n\
         const callbackUrl = await new Promise((received) => server.on('request', (req, res) => {{\n  \
         const here = new URL(req.url, redirect_uri);\n  \
         if (here.pathname !== {path_quoted}) return res.writeHead(404).end();\n  \
         res.end('Signed in. You can close this window.');\n  \
         received(here);\n\
         }}));\n\
         server.close();\n\
         const tokens = await client.authorizationCodeGrant(config, callbackUrl, {{ pkceCodeVerifier: verifier }});\n\
         console.log(JSON.stringify(tokens.claims()));",
        discovery = discovery(f, ""),
        path_quoted = quoted(&path),
    )
}
