// Passkeys and second factors in a real browser, with Chromium's virtual authenticator (CDP
// WebAuthn domain): a passkey registered on the security page signs in with no username,
// through the autofill and as the second factor, then is removed; an authenticator app is
// enrolled with codes this test computes, and recovery codes stand in for it; an application
// that requires a second factor asks for it only there; under LATCHKEY_MFA=required an
// unenrolled user enrolls at sign-in.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { BIN, callbackServer, fitProblems, launchBrowser, managementApi, pageShots, redirectedTo, startLatchkey } from "./latchkey.mjs";

const PASSWORD = "correct horse battery";

/** RFC 4648 base32, as the page shows the key (grouped by four). */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let value = 0, bits = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((value >> bits) & 255); }
  }
  return Buffer.from(out);
}

/** RFC 6238 with SHA-1, 6 digits, 30 seconds: the code for `at` (milliseconds). */
function totp(key, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[19] & 15;
  const n = (((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) % 1_000_000;
  return String(n).padStart(6, "0");
}

async function setUp(env = {}) {
  const { base, server, run } = await startLatchkey(env, { host: "localhost" });
  const api = await managementApi(run);
  for (const username of ["alice", "bob"]) await api("POST", `${base}/api/users`, { username, password: PASSWORD });
  const { server: appServer, callback } = await callbackServer();
  const register = (name, custom = {}) => api("POST", `${base}/api/applications`, { name, type: "Traditional", oidcClientMetadata: { redirectUris: [callback] }, customClientMetadata: custom });
  const web = await register("Web");
  const payroll = await register("Payroll", { requireMfa: true });
  const authorize = (app) => `${base}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid" })}`;
  const browser = await launchBrowser();
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  const stop = async () => { await browser.close(); appServer.close(); server.kill(); };
  return { base, api, callback, web, payroll, authorize, context, page, cdp, authenticatorId, stop };
}

/** Run `action` and wait until the page has arrived at the application: where it was sent. */
async function atApp(page, callback, action) {
  const sent = await redirectedTo(page, callback, action);
  await page.waitForURL((url) => url.href.startsWith(callback));
  return sent;
}

async function signInWithPassword(page, username) {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Enroll the authenticator app shown on `page`: its key; the recovery codes page follows. */
async function enrolApp(page) {
  const key = base32(await page.locator("code.key").innerText());
  await page.getByLabel("The 6-digit code the app shows").fill(totp(key));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByRole("heading", { name: "Your recovery codes" }).waitFor();
  const codes = await page.locator("ul.codes code").allInnerTexts();
  assert.equal(codes.length, 10);
  return { key, codes };
}

test("a passkey signs in with no username, through the autofill, and as the second factor", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const s = await setUp();
  const { page, callback } = s;
  try {
    await page.goto(`${s.base}/account/security`);
    await signInWithPassword(page, "alice");
    await page.getByRole("heading", { name: "Sign-in and security" }).waitFor();
    await page.getByLabel("Name of the new passkey").fill("Laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Added.").waitFor();
    assert.equal(await page.locator("ul.factors input[name=name]").inputValue(), "Laptop");
    await pageShots(page, "account-security");

    // The username field's autofill (conditional mediation): the virtual authenticator
    // answers it as a person picking the passkey there would, before anything is typed.
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await page.waitForURL((url) => url.href.startsWith(callback));
    assert.ok(new URL(page.url()).searchParams.get("code"), "signed in through the autofill");

    // A browser without autofill for passkeys: the button, still no username.
    await page.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    assert.equal(await page.getByLabel("Username or email").inputValue(), "");
    const back = await atApp(page, callback, () => page.getByRole("button", { name: "Sign in with a passkey" }).click());
    assert.ok(back.searchParams.get("code"));

    // After a password, the passkey is the second factor.
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await signInWithPassword(page, "alice");
    await page.getByRole("heading", { name: "Confirm it’s you" }).waitFor();
    assert.deepEqual(await fitProblems(page, { reload: false }), []);
    await pageShots(page, "second-factor");
    const again = await atApp(page, callback, () => page.getByRole("button", { name: "Use a passkey" }).click());
    assert.ok(again.searchParams.get("code"));

    // Removed: the password alone signs alice in again, and the key no longer does.
    await page.goto(`${s.base}/account/security`);
    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByText("Removed.").waitFor();
    assert.equal(await page.locator("ul.factors li").count(), 0);
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /could not be used/);
    const password = await atApp(page, callback, () => signInWithPassword(page, "alice"));
    assert.ok(password.searchParams.get("code"));
  } finally {
    await s.stop();
  }
});

test("an authenticator app and recovery codes are the second factor after the password", async () => {
  const s = await setUp();
  const { page, callback } = s;
  try {
    await page.goto(`${s.base}/account/security`);
    await signInWithPassword(page, "alice");
    await page.getByRole("link", { name: "Set up an authenticator app" }).click();
    assert.ok(await page.locator(".qr svg").isVisible(), "a QR code drawn by the server");
    assert.deepEqual(await fitProblems(page, { reload: false }), []);
    const { key, codes } = await enrolApp(page);
    await pageShots(page, "recovery-codes");
    await page.getByRole("link", { name: "I have saved them" }).click();
    await page.getByRole("heading", { name: "Sign-in and security" }).waitFor();
    assert.match(await page.locator("main, body").first().innerText(), /10 of 10 codes left/);

    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await signInWithPassword(page, "alice");
    const code = page.getByLabel("Code from your authenticator app, or a recovery code");
    await code.fill("000000");
    await page.getByRole("button", { name: "Confirm" }).click();
    assert.match(await page.getByRole("alert").innerText(), /not right/);
    // The enrolment spent this time step's code: the next step's, as the app shows it soon.
    await code.fill(totp(key, Date.now() + 30_000));
    const back = await atApp(page, callback, () => page.getByRole("button", { name: "Confirm" }).click());
    assert.ok(back.searchParams.get("code"));

    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await signInWithPassword(page, "alice");
    await code.fill(codes[0].toLowerCase());
    const rescued = await atApp(page, callback, () => page.getByRole("button", { name: "Confirm" }).click());
    assert.ok(rescued.searchParams.get("code"));
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await signInWithPassword(page, "alice");
    await code.fill(codes[0]);
    await page.getByRole("button", { name: "Confirm" }).click();
    assert.match(await page.getByRole("alert").innerText(), /used already/);
  } finally {
    await s.stop();
  }
});

test("an application that requires a second factor asks for it only there", async () => {
  const s = await setUp();
  const { page, callback } = s;
  try {
    await page.goto(s.authorize(s.web));
    const plain = await atApp(page, callback, () => signInWithPassword(page, "bob"));
    assert.ok(plain.searchParams.get("code"), "the password is enough for Web");
    await page.goto(s.authorize(s.payroll));
    await page.getByRole("heading", { name: "Set up a second factor" }).waitFor();
    assert.match(await page.locator("body").innerText(), /Payroll/);
    assert.deepEqual(await fitProblems(page, { reload: false }), []);
    await enrolApp(page);
    const strict = await atApp(page, callback, () => page.getByRole("link", { name: "I have saved them" }).click());
    assert.ok(strict.searchParams.get("code"));
  } finally {
    await s.stop();
  }
});

test("under LATCHKEY_MFA=required an unenrolled user enrolls at the next sign-in", async () => {
  const s = await setUp({ LATCHKEY_MFA: "required" });
  const { page, callback } = s;
  try {
    await page.goto(s.authorize(s.web));
    await signInWithPassword(page, "bob");
    await page.getByRole("heading", { name: "Set up a second factor" }).waitFor();
    const { key } = await enrolApp(page);
    const back = await atApp(page, callback, () => page.getByRole("link", { name: "I have saved them" }).click());
    assert.ok(back.searchParams.get("code"));
    // The account pages too, once signed out: password, then the app's code.
    await s.context.clearCookies();
    await page.goto(`${s.base}/account`);
    await signInWithPassword(page, "bob");
    await page.getByLabel("Code from your authenticator app, or a recovery code").fill(totp(key, Date.now() + 30_000));
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
  } finally {
    await s.stop();
  }
});

test("an account is created with a passkey and no password, and signs in with it", async () => {
  const s = await setUp();
  const { page, callback } = s;
  try {
    await page.goto(s.authorize(s.web));
    await page.getByRole("link", { name: "No account yet? Create one" }).click();
    await page.getByLabel("Choose a username").fill("carol");
    assert.deepEqual(await fitProblems(page, { reload: false }), []);
    await pageShots(page, "sign-up-passkey");
    const created = await atApp(page, callback, () => page.getByRole("button", { name: "Create account with a passkey" }).click());
    assert.ok(created.searchParams.get("code"));
    const users = await s.api("GET", `${s.base}/api/users?search=carol`);
    assert.equal(users[0].hasPassword, false);
    // Back later: the autofill offers carol's passkey.
    await s.context.clearCookies();
    await page.goto(s.authorize(s.web));
    await page.waitForURL((url) => url.href.startsWith(callback));
  } finally {
    await s.stop();
  }
});
