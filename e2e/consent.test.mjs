// A person signs in to a third-party application in a real browser (headless Chromium): the
// consent page shows the application's branding and what it asks for, Authorize sends a code
// back, Cancel (in French) sends access_denied, and the account page removes the access
// after asking.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, PARTNER_CALLBACK as callback, launchBrowser, managementApi, redirectedTo, shot, startLatchkey } from "./latchkey.mjs";

async function signIn(page) {
  await page.getByLabel(/Username or email|Nom d’utilisateur ou e-mail/).fill("alice");
  await page.getByLabel(/Password|Mot de passe/).fill("correct horse battery");
  await page.getByRole("button", { name: /Sign in|Se connecter/ }).click();
}

test("a person consents to a third-party application, then removes its access", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  try {
    run(["users", "create", "--username", "alice", "--email", "alice@example.com", "--name", "Alice", "--password-stdin"], "correct horse battery\n");
    const api = await managementApi(run);
    const app = await api("POST", `${base}/api/applications`, {
      name: "Partner", type: "Traditional", isThirdParty: true, oidcClientMetadata: { redirectUris: [callback] },
    });
    await api("POST", `${base}/api/applications/${app.id}/user-consent-scopes`, { userScopes: ["profile", "email"] });
    await api("PUT", `${base}/api/applications/${app.id}/sign-in-experience`, {
      displayName: "Partner Docs", termsOfUseUrl: "https://partner.example/terms", privacyPolicyUrl: "https://partner.example/privacy",
      branding: { logoUrl: "https://partner.example/logo.png" },
    });
    const authorize = (extra) =>
      `${base}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid email offline_access", state: "s1", ...extra })}`;

    // English: sign in, read the consent page, Authorize.
    const page = await browser.newPage({ locale: "en-US" });
    await page.goto(authorize({}));
    // The sign-in page names the app as its branding does.
    await page.getByText("to continue to Partner Docs").waitFor();
    await signIn(page);
    await page.getByRole("heading", { name: "Allow access" }).waitFor();
    // The company's mark and the app's side by side: the company has no logo, the app's does
    // not load; each shows its initial.
    await page.locator(".pair .initial", { hasText: "P" }).waitFor();
    assert.deepEqual(await page.locator(".pair .initial:visible").allInnerTexts(), ["A", "P"]);
    assert.equal(await page.getByRole("link", { name: "Connected apps" }).getAttribute("href"), "/account/apps");
    const body = await page.locator("main").innerText();
    for (const shown of ["Partner Docs wants to access your account", "Alice", "alice@example.com", "Your email address", "Stay signed in to the app"]) {
      assert.ok(body.includes(shown), `${shown} in:\n${body}`);
    }
    assert.equal(await page.getByRole("link", { name: "Terms of use" }).getAttribute("href"), "https://partner.example/terms");
    assert.ok(await page.getByRole("link", { name: "Not you? Use another account" }).isVisible());
    await shot(page, "consent");
    const consentPage = page.url();
    let back = await redirectedTo(page, `${callback}?`, () => page.getByRole("button", { name: "Authorize" }).click());
    assert.ok(back.searchParams.get("code"));
    // The back button (here: the consent page's address again) explains that the sign-in is
    // done and offers the way back to the app, not "expired".
    const again = await browser.newPage({ locale: "en-US" });
    await again.goto(consentPage);
    await again.getByRole("heading", { name: "Already done" }).waitFor();
    assert.ok((await again.locator("main").innerText()).includes("You already finished signing in to Partner Docs."));
    assert.equal(await again.getByRole("link", { name: "Return to the application" }).getAttribute("href"), "https://partner.example");
    await again.close();
    assert.equal(back.searchParams.get("state"), "s1");
    assert.equal(back.searchParams.get("iss"), `${base}/oidc`);

    // French, another browser, prompt=consent: the page is asked again; Cancel.
    const french = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await french.goto(authorize({ prompt: "consent" }));
    await signIn(french);
    await french.getByRole("heading", { name: "Autoriser l’accès" }).waitFor();
    assert.ok((await french.locator("main").innerText()).includes("Votre adresse e-mail"));
    back = await redirectedTo(french, `${callback}?`, () => french.getByRole("button", { name: "Annuler" }).click());
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "s1");
    assert.equal(back.searchParams.get("iss"), `${base}/oidc`);

    // The account page lists the application; Remove access; the next sign-in asks again.
    await page.goto(`${base}/account/apps`);
    await page.getByRole("heading", { name: "Partner Docs" }).waitFor();
    await page.getByRole("button", { name: "Remove access: Partner Docs" }).click();
    // Asked first, on a page naming the app and what it loses; then said done.
    await page.getByRole("heading", { name: "Remove access: Partner Docs" }).waitFor();
    assert.ok((await page.locator("main").innerText()).includes("Your email address"));
    await page.getByRole("button", { name: "Remove access" }).click();
    await page.getByRole("status").getByText("Access removed.").waitFor();
    await page.getByText("You have not allowed any third-party app.").waitFor();
    await shot(page, "account-apps");
    await page.goto(authorize({}));
    await page.getByRole("heading", { name: "Allow access" }).waitFor();
  } finally {
    await browser.close();
    server.kill();
  }
});
