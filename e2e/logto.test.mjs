// Logto's own Node SDK (@logto/node) against Latchkey, as a first-party and as a third-party
// Traditional application: sign in, ID token claims, userinfo, an access token for an API
// (RFC 8707) through the refresh grant, sign out. If Latchkey really is laid out like Logto,
// the SDK works unchanged. The browser is a fetch loop with a cookie jar that submits the
// hosted pages' forms, so no Chromium is needed.

import { test } from "node:test";
import assert from "node:assert/strict";
import LogtoClient from "@logto/node";
import { BIN, managementApi, startLatchkey } from "./latchkey.mjs";
import { formBrowser } from "./form_browser.mjs";

const API = "https://api.example.com";
const API_SCOPE = "read:reports";
const PASSWORD = "correct horse battery";

/** alice, an API with one scope, and a role granting it to her. */
async function setUp() {
  const latchkey = await startLatchkey();
  const { base, run } = latchkey;
  const alice = JSON.parse(run(["users", "create", "--username", "alice", "--email", "alice@example.com", "--name", "Alice", "--password-stdin"], `${PASSWORD}\n`));
  const api = await managementApi(run);
  const resource = await api("POST", `${base}/api/resources`, { name: "Reports", indicator: API, accessTokenTtl: 600 });
  const scope = await api("POST", `${base}/api/resources/${resource.id}/scopes`, { name: API_SCOPE, description: "Read your reports" });
  const role = await api("POST", `${base}/api/roles`, { name: "reader", description: "Reads reports" });
  await api("POST", `${base}/api/roles/${role.id}/scopes`, { scopeIds: [scope.id] });
  await api("POST", `${base}/api/users/${alice.id}/roles`, { roleIds: [role.id] });
  return { ...latchkey, api, alice, scope };
}

/** The SDK as a server-side app would configure it, with its session kept in a Map. */
function logto(base, app, navigated) {
  const session = new Map();
  return new LogtoClient(
    // The SDK adds openid, offline_access and profile itself; `resources` puts `resource` on the authorization request.
    { endpoint: base, appId: app.id, appSecret: app.secret, resources: [API], scopes: ["email", API_SCOPE] },
    {
      // A server app would answer with a 302; here the test follows the URL itself.
      navigate: (url) => void navigated.push(url),
      storage: {
        getItem: async (key) => session.get(key) ?? null,
        setItem: async (key, value) => void session.set(key, value),
        removeItem: async (key) => void session.delete(key),
      },
    },
  );
}

const jwtPart = (jwt, index) => JSON.parse(Buffer.from(jwt.split(".")[index], "base64url").toString());

async function signInAndOut(t, { thirdParty }) {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, api, alice, scope } = await setUp();
  try {
    const [redirectUri, postLogoutRedirectUri] = thirdParty
      ? ["https://partner.example/callback", "https://partner.example/signed-out"]
      : ["http://localhost:3000/callback", "http://localhost:3000/signed-out"];
    const app = await api("POST", `${base}/api/applications`, {
      name: thirdParty ? "Partner" : "Own app", type: "Traditional", isThirdParty: thirdParty,
      oidcClientMetadata: { redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri] },
    });
    assert.ok(app.secret, "a Traditional application's secret comes with its creation");
    if (thirdParty) {
      // The ceiling: what the partner may ask for at all.
      await api("POST", `${base}/api/applications/${app.id}/user-consent-scopes`, { userScopes: ["email", "profile"], resourceScopes: [scope.id] });
    }
    const navigated = [];
    const client = logto(base, app, navigated);
    const { visit, pages } = formBrowser("alice", PASSWORD);

    await t.test("sign in", async () => {
      await client.signIn(redirectUri);
      const callback = await visit(navigated.pop(), redirectUri);
      // Third-party apps always ask the user first; first-party apps never show a consent page.
      assert.deepEqual(pages, thirdParty ? ["/sign-in/{id}", "/consent/{id}"] : ["/sign-in/{id}"]);
      // Redeems the code (client_secret_basic, no `resource`) and verifies the ID token.
      await client.handleSignInCallback(callback);
      assert.ok(await client.isAuthenticated());
    });

    await t.test("ID token claims", async () => {
      const claims = await client.getIdTokenClaims();
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.email, "alice@example.com");
      assert.equal(claims.iss, `${base}/oidc`);
      assert.equal(claims.aud, app.id);
    });

    await t.test("userinfo with the access token from the code", async () => {
      // Without `resource` at the token endpoint the access token is for userinfo (as in Logto).
      const token = await client.getAccessToken();
      const kind = token.split(".").length === 3 ? `a JWT for ${jwtPart(token, 1).aud}` : "an opaque token";
      const info = await client.fetchUserInfo().catch((error) => assert.fail(`userinfo refused ${kind}: ${error.message}`));
      assert.equal(info.sub, alice.id);
      assert.equal(info.email, "alice@example.com");
    });

    await t.test("access token for the API", async () => {
      // A refresh_token grant with resource=https://api.example.com.
      const token = await client.getAccessToken(API);
      assert.equal(jwtPart(token, 0).typ, "at+jwt");
      const claims = jwtPart(token, 1);
      assert.equal(claims.aud, API);
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.client_id, app.id);
      assert.ok(claims.scope.split(" ").includes(API_SCOPE), `scope: ${claims.scope}`);
    });

    await t.test("sign out", async () => {
      // Revokes the refresh token, then sends the browser to the end-session endpoint with
      // client_id and post_logout_redirect_uri but no id_token_hint: Latchkey asks to confirm.
      pages.length = 0;
      const refreshToken = await client.getRefreshToken();
      await client.signOut(postLogoutRedirectUri);
      assert.equal(await client.isAuthenticated(), false);
      const end = await visit(navigated.pop(), postLogoutRedirectUri);
      assert.equal(end, postLogoutRedirectUri);
      assert.deepEqual(pages, ["/oidc/session/end/confirm"]);
      // The SDK ignores a failed revocation, so check that the refresh token is really dead.
      const refused = await fetch(`${base}/oidc/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
      });
      assert.equal(refused.status, 400);
      assert.equal((await refused.json()).error, "invalid_grant");
    });
  } finally {
    server.kill();
  }
}

test("@logto/node signs a person in to a first-party Traditional app", (t) => signInAndOut(t, { thirdParty: false }));
test("@logto/node signs a person in to a third-party Traditional app", (t) => signInAndOut(t, { thirdParty: true }));
