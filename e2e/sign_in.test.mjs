// A person signs in through Latchkey's hosted page in a real browser (headless Chromium):
// a user and an application are created, then the authorization code flow runs in the
// browser up to the redirect that carries the code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, callbackServer, fitProblems, launchBrowser, managementApi, shot, startLatchkey } from "./latchkey.mjs";


/** Alice, and a first-party web application whose callback is a loopback page. */
async function aliceAndWebApp(base, run) {
  run(["users", "create", "--username", "alice", "--password-stdin"], "correct horse battery\n");
  const api = await managementApi(run);
  const { server: appServer, callback } = await callbackServer();
  const app = await api("POST", `${base}/api/applications`, { name: "Web", type: "Traditional", oidcClientMetadata: { redirectUris: [callback] } });
  return { appServer, callback, app };
}

test("a person signs in on the hosted page and the application gets a code", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  try {
    const { appServer, callback, app } = await aliceAndWebApp(base, run);

    const page = await browser.newPage({ locale: "fr-FR" });
    const query = new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid profile", state: "xyz" });
    await page.goto(`${base}/oidc/auth?${query}`);
    await page.getByLabel("Nom d’utilisateur ou e-mail").fill("alice");
    await page.getByLabel("Mot de passe").fill("wrong password");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /incorrect/);
    // The name is kept and the password field has the focus; Afficher shows what is typed.
    assert.equal(await page.evaluate(() => document.activeElement.id), "password");
    await page.keyboard.type("correct horse battery");
    await page.getByRole("button", { name: "Afficher" }).click();
    assert.equal(await page.getByLabel("Mot de passe").getAttribute("type"), "text");
    assert.equal(await page.getByLabel("Mot de passe").inputValue(), "correct horse battery");
    await page.getByRole("button", { name: "Masquer" }).click();
    assert.equal(await page.getByLabel("Mot de passe").getAttribute("type"), "password");
    await shot(page, "sign-in");
    await Promise.all([page.waitForURL(`${callback}?**`), page.getByRole("button", { name: "Se connecter" }).click()]);
    const back = new URL(page.url());
    assert.equal(back.searchParams.get("state"), "xyz");
    assert.equal(back.searchParams.get("iss"), `${base}/oidc`);
    assert.ok(back.searchParams.get("code"));
    appServer.close();
  } finally {
    await browser.close();
    server.kill();
  }
});

test("two authorizations begun in two tabs of one browser both complete", async () => {
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  try {
    const { appServer, callback, app } = await aliceAndWebApp(base, run);
    const context = await browser.newContext({ locale: "en-US" });
    const tabs = [await context.newPage(), await context.newPage()];
    for (const [i, tab] of tabs.entries()) {
      const query = new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid", state: `tab${i}` });
      await tab.goto(`${base}/oidc/auth?${query}`);
    }
    // The sign-in page fits a phone at both color schemes.
    assert.deepEqual(await fitProblems(tabs[0]), []);
    // The first tab's sign-in page was opened before the second's: both forms still work.
    for (const [i, tab] of tabs.entries()) {
      await tab.getByLabel("Username or email").fill("alice");
      await tab.getByLabel("Password", { exact: true }).fill("correct horse battery");
      await Promise.all([tab.waitForURL(`${callback}?**`), tab.getByRole("button", { name: "Sign in" }).click()]);
      const back = new URL(tab.url());
      assert.equal(back.searchParams.get("state"), `tab${i}`);
      assert.ok(back.searchParams.get("code"));
    }
    appServer.close();
  } finally {
    await browser.close();
    server.kill();
  }
});
