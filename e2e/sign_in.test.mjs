// A person signs in through Latchkey's hosted page in a real browser (headless Chromium).
// Starts the `latchkey` binary named by LATCHKEY_BIN on a free port with a fresh SQLite
// database, creates a user and an application through the management API, then drives the
// authorization code flow in the browser up to the redirect that carries the code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.LATCHKEY_BIN;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startLatchkey() {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, LATCHKEY_LISTEN: `127.0.0.1:${port}`, LATCHKEY_PUBLIC_URL: base, LATCHKEY_COMPANY_NAME: "Acme" };
  delete env.LATCHKEY_DATABASE_URL;
  const server = spawn(BIN, ["serve"], { cwd: dir, env, stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const run = (args, input) => execFileSync(BIN, args, { cwd: dir, env, input }).toString();
  return { base, server, run };
}

test("a person signs in on the hosted page and the application gets a code", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    run(["users", "create", "--username", "alice", "--password-stdin"], "correct horse battery\n");
    const creds = JSON.parse(run(["bootstrap", "--json"]));
    const tokenResponse = await fetch(creds.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: creds.clientId, client_secret: creds.clientSecret, resource: creds.resource, scope: "all" }),
    });
    const { access_token: token } = await tokenResponse.json();
    // The application: a callback page on a loopback port.
    const appServer = createHttpServer((req, res) => res.end("<p>callback</p>"));
    await new Promise((resolve) => appServer.listen(0, "127.0.0.1", resolve));
    const callback = `http://127.0.0.1:${appServer.address().port}/callback`;
    const created = await fetch(`${base}/api/applications`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Web", type: "Traditional", oidcClientMetadata: { redirectUris: [callback] } }),
    });
    const app = await created.json();

    const page = await browser.newPage({ locale: "fr-FR" });
    const query = new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid profile", state: "xyz" });
    await page.goto(`${base}/oidc/auth?${query}`);
    await page.getByLabel("Nom d’utilisateur ou e-mail").fill("alice");
    await page.getByLabel("Mot de passe").fill("wrong password");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /incorrect/);
    await page.getByLabel("Mot de passe").fill("correct horse battery");
    await page.screenshot({ path: join(tmpdir(), "latchkey-sign-in.png") });
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
