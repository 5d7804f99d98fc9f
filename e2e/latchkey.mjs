// What the browser tests share: the `latchkey` binary named by LATCHKEY_BIN started on a free
// port with a fresh SQLite database, a management-API token, Debian's Chromium, a loopback
// page standing in for a first-party application's callback, and a partner's https callback
// answered inside the browser.

import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The databases a test runs on: SQLite, and PostgreSQL when LATCHKEY_TEST_POSTGRES_URL is set. */
export const BACKENDS = process.env.LATCHKEY_TEST_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];

/** A fresh schema on the test PostgreSQL (dropped by `.ci/run` with the others named `t_…`). */
function freshPostgres() {
  const base = process.env.LATCHKEY_TEST_POSTGRES_URL;
  const schema = `t_e2e_${Math.random().toString(36).slice(2, 12)}`;
  execFileSync("psql", ["-q", base, "-c", `CREATE SCHEMA ${schema}`]);
  return `${base}${base.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`;
}

/**
 * Latchkey on a free port and a fresh SQLite database (or, with `backend: "postgres"`, a
 * fresh PostgreSQL schema); `extraEnv` adds settings. `host` names it in the public URL
 * (`localhost` for passkeys: browsers refuse IP addresses).
 */
export async function startLatchkey(extraEnv = {}, { host = "127.0.0.1", backend = "sqlite" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-e2e-"));
  const port = await freePort();
  const base = `http://${host}:${port}`;
  const env = { ...process.env, LATCHKEY_LISTEN: `127.0.0.1:${port}`, LATCHKEY_PUBLIC_URL: base, LATCHKEY_COMPANY_NAME: "Acme", ...extraEnv };
  delete env.LATCHKEY_DATABASE_URL;
  if (backend === "postgres") env.LATCHKEY_DATABASE_URL = freshPostgres();
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

const SMTP_SINK = join(dirname(fileURLToPath(import.meta.url)), "..", "crates", "server", "tests", "it", "support", "smtp_sink.py");

/**
 * A real SMTP server (aiosmtpd, the integration tests' own) on a free loopback port: `env`
 * points Latchkey at it, `nextTo(address)` waits for the next message to that address and
 * returns it decoded ({ to, subject, text, html }); `stop()` ends it.
 */
export async function startMailServer() {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-mail-"));
  const port = await freePort();
  const sink = spawn("python3", [SMTP_SINK, "--port", String(port), "--dir", dir], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const open = await new Promise((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const read = () => readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  const seen = new Map();
  return {
    env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}?tls=none`, LATCHKEY_MAIL_FROM: "Acme <no-reply@acme.example>" },
    async nextTo(address) {
      const already = seen.get(address) ?? 0;
      for (let i = 0; i < 200; i++) {
        const found = read().filter((m) => m.to.includes(address));
        if (found.length > already) {
          seen.set(address, already + 1);
          return found[already];
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail to ${address}`);
    },
    stop() {
      sink.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The six-digit code a mail carries. */
export function codeIn(mail) {
  return mail.text.match(/^\s*(\d{6})\s*$/m)?.[1];
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

const FORMS = [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]];

/**
 * With E2E_SCREENSHOTS set, `page` saved at desktop and phone width, light and dark, as
 * `pages/<name>-<form>-<scheme>.png` under it (docs/screenshots/pages in the repository).
 * The page is left at phone width.
 */
export async function pageShots(page, name) {
  const root = process.env.E2E_SCREENSHOTS;
  if (!root) return;
  const dir = join(root, "pages");
  mkdirSync(dir, { recursive: true });
  for (const [form, size] of FORMS) {
    await page.setViewportSize(size);
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(dir, `${name}-${form}-${colorScheme}.png`), fullPage: true });
    }
  }
}

/**
 * What a phone-sized window shows wrong on `page`, at each color scheme: horizontal overflow
 * at 390 px, and text or links whose contrast with what is behind them is under 4.5:1 (WCAG
 * AA). Returns a list of findings, empty when the page fits. The page is reloaded per scheme
 * unless `reload` is false.
 */
export async function fitProblems(page, { reload = true } = {}) {
  const problems = [];
  await page.setViewportSize({ width: 390, height: 844 });
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    // A page that answered a form is not reloaded (that would send the form again): its
    // style follows the emulated scheme as it is.
    if (reload) await page.reload();
    const found = await page.evaluate(() => {
      const out = [];
      const root = document.documentElement;
      if (root.scrollWidth > window.innerWidth) out.push(`overflows: ${root.scrollWidth}px wide`);
      const parse = (value) => {
        const n = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
        const srgb = value.startsWith("color(");
        const [r, g, b] = srgb ? n.slice(0, 3).map((x) => x * 255) : n.slice(0, 3);
        const a = n.length > 3 ? n[3] : 1;
        return [r, g, b, a];
      };
      const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
      const canvas = window.matchMedia("(prefers-color-scheme: dark)").matches ? [18, 18, 18] : [255, 255, 255];
      const background = (el) => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] >= 1) break;
        }
        let colour = canvas;
        for (const layer of layers.reverse()) colour = over(layer, colour);
        return colour;
      };
      const opacity = (el) => {
        let o = 1;
        for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
        return o;
      };
      const luminance = (c) => {
        const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      for (const el of document.querySelectorAll("body *")) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const box = el.getBoundingClientRect();
        if (!own || box.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
        // Inside a box that scrolls sideways (code, a wide table) and itself fits: reachable.
        const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.getBoundingClientRect().right <= window.innerWidth + 1;
        let reachable = false;
        for (let e = el; e && !reachable; e = e.parentElement) reachable = scrolls(e);
        if (box.right > window.innerWidth + 1 && !reachable) out.push(`cut off: <${el.tagName.toLowerCase()}> ${el.textContent.trim().slice(0, 40)}`);
        const back = background(el);
        const [r, g, b, a] = parse(getComputedStyle(el).color);
        const text = over([r, g, b, a * opacity(el)], back);
        const [hi, lo] = [luminance(text), luminance(back)].sort((x, y) => y - x);
        const ratio = (hi + 0.05) / (lo + 0.05);
        if (ratio < 4.5) out.push(`contrast ${ratio.toFixed(2)}:1: <${el.tagName.toLowerCase()}> ${el.textContent.trim().slice(0, 40)}`);
      }
      return out;
    });
    problems.push(...found.map((f) => `${colorScheme}: ${f}`));
  }
  return problems;
}

/**
 * Run a Node program copied from the integration guide, as a developer would: saved in a
 * folder where `openid-client` is installed. Returns the first address it prints, a way to
 * answer its prompt, and what it printed last (the ID token's claims, as JSON) once it ends.
 */
export function runGuideProgram(code) {
  const dir = mkdtempSync(join(dirname(fileURLToPath(import.meta.url)), ".guide-"));
  const file = join(dir, "program.mjs");
  writeFileSync(file, code);
  const child = spawn(process.execPath, [file], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  const firstUrl = new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/^https?:\/\/\S+$/m);
      if (found) resolve(new URL(found[0]));
    });
    child.on("exit", () => reject(new Error(`the program ended without printing an address:\n${out}`)));
  });
  const claims = new Promise((resolve, reject) => child.on("exit", (status) => {
    rmSync(dir, { recursive: true, force: true });
    if (status !== 0) return reject(new Error(`the program failed (${status}):\n${out}`));
    resolve(JSON.parse(out.trim().split("\n").pop().replace(/^[^{]*/, "")));
  }));
  firstUrl.catch(() => {});
  claims.catch(() => {});
  return { firstUrl, answer: (line) => child.stdin.end(`${line}\n`), claims, kill: () => child.kill() };
}
