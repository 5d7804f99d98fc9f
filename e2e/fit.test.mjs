// Every hosted page (the ones an application waiting for approval and a `form_post` answer
// show included) and every console page, at a phone's width (390 px) in light and dark:
// nothing overflows sideways or is cut off, and no text or link is under 4.5:1 against what
// is behind it. With E2E_SCREENSHOTS set, each page is also saved at desktop and phone width,
// light and dark, under `pages/` (docs/screenshots/pages in the repository).

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, PARTNER_CALLBACK, fitProblems, launchBrowser, managementApi, pageShots, redirectedTo, startLatchkey } from "./latchkey.mjs";

const PASSWORD = "correct horse battery";

async function signIn(page, username) {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("every hosted and console page fits a phone and reads in both color schemes", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey({ LATCHKEY_SIGN_UP: "true" });
  const browser = await launchBrowser();
  const problems = {};
  const check = async (page, name, options) => {
    const found = await fitProblems(page, options);
    if (found.length) problems[name] = found;
    await pageShots(page, name);
  };
  try {
    run(["users", "create", "--username", "root", "--name", "Root", "--admin", "--password-stdin"], `${PASSWORD}\n`);
    run(["users", "create", "--username", "alice", "--email", "alice@example.com", "--name", "Alice", "--password-stdin"], `${PASSWORD}\n`);
    const api = await managementApi(run);
    const alice = (await api("GET", `${base}/api/users?search=alice`))[0];
    const docs = await api("POST", `${base}/api/resources`, { name: "Docs", indicator: "https://docs.example.com" });
    const read = await api("POST", `${base}/api/resources/${docs.id}/scopes`, { name: "read:docs", description: "Read your documents" });
    const role = await api("POST", `${base}/api/roles`, { name: "Readers", description: "Read the docs" });
    await api("POST", `${base}/api/roles/${role.id}/scopes`, { scopeIds: [read.id] });
    await api("POST", `${base}/api/users/${alice.id}/roles`, { roleIds: [role.id] });
    const partner = await api("POST", `${base}/api/applications`, {
      name: "Partner", type: "Traditional", isThirdParty: true, oidcClientMetadata: { redirectUris: [PARTNER_CALLBACK] },
    });
    await api("POST", `${base}/api/applications/${partner.id}/user-consent-scopes`, { userScopes: ["profile", "email"], resourceScopes: [read.id] });
    await api("PUT", `${base}/api/applications/${partner.id}/sign-in-experience`, {
      displayName: "Partner Docs", termsOfUseUrl: "https://partner.example/terms", privacyPolicyUrl: "https://partner.example/privacy",
    });
    const desktop = await api("POST", `${base}/api/applications`, {
      name: "Desktop", type: "Native", oidcClientMetadata: { redirectUris: ["http://127.0.0.1/callback"] },
    });
    // A client that registered itself, still waiting for an administrator's approval.
    const registered = await fetch(`${base}/oidc/reg`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Cursor", token_endpoint_auth_method: "none", redirect_uris: ["http://127.0.0.1/callback"] }),
    });
    assert.equal(registered.status, 201);
    const agent = { id: (await registered.json()).client_id };
    // An organization with alice in it, and the template's role.
    const orgScope = await api("POST", `${base}/api/organization-scopes`, { name: "read:members" });
    const orgRole = await api("POST", `${base}/api/organization-roles`, { name: "member", organizationScopeIds: [orgScope.id], resourceScopeIds: [read.id] });
    const org = await api("POST", `${base}/api/organizations`, { name: "Acme Corp", description: "A customer" });
    await api("POST", `${base}/api/organizations/${org.id}/users`, { userIds: [alice.id] });
    await api("POST", `${base}/api/organizations/${org.id}/users/${alice.id}/roles`, { organizationRoleIds: [orgRole.id] });

    // The hosted pages, as Alice meets them.
    let user = await (await browser.newContext({ locale: "en-US" })).newPage();
    const authorize = (app, redirect_uri, scope) =>
      `${base}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri, response_type: "code", scope, state: "s1", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })}`;
    await user.goto(`${base}/oidc/auth?client_id=nope&redirect_uri=https%3A%2F%2Fnope.example&response_type=code&scope=openid`);
    await check(user, "error");
    await user.goto(authorize(agent, "http://127.0.0.1:9/callback", "openid"));
    await user.getByRole("heading", { name: "Waiting for approval" }).waitFor();
    await check(user, "waiting");
    // The page that posts an answer to the application (`form_post`), held still: without
    // scripts it waits for its button.
    const still = await (await browser.newContext({ locale: "en-US", javaScriptEnabled: false })).newPage();
    await still.goto(authorize(desktop, "http://127.0.0.1:9/callback", "openid").concat("&prompt=none&response_mode=form_post"));
    await still.getByRole("button", { name: "Continue" }).waitFor();
    await check(still, "form-post");
    await user.goto(authorize(partner, PARTNER_CALLBACK, "openid profile email read:docs offline_access").concat("&resource=https%3A%2F%2Fdocs.example.com"));
    await user.getByLabel("Password").waitFor();
    await check(user, "sign-in");
    await user.getByRole("link", { name: /Create one/ }).click();
    await user.getByRole("heading").first().waitFor();
    await check(user, "sign-up");
    await user.goBack();
    await signIn(user, "alice");
    await user.getByRole("heading", { name: "Allow access" }).waitFor();
    await check(user, "consent");
    const consentPage = user.url();
    await redirectedTo(user, PARTNER_CALLBACK, () => user.getByRole("button", { name: "Authorize" }).click());
    // The rest in another tab: the failed navigation to the partner's unresolvable name would
    // interrupt the next one here.
    user = await user.context().newPage();
    await user.goto(consentPage);
    await user.getByRole("heading", { name: "Already done" }).waitFor();
    await check(user, "finished");
    await user.goto(authorize(desktop, "http://127.0.0.1:9/callback", "openid offline_access"));
    await user.getByRole("button", { name: "Continue" }).waitFor();
    await check(user, "confirm");
    await user.goto(`${base}/account/apps`);
    await check(user, "account-apps");
    await user.getByRole("button", { name: "Remove access: Partner Docs" }).click();
    await user.getByRole("heading", { name: "Remove access: Partner Docs" }).waitFor();
    await check(user, "account-remove", { reload: false });
    await user.getByRole("link", { name: "Cancel" }).click();
    await user.getByRole("heading", { name: "Connected apps" }).waitFor();
    await user.goto(base);
    await user.getByText("Signed in as Alice").waitFor();
    await check(user, "account");
    await user.getByRole("link", { name: "Sign out" }).click();
    await user.getByRole("button", { name: "Sign out" }).waitFor();
    await check(user, "logout");
    await user.getByRole("button", { name: "Sign out" }).click();
    await user.getByText("You are signed out.").waitFor();
    await user.goto(`${base}/oidc/session/end`);
    await user.getByText("You are not signed in.").waitFor();
    await check(user, "logged-out");
    await user.goto(`${base}/console/nowhere`);
    await check(user, "not-found");

    // Every console page, as an administrator sees it.
    const admin = await (await browser.newContext({ locale: "en-US" })).newPage();
    await admin.goto(`${base}/console`);
    await signIn(admin, "root");
    await admin.getByRole("heading", { name: "Applications" }).waitFor();
    const app = `/console/applications/${partner.id}`;
    const pages = {
      "console-applications": "/console/applications",
      "console-third-party": "/console/applications?tab=third-party",
      "console-new-application": "/console/applications/new?party=third",
      "console-app-setup": `${app}/setup`,
      "console-app-settings": app,
      "console-app-endpoints": `${app}/endpoints`,
      "console-app-permissions": `${app}/permissions`,
      "console-app-branding": `${app}/branding`,
      "console-app-guide": `${app}/guide`,
      "console-app-delete": `${app}/delete`,
      "console-native-guide": `/console/applications/${desktop.id}/guide`,
      "console-users": "/console/users",
      "console-new-user": "/console/users/new",
      "console-user": `/console/users/${alice.id}`,
      "console-user-delete": `/console/users/${alice.id}/delete`,
      "console-resources": "/console/resources",
      "console-resource": `/console/resources/${docs.id}`,
      "console-roles": "/console/roles",
      "console-role": `/console/roles/${role.id}`,
      "console-organizations": "/console/organizations",
      "console-organization": `/console/organizations/${org.id}`,
      "console-organization-template": "/console/organizations/template",
      "console-organization-role": `/console/organizations/template/roles/${orgRole.id}`,
      "console-agents": "/console/agents",
      "console-keys": "/console/keys",
      "console-audit": "/console/audit",
    };
    for (const [name, path] of Object.entries(pages)) {
      await admin.goto(`${base}${path}`);
      await check(admin, name);
    }
    // No logo set: nothing to warn about.
    await admin.goto(`${base}${app}/branding`);
    assert.equal(await admin.locator("#logo-warning").isVisible(), false);
    // The menu folds on a phone and opens with its button.
    await admin.setViewportSize({ width: 390, height: 844 });
    assert.equal(await admin.getByRole("link", { name: "Users" }).isVisible(), false);
    await admin.getByRole("button", { name: "Menu" }).click();
    await admin.getByRole("link", { name: "Users" }).click();
    await admin.getByRole("heading", { name: "Users" }).waitFor();

    assert.deepEqual(problems, {}, JSON.stringify(problems, null, 1));
  } finally {
    await browser.close();
    server.kill();
  }
});
