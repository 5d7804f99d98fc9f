// A third-party application asks for organization scopes, in a real browser (headless
// Chromium): the consent page offers alice's two organizations (not the one where she holds
// nothing it asks for), she picks both, tokens come for both and not for a third; on
// /account/apps she takes one organization back and only that one ends. In English and
// French, and at 390 px without overflow.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, PARTNER_CALLBACK as callback, fitProblems, launchBrowser, managementApi, pageShots, redirectedTo, startLatchkey } from "./latchkey.mjs";

const PASSWORD = "correct horse battery";

async function signIn(page) {
  await page.getByLabel(/Username or email|Nom d’utilisateur ou e-mail/).fill("alice");
  await page.getByLabel(/Password|Mot de passe/).fill(PASSWORD);
  await page.getByRole("button", { name: /Sign in|Se connecter/ }).click();
}

/** alice in Acme (admin) and Globex (viewer), not in Initech where bob is; a partner whose
 * ceiling holds `read:members`. */
async function setUp() {
  const latchkey = await startLatchkey();
  const { base, run } = latchkey;
  const alice = JSON.parse(run(["users", "create", "--username", "alice", "--name", "Alice", "--password-stdin"], `${PASSWORD}\n`));
  const bob = JSON.parse(run(["users", "create", "--username", "bob", "--password-stdin"], `${PASSWORD}\n`));
  const api = await managementApi(run);
  const readMembers = await api("POST", `${base}/api/organization-scopes`, { name: "read:members", description: "See the members" });
  const role = await api("POST", `${base}/api/organization-roles`, { name: "member", organizationScopeIds: [readMembers.id] });
  const orgs = {};
  for (const [name, who] of [["Acme", alice], ["Globex", alice], ["Initech", bob]]) {
    orgs[name] = await api("POST", `${base}/api/organizations`, { name });
    await api("POST", `${base}/api/organizations/${orgs[name].id}/users`, { userIds: [who.id] });
    await api("POST", `${base}/api/organizations/${orgs[name].id}/users/${who.id}/roles`, { organizationRoleIds: [role.id] });
  }
  // alice also belongs to Umbrella, but holds nothing there.
  orgs.Umbrella = await api("POST", `${base}/api/organizations`, { name: "Umbrella" });
  await api("POST", `${base}/api/organizations/${orgs.Umbrella.id}/users`, { userIds: [alice.id] });
  const app = await api("POST", `${base}/api/applications`, {
    name: "Partner", type: "Traditional", isThirdParty: true, oidcClientMetadata: { redirectUris: [callback] },
  });
  await api("POST", `${base}/api/applications/${app.id}/user-consent-scopes`, {
    userScopes: ["urn:logto:scope:organizations"], organizationScopes: [readMembers.id],
  });
  return { ...latchkey, api, alice, orgs, app };
}

test("a person lets a third-party app into two organizations, then takes one back", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, orgs, app } = await setUp();
  const browser = await launchBrowser();
  try {
    const authorize = (extra) => `${base}/oidc/auth?${new URLSearchParams({
      client_id: app.id, redirect_uri: callback, response_type: "code", state: "s1",
      scope: "openid offline_access urn:logto:scope:organizations read:members", ...extra,
    })}`;
    const token = async (form) => {
      const response = await fetch(`${base}/oidc/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString("base64")}` },
        body: new URLSearchParams(form),
      });
      return { status: response.status, body: await response.json() };
    };

    // French first, at phone width: the organizations to choose from fit.
    const french = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await french.setViewportSize({ width: 390, height: 844 });
    await french.goto(authorize({}));
    await signIn(french);
    await french.getByRole("heading", { name: "Autoriser l’accès" }).waitFor();
    await french.getByRole("group", { name: "Vos organisations" }).waitFor();
    assert.deepEqual(await fitProblems(french, { reload: false }), []);
    const back = await redirectedTo(french, `${callback}?`, () => french.getByRole("button", { name: "Annuler" }).click());
    assert.equal(back.searchParams.get("error"), "access_denied");

    // English: the page offers Acme and Globex (read:members there), not Initech (not hers)
    // nor Umbrella (she holds nothing there); she picks both.
    const english = await browser.newContext({ locale: "en-US" });
    const page = await english.newPage();
    await page.goto(authorize({}));
    await signIn(page);
    const choice = page.getByRole("group", { name: "Your organizations" });
    await choice.waitFor();
    const offered = await choice.getByRole("checkbox").evaluateAll((boxes) => boxes.map((b) => b.labels[0].innerText.split("\n")[0]));
    assert.deepEqual(offered, ["Acme", "Globex"]);
    assert.ok((await choice.innerText()).includes("read:members"), "what each organization gives is shown");
    await choice.getByRole("checkbox", { name: /Acme/ }).check();
    await choice.getByRole("checkbox", { name: /Globex/ }).check();
    await pageShots(page, "consent-organizations");
    const done = await redirectedTo(page, `${callback}?`, () => page.getByRole("button", { name: "Authorize" }).click());
    const code = done.searchParams.get("code");
    const issued = await token({ grant_type: "authorization_code", code, redirect_uri: callback });
    assert.equal(issued.status, 200);
    let refresh = issued.body.refresh_token;
    const organizationToken = async (organizationId) => {
      const answer = await token({ grant_type: "refresh_token", refresh_token: refresh, organization_id: organizationId });
      if (answer.body.refresh_token) refresh = answer.body.refresh_token;
      return answer;
    };
    for (const name of ["Acme", "Globex"]) {
      const { status, body } = await organizationToken(orgs[name].id);
      assert.equal(status, 200, `${name}: ${JSON.stringify(body)}`);
      assert.equal(body.scope, "read:members");
    }
    for (const name of ["Initech", "Umbrella"]) {
      const { status, body } = await organizationToken(orgs[name].id);
      assert.equal(status, 400, name);
      assert.equal(body.error, "invalid_grant");
    }

    // /account/apps lists both organizations; removing Acme ends Acme only.
    // (A new tab of the same browser: the first is still failing to reach the partner.)
    const account = await english.newPage();
    await account.goto(`${base}/account/apps`);
    const row = account.locator("li.app", { has: account.getByRole("heading", { name: "Partner" }) });
    assert.deepEqual(await row.locator("ul.organizations li span").allInnerTexts(), ["Acme", "Globex"]);
    await row.getByRole("button", { name: "Remove access: Partner, Acme" }).click();
    await account.getByText("Access removed").waitFor();
    assert.deepEqual(await row.locator("ul.organizations li span").allInnerTexts(), ["Globex"]);
    assert.deepEqual(await fitProblems(account), []);
    assert.equal((await organizationToken(orgs.Acme.id)).body.error, "invalid_grant");
    assert.equal((await organizationToken(orgs.Globex.id)).status, 200);
  } finally {
    await browser.close();
    server.kill();
  }
});
