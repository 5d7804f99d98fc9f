//! The example for a single-page app: `oidc-client-ts` in the page at the redirect URI,
//! PKCE in the browser and no secret.

use super::{Facts, quoted};

pub fn spa(f: &Facts) -> String {
    let resource = match f.resources.as_slice() {
        [] => String::new(),
        [one] => format!("  resource: {},\n", quoted(one)),
        many => format!(
            "  resource: [{}],\n",
            many.iter()
                .map(|r| quoted(r))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "// npm install oidc-client-ts; this module runs in the page at the redirect URI.\n\
         import {{ UserManager }} from 'oidc-client-ts';\n\n\
         const users = new UserManager({{\n  \
         authority: {issuer},\n  \
         client_id: {id},\n  \
         redirect_uri: {redirect},\n  \
         scope: {scope},\n{resource}}});\n\n\
         if (new URLSearchParams(location.search).has('code')) {{\n  \
         // Back from Latchkey: the browser redeems the code with its PKCE verifier.\n  \
         const user = await users.signinRedirectCallback();\n  \
         document.body.append(`Signed in: ${{user.profile.sub}}`);\n\
         }} else {{\n  \
         await users.signinRedirect(); // usually behind a \"Sign in\" button\n\
         }}",
        issuer = quoted(&f.issuer),
        id = quoted(&f.client_id),
        redirect = quoted(&f.redirect_uri),
        scope = quoted(&f.scope),
    )
}
