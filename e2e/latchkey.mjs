// What the browser tests share: the `latchkey` binary named by LATCHKEY_BIN started on a free
// port with a fresh SQLite database, a management-API token, Debian's Chromium, a loopback
// page standing in for a first-party application's callback, and a partner's https callback
// answered inside the browser.

import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BIN = process.env.LATCHKEY_BIN;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Latchkey on a free port and a fresh SQLite database; `extraEnv` adds settings. */
export async function startLatchkey(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, LATCHKEY_LISTEN: `127.0.0.1:${port}`, LATCHKEY_PUBLIC_URL: base, LATCHKEY_COMPANY_NAME: "Acme", ...extraEnv };
  delete env.LATCHKEY_DATABASE_URL;
  const server = spawn(BIN, ["serve"], { cwd: dir, env, stdio: process.env.E2E_SERVER_LOGS ? "inherit" : "ignore" });
  // The database and its folder go with the server.
  server.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const run = (args, input) => execFileSync(BIN, args, { cwd: dir, env, input }).toString();
  return { base, server, run };
}

/** A management-API client from `latchkey bootstrap --json`. */
export async function managementApi(run) {
  const creds = JSON.parse(run(["bootstrap", "--json"]));
  const tokenResponse = await fetch(creds.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: creds.clientId, client_secret: creds.clientSecret, resource: creds.resource, scope: "all" }),
  });
  const { access_token: token } = await tokenResponse.json();
  return async (method, url, body) => {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** A page on a loopback port standing in for the application's callback. */
export async function callbackServer() {
  const server = createHttpServer((req, res) => res.end("<p>callback</p>"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, callback: `http://127.0.0.1:${server.address().port}/callback` };
}

/**
 * A third-party web app redirects only to https: its callback is a name the browser never
 * resolves (see `launchBrowser`), and a test reads where it was sent from the request.
 */
export const PARTNER_CALLBACK = "https://partner.example/callback";

/** Run `action` and return the URL of the navigation it starts to `prefix`. */
export async function redirectedTo(page, prefix, action) {
  const [request] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(prefix)), action()]);
  return new URL(request.url());
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--host-resolver-rules=MAP partner.example ~NOTFOUND",
    ],
  });
}

/** Save a full-page screenshot as `<name>.png` under E2E_SCREENSHOTS (the temp dir otherwise). */
export async function shot(page, name) {
  const dir = process.env.E2E_SCREENSHOTS ?? join(tmpdir(), "latchkey-screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
