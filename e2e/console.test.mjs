// An administrator runs the console in a real browser (headless Chromium), by clicks and
// typing only: creates a third-party Traditional app from the Third-party apps tab, follows
// its set-up checklist (redirect URI, `email` and one API scope, branding), copies its secret
// and the integration guide's Node.js program; the program, run as handed over, signs a
// user in to that app, who sees its branding and exactly those permissions; the
// administrator finds the grant on the user's page and removes it. Screenshots go to
// E2E_SCREENSHOTS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, PARTNER_CALLBACK as callback, launchBrowser, redirectedTo, runGuideProgram, shot, startLatchkey } from "./latchkey.mjs";


async function signIn(page, username) {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("an administrator sets up a third-party app in the console and removes a user's grant", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  try {
    run(["users", "create", "--username", "root", "--name", "Root", "--admin", "--password-stdin"], "correct horse battery\n");
    run(["users", "create", "--username", "alice", "--email", "alice@example.com", "--name", "Alice", "--password-stdin"], "correct horse battery\n");
    const context = await browser.newContext({ locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const admin = await context.newPage();
    await admin.goto(`${base}/console`);
    await signIn(admin, "root");
    await admin.getByRole("heading", { name: "Applications" }).waitFor();

    // An API with two scopes, and a role holding one of them, assigned to Alice.
    await admin.getByRole("link", { name: "API resources" }).click();
    await admin.getByLabel("Name", { exact: true }).fill("Docs");
    await admin.getByLabel(/Identifier/).fill("https://docs.example.com");
    await admin.getByRole("button", { name: "Create API resource" }).click();
    for (const [name, description, french] of [["read:docs", "Read your documents", "Lire vos documents"], ["write:docs", "Change your documents", ""]]) {
      await admin.getByLabel("Scope name").fill(name);
      await admin.getByLabel(/^Description \(shown/).fill(description);
      await admin.getByLabel("Description in French (optional)").fill(french);
      await admin.getByRole("button", { name: "Add scope" }).click();
      await admin.getByRole("cell", { name, exact: true }).waitFor();
    }
    await shot(admin, "console-api-resource");
    await admin.getByRole("link", { name: "Roles" }).click();
    await admin.getByLabel("Name", { exact: true }).fill("Readers");
    await admin.getByRole("button", { name: "Create role" }).click();
    await admin.getByLabel(/read:docs/).check();
    await admin.getByRole("button", { name: "Add" }).click();
    await admin.getByRole("button", { name: "Remove read:docs" }).waitFor();
    await admin.getByLabel("Username or email").fill("alice");
    await admin.getByRole("button", { name: "Assign" }).click();
    await admin.getByRole("link", { name: "alice" }).waitFor();
    await shot(admin, "console-role");

    // Signing keys: rotate the EC family.
    await admin.getByRole("link", { name: "Signing keys" }).click();
    admin.once("dialog", (dialog) => dialog.accept());
    await admin.getByRole("button", { name: "Rotate EC keys" }).click();
    await admin.getByText("Rotated.").waitFor();
    await shot(admin, "console-keys");
    // At once again: refused while the previous key still verifies what it signed; forced
    // through the button the refusal offers.
    admin.once("dialog", (dialog) => dialog.accept());
    await admin.getByRole("button", { name: "Rotate EC keys" }).click();
    await admin.getByText(/^Not rotated: the previous key still verifies tokens it signed until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/).waitFor();
    await shot(admin, "console-keys-refused");
    admin.once("dialog", (dialog) => dialog.accept());
    await admin.getByRole("button", { name: "Rotate anyway (leaked key)" }).click();
    await admin.getByText("Rotated.").waitFor();

    // A first-party application, for the tabs below.
    await admin.getByRole("link", { name: "Applications" }).first().click();
    await admin.getByRole("link", { name: "Create application" }).click();
    await admin.getByLabel(/Single-page app/).check();
    await admin.getByLabel("Name", { exact: true }).fill("Intranet");
    await admin.getByRole("button", { name: "Create" }).click();
    await admin.getByRole("link", { name: "Endpoints & credentials" }).waitFor();

    // Create from the Third-party apps tab: the tab decides the party and machine-to-machine
    // is not offered; the answer redirects to the set-up checklist, which shows the secret.
    await admin.getByRole("link", { name: "Applications" }).first().click();
    await admin.getByRole("link", { name: "Third-party apps" }).click();
    await admin.getByRole("link", { name: "Create third-party application" }).click();
    assert.equal(await admin.getByLabel(/Machine-to-machine/).count(), 0);
    await admin.getByLabel(/Traditional web/).check();
    await admin.getByLabel("Name", { exact: true }).fill("Partner");
    await shot(admin, "console-create-application");
    await admin.getByRole("button", { name: "Create" }).click();
    await admin.getByText(/shown on this page for ten minutes/).waitFor();
    const steps = () => admin.locator("ol.checklist > li").evaluateAll((items) =>
      items.map((li) => [li.querySelector("a").textContent, li.querySelector(".state")?.textContent].filter(Boolean).join(" ")));
    assert.deepEqual(await steps(), ["Redirect URIs To do", "Permissions To do", "Branding Optional", "Client secret Done", "Integration guide"]);
    await admin.locator(".secret-once").getByRole("button", { name: "Copy" }).click();
    const clientSecret = await admin.evaluate(() => navigator.clipboard.readText());
    assert.ok(clientSecret.length >= 40);
    await shot(admin, "console-setup");
    // A reload shows the same secret again and creates nothing.
    await admin.reload();
    assert.equal((await admin.locator("#new-secret").textContent()).trim(), clientSecret);
    await admin.getByRole("link", { name: "Endpoints & credentials" }).click();
    assert.equal((await admin.locator("#new-secret").textContent()).trim(), clientSecret);
    assert.equal(await admin.locator("table tbody tr").count(), 1, "one secret");
    // Create secret: shown once on the same tab; a reload shows it again and creates nothing.
    await admin.getByLabel("Name", { exact: true }).fill("Rotation");
    await admin.getByRole("button", { name: "Create secret" }).click();
    await admin.locator("table tbody tr").nth(1).waitFor();
    const second = (await admin.locator("#new-secret").textContent()).trim();
    assert.notEqual(second, clientSecret);
    await admin.reload();
    assert.equal((await admin.locator("#new-secret").textContent()).trim(), second);
    assert.equal(await admin.locator("table tbody tr").count(), 2, "two secrets, not three");
    await shot(admin, "console-endpoints");
    await admin.getByRole("link", { name: "Applications" }).first().click();
    await admin.getByRole("link", { name: "Third-party apps" }).click();
    assert.equal(await admin.getByRole("link", { name: "Partner", exact: true }).count(), 1);
    await admin.getByRole("link", { name: "Partner", exact: true }).click();

    // The guide, before anything is set, says what is missing instead of failing later.
    await admin.getByRole("link", { name: "Integration guide" }).click();
    const warnings = await admin.locator("p.warning").allInnerTexts();
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(warnings[0], /No redirect URI yet/);
    assert.match(warnings[1], /No permissions yet/);
    assert.equal(await admin.locator("#guide-scopes").innerText(), "openid offline_access");

    // Each step of the checklist, through its link.
    await admin.getByRole("link", { name: "Set-up" }).click();
    await admin.getByRole("link", { name: "Redirect URIs" }).click();
    await admin.getByLabel("Redirect URIs (one per line)", { exact: true }).fill(callback);
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText("Saved.").waitFor();
    await admin.getByRole("link", { name: "Set-up" }).click();
    await admin.getByRole("link", { name: "Permissions" }).last().click();
    await admin.getByLabel(/email/).check();
    await admin.locator("form.choices").first().getByRole("button", { name: "Add" }).click();
    // The API's own section, not the same scope within organizations further down.
    await admin.locator("section.api").getByLabel(/read:docs/).check();
    await admin.locator("section.api form.choices").getByRole("button", { name: "Add" }).click();
    await admin.getByRole("button", { name: "Remove read:docs" }).waitFor();
    await shot(admin, "console-permissions");
    await admin.getByRole("link", { name: "Set-up" }).click();
    await admin.getByRole("link", { name: "Branding" }).last().click();
    await admin.getByLabel("Display name").fill("Partner Docs");
    assert.equal(await admin.locator("#preview-name").innerText(), "Partner Docs");
    // The preview is the whole consent page: the company, the administrator as the user, the
    // API permissions in plain words; a logo that does not load is said at once.
    const preview = await admin.locator(".consent-preview").innerText();
    for (const shown of ["Acme", "Allow access", "Signed in as Root", "Your email address", "Permissions for Docs", "Read your documents"]) {
      assert.ok(preview.includes(shown), `${shown} in the preview:\n${preview}`);
    }
    await admin.getByLabel("Logo URL (https)", { exact: true }).fill("https://partner.example/logo.png");
    await admin.locator("#logo-warning").waitFor();
    await admin.getByLabel("Logo URL (https)", { exact: true }).fill("");
    await admin.locator("#logo-warning").waitFor({ state: "hidden" });
    await admin.getByLabel("Terms of use URL (https)").fill("https://partner.example/terms");
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText("Saved.").waitFor();
    await shot(admin, "console-branding");
    await admin.getByRole("link", { name: "Set-up" }).click();
    assert.deepEqual(await steps(), ["Redirect URIs Done", "Permissions Done", "Branding Done", "Client secret Done", "Integration guide"]);

    // The guide, now complete: no warning, the scopes the permissions allow, the API.
    await admin.locator("ol.checklist").getByRole("link", { name: "Integration guide" }).click();
    assert.equal(await admin.locator("p.warning").count(), 0);
    await admin.getByRole("button", { name: "Copy: Client ID" }).click();
    const clientId = await admin.evaluate(() => navigator.clipboard.readText());
    assert.match(clientId, /^[A-Za-z0-9_-]{21}$/);
    assert.equal(await admin.locator("#guide-scopes").innerText(), "openid email read:docs offline_access");
    assert.equal(await admin.locator("#guide-resource-1").innerText(), "https://docs.example.com");
    const guide = await admin.locator("main").innerText();
    for (const value of [`${base}/oidc/.well-known/openid-configuration`, callback, "openid-client", "Authlib", "openidconnect"]) {
      assert.ok(guide.includes(value), `${value} in the guide`);
    }
    await shot(admin, "console-guide");
    await admin.getByRole("button", { name: "Copy: Node.js (openid-client)" }).click();
    const program = await admin.evaluate(() => navigator.clipboard.readText());

    // The two tabs list first- and third-party applications separately.
    await admin.getByRole("link", { name: "Applications" }).first().click();
    assert.ok(await admin.getByRole("link", { name: "Intranet" }).isVisible());
    assert.equal(await admin.getByRole("link", { name: "Partner" }).count(), 0);
    await admin.getByRole("link", { name: "Third-party apps" }).click();
    assert.ok(await admin.getByRole("link", { name: "Partner" }).isVisible());
    assert.equal(await admin.getByRole("link", { name: "Intranet" }).count(), 0);
    await shot(admin, "console-applications");

    // The partner runs the guide's Node.js program as handed over, with only the secret
    // filled in; Alice signs in to the partner's app through the address it prints.
    const partner = runGuideProgram(program.replace("<client secret>", clientSecret));
    try {
      const user = await (await browser.newContext({ locale: "en-US" })).newPage();
      await user.goto((await partner.firstUrl).href);
      await signIn(user, "alice");
      await user.getByRole("heading", { name: "Allow access" }).waitFor();
      const consent = await user.locator("main").innerText();
      for (const shown of ["Partner Docs wants to access your account", "Your email address", "read:docs", "Read your documents", "Terms of use"]) {
        assert.ok(consent.includes(shown), `${shown} in:\n${consent}`);
      }
      assert.ok(!consent.includes("write:docs"), "outside the ceiling");
      assert.ok(!consent.includes("phone"), "not allowed, not asked");
      const back = await redirectedTo(user, `${callback}?`, () => user.getByRole("button", { name: "Authorize" }).click());
      partner.answer(back.href);
      const claims = await partner.claims;
      assert.equal(claims.iss, `${base}/oidc`);
      assert.equal(claims.aud, clientId);
      assert.ok(claims.sub);
    } finally {
      partner.kill();
    }

    // The administrator finds the grant on Alice's page and removes it.
    await admin.getByRole("link", { name: "Users" }).click();
    await admin.getByRole("link", { name: "alice" }).click();
    await admin.getByRole("cell", { name: "Partner", exact: true }).waitFor();
    // Alice signed in above: her last sign-in is a date. The role picker picks nothing.
    assert.match(await admin.locator("dt:text-is('Last sign-in') + dd").innerText(), /^\d{4}-\d\d-\d\d/);
    assert.equal(await admin.getByLabel("Role").inputValue(), "");
    await shot(admin, "console-user");
    admin.once("dialog", (dialog) => dialog.accept());
    await admin.getByRole("button", { name: "Remove access: Partner" }).click();
    await admin.getByText("This user has not allowed any third-party app.").waitFor();
  } finally {
    await browser.close();
    server.kill();
  }
});
