// The integration guide's examples for the app types without a server, run as handed over:
// the single-page app's `oidc-client-ts` module in a page of Chromium (PKCE in the browser,
// the token endpoint called across origins), and the native app's desktop program receiving
// the code on a loopback port. An administrator sets each app up in the console by clicks,
// following its set-up checklist, and copies the example from its guide.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { BIN, launchBrowser, runGuideProgram, startLatchkey } from "./latchkey.mjs";

const PASSWORD = "correct horse battery";

async function signIn(page, username) {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Create a first-party application of `type` in the console and land on its set-up page. */
async function createApp(admin, type, name) {
  await admin.getByRole("link", { name: "Applications" }).first().click();
  await admin.getByRole("link", { name: "Create application" }).click();
  await admin.getByLabel(type).check();
  await admin.getByLabel("Name", { exact: true }).fill(name);
  await admin.getByRole("button", { name: "Create" }).click();
  await admin.locator("ol.checklist").waitFor();
}

/** Follow the checklist's link to Settings and fill the field it points at. */
async function settle(admin, step, value) {
  await admin.getByRole("link", { name: "Set-up" }).click();
  await admin.locator("ol.checklist").getByRole("link", { name: step }).click();
  const field = admin.locator(`#${new URL(admin.url()).hash.slice(1)}`);
  await field.fill(value);
  await admin.getByRole("button", { name: "Save" }).click();
  await admin.getByText("Saved.").waitFor();
}

/** The guide's example titled `title`, through its Copy button. */
async function example(admin, title) {
  await admin.getByRole("link", { name: "Integration guide" }).click();
  assert.equal(await admin.locator("p.warning").count(), 0, await admin.locator("main").innerText());
  await admin.getByRole("button", { name: `Copy: ${title}` }).click();
  return admin.evaluate(() => navigator.clipboard.readText());
}

/** A page at `origin` that runs `module` with `oidc-client-ts` as the guide installs it. */
async function spaServer(getModule) {
  const lib = (path) => readFileSync(new URL(`./node_modules/${path}`, import.meta.url));
  const server = createServer((req, res) => {
    const file = { "/lib/oidc-client-ts.js": "oidc-client-ts/dist/esm/oidc-client-ts.js", "/lib/jwt-decode.js": "jwt-decode/build/esm/index.js" }[req.url];
    if (file) return res.writeHead(200, { "content-type": "text/javascript" }).end(lib(file));
    const imports = { "oidc-client-ts": "/lib/oidc-client-ts.js", "jwt-decode": "/lib/jwt-decode.js" };
    res.writeHead(200, { "content-type": "text/html" }).end(
      `<!doctype html><title>SPA</title><script type="importmap">${JSON.stringify({ imports })}</script><script type="module">${getModule()}</script>`,
    );
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

test("the guide's single-page app and desktop examples sign a user in as handed over", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  let module = "";
  const spa = await spaServer(() => module);
  try {
    run(["users", "create", "--username", "root", "--admin", "--password-stdin"], `${PASSWORD}\n`);
    run(["users", "create", "--username", "alice", "--password-stdin"], `${PASSWORD}\n`);
    const context = await browser.newContext({ locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const admin = await context.newPage();
    await admin.goto(`${base}/console`);
    await signIn(admin, "root");

    // A single-page app: its checklist asks for a redirect URI and the page's origin.
    await createApp(admin, /Single-page app/, "Browser app");
    const steps = await admin.locator("ol.checklist > li > a").allInnerTexts();
    assert.deepEqual(steps, ["Redirect URIs", "Allowed origins (CORS)", "Integration guide"]);
    await settle(admin, "Redirect URIs", `${spa.origin}/callback`);
    await settle(admin, "Allowed origins (CORS)", spa.origin);
    module = await example(admin, "Browser (oidc-client-ts)");
    const user = await (await browser.newContext({ locale: "en-US" })).newPage();
    await user.goto(`${spa.origin}/callback`);
    await signIn(user, "alice");
    await user.getByText(/^Signed in: \S+$/).waitFor();
    assert.ok(user.url().startsWith(`${spa.origin}/callback`));

    // A native app's desktop example: a loopback redirect with any port.
    await createApp(admin, /Native/, "Desktop app");
    await settle(admin, "Redirect URIs", "http://127.0.0.1/callback");
    const desktop = runGuideProgram(await example(admin, "Desktop (Node.js, loopback)"));
    try {
      await user.goto((await desktop.firstUrl).href);
      // Signed in already, and a loopback redirect proves nothing about who receives the
      // code: Alice confirms on a page naming the app.
      await user.getByText("Desktop app").waitFor();
      await user.getByRole("button", { name: "Continue" }).click();
      await user.getByText("Signed in. You can close this window.").waitFor();
      const claims = await desktop.claims;
      assert.equal(claims.iss, `${base}/oidc`);
      assert.ok(claims.sub);
    } finally {
      desktop.kill();
    }
  } finally {
    await browser.close();
    spa.server.close();
    server.kill();
  }
});
