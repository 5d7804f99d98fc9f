// Logto's Node SDK (@logto/node) with organizations, unchanged, on SQLite and PostgreSQL: the
// ID token's `organizations` and `organization_roles`, an organization token for each of
// alice's two organizations with what her role there holds (and `getContext` fetching them in
// parallel), API tokens within an organization, and a member removed refused at once.

import { test } from "node:test";
import assert from "node:assert/strict";
import LogtoClient, { UserScope } from "@logto/node";
import { BACKENDS, BIN, managementApi, startLatchkey } from "./latchkey.mjs";
import { formBrowser } from "./form_browser.mjs";

const API = "https://docs.example.com";
const PASSWORD = "correct horse battery";
const REDIRECT = "http://localhost:3000/callback";

/** alice; the organization template (scopes, roles admin and viewer); Acme (alice admin),
 * Globex (alice viewer) and Initech (not hers); an API whose scopes the roles hold. */
async function setUp(backend) {
  const latchkey = await startLatchkey({}, { backend });
  const { base, run } = latchkey;
  const alice = JSON.parse(run(["users", "create", "--username", "alice", "--password-stdin"], `${PASSWORD}\n`));
  const api = await managementApi(run);
  const resource = await api("POST", `${base}/api/resources`, { name: "Docs", indicator: API });
  const readDocs = await api("POST", `${base}/api/resources/${resource.id}/scopes`, { name: "read:docs" });
  const writeDocs = await api("POST", `${base}/api/resources/${resource.id}/scopes`, { name: "write:docs" });
  const readMembers = await api("POST", `${base}/api/organization-scopes`, { name: "read:members" });
  const inviteMembers = await api("POST", `${base}/api/organization-scopes`, { name: "invite:members" });
  const admin = await api("POST", `${base}/api/organization-roles`, {
    name: "admin", organizationScopeIds: [readMembers.id, inviteMembers.id], resourceScopeIds: [writeDocs.id],
  });
  const viewer = await api("POST", `${base}/api/organization-roles`, {
    name: "viewer", organizationScopeIds: [readMembers.id], resourceScopeIds: [readDocs.id],
  });
  const orgs = {};
  for (const [name, role] of [["Acme", admin], ["Globex", viewer], ["Initech", null]]) {
    orgs[name] = await api("POST", `${base}/api/organizations`, { name });
    if (!role) continue;
    await api("POST", `${base}/api/organizations/${orgs[name].id}/users`, { userIds: [alice.id] });
    await api("POST", `${base}/api/organizations/${orgs[name].id}/users/${alice.id}/roles`, { organizationRoleIds: [role.id] });
  }
  const app = await api("POST", `${base}/api/applications`, {
    name: "Own app", type: "Traditional", oidcClientMetadata: { redirectUris: [REDIRECT] },
  });
  return { ...latchkey, api, alice, orgs, app };
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

for (const backend of BACKENDS) {
  test(`@logto/node gets organization claims and tokens (${backend})`, async (t) => {
    assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
    const { base, server, api, alice, orgs, app } = await setUp(backend);
    try {
      const navigated = [];
      const session = new Map();
      const client = new LogtoClient(
        {
          endpoint: base, appId: app.id, appSecret: app.secret, resources: [API],
          // The SDK adds urn:logto:resource:organizations to the sign-in for the first one.
          scopes: [UserScope.Organizations, UserScope.OrganizationRoles, "read:members", "invite:members", "read:docs", "write:docs"],
        },
        {
          navigate: (url) => void navigated.push(url),
          storage: {
            getItem: async (key) => session.get(key) ?? null,
            setItem: async (key, value) => void session.set(key, value),
            removeItem: async (key) => void session.delete(key),
          },
        },
      );
      const { visit } = formBrowser("alice", PASSWORD);
      await client.signIn(REDIRECT);
      assert.ok(new URL(navigated.at(-1)).searchParams.getAll("resource").includes("urn:logto:resource:organizations"));
      await client.handleSignInCallback(await visit(navigated.pop(), REDIRECT));
      const { Acme, Globex, Initech } = orgs;

      await t.test("the ID token names both organizations and the roles held in each", async () => {
        const claims = await client.getIdTokenClaims();
        assert.deepEqual(claims.organizations, [Acme.id, Globex.id]);
        assert.deepEqual(claims.organization_roles, [`${Acme.id}:admin`, `${Globex.id}:viewer`]);
      });

      await t.test("an organization token per organization, with what the role there holds", async () => {
        const acme = await client.getOrganizationTokenClaims(Acme.id);
        assert.equal(acme.aud, `urn:logto:organization:${Acme.id}`);
        assert.equal(acme.organization_id, Acme.id);
        assert.equal(acme.sub, alice.id);
        assert.deepEqual(acme.scope.split(" ").sort(), ["invite:members", "read:members"]);
        const globex = await client.getOrganizationTokenClaims(Globex.id);
        assert.equal(globex.scope, "read:members", "a viewer there");
      });

      await t.test("getContext fetches them in parallel, with a refresh-token reuse grace", async () => {
        // Several refreshes with one rotating refresh token at once: within the grace, the
        // ones after the first rotation get their own access token and no new refresh token.
        await api("PATCH", `${base}/api/applications/${app.id}`, { customClientMetadata: { refreshTokenReuseGraceSeconds: 10 } });
        await client.clearAccessToken();
        const context = await client.getContext({ getOrganizationToken: true });
        assert.deepEqual(Object.keys(context.organizationTokens).sort(), [Acme.id, Globex.id].sort());
        assert.equal(claimsOf(context.organizationTokens[Globex.id]).aud, `urn:logto:organization:${Globex.id}`);
        assert.equal(claimsOf(context.organizationTokens[Acme.id]).organization_id, Acme.id);
      });

      await t.test("API tokens within an organization hold what the role there holds", async () => {
        const inAcme = claimsOf(await client.getAccessToken(API, Acme.id));
        assert.equal(inAcme.aud, API);
        assert.equal(inAcme.organization_id, Acme.id);
        assert.equal(inAcme.scope, "write:docs");
        const inGlobex = claimsOf(await client.getAccessToken(API, Globex.id));
        assert.equal(inGlobex.scope, "read:docs");
      });

      // The SDK passes the token endpoint's OAuth error on as the error's data.
      const invalidGrant = (error) => error.data?.error === "invalid_grant";
      await t.test("not a member, or removed: refused at once", async () => {
        await assert.rejects(client.getOrganizationToken(Initech.id), invalidGrant);
        await api("DELETE", `${base}/api/organizations/${Globex.id}/users/${alice.id}`);
        await client.clearAccessToken();
        await assert.rejects(client.getOrganizationToken(Globex.id), invalidGrant);
        const acme = await client.getOrganizationTokenClaims(Acme.id);
        assert.equal(acme.organization_id, Acme.id, "the other organization still answers");
      });
    } finally {
      server.kill();
    }
  });
}
