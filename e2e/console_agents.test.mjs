// An administrator governs AI agents in the console, in a real browser: a client that
// registered itself waits for approval and is approved by a click; the policy (each kind's
// mode, trusted hosts, the ceiling) is saved from its form; the client is then blocked.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, launchBrowser, managementApi, shot, startLatchkey } from "./latchkey.mjs";

test("an administrator approves, configures and blocks self-registered clients in the console", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  try {
    run(["users", "create", "--username", "root", "--name", "Root", "--admin", "--password-stdin"], "correct horse battery\n");
    const api = await managementApi(run);
    const registered = await fetch(`${base}/oidc/reg`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Cursor", token_endpoint_auth_method: "none",
        redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback", "http://localhost:8787/callback"],
      }),
    });
    assert.equal(registered.status, 201);
    const { client_id: clientId } = await registered.json();

    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    await page.goto(`${base}/console`);
    await page.getByLabel("Username or email").fill("root");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Applications" }).waitFor();
    await page.getByRole("link", { name: "AI agents" }).click();
    await page.getByRole("heading", { name: "Waiting for approval" }).waitFor();
    await shot(page, "console-agents");
    await page.getByRole("button", { name: "Approve Cursor" }).first().click();
    await page.getByRole("heading", { name: "Self-registered clients" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Waiting for approval" }).count(), 0);
    assert.equal((await api("GET", `${base}/api/applications/${clientId}`)).approval, "approved");

    await page.getByLabel("Mode").first().selectOption("approval");
    await page.getByLabel(/Trusted hosts/).fill("claude.ai\nchatgpt.com");
    await page.getByLabel("Mode").nth(1).selectOption("open");
    await page.getByLabel(/initial access token/).check();
    await page.getByRole("checkbox", { name: /profile/ }).check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Policy saved.").waitFor();
    const policy = await api("GET", `${base}/api/configs/dynamic-clients`);
    assert.deepEqual(policy, {
      cimd: { mode: "approval", trustedHosts: ["claude.ai", "chatgpt.com"] },
      dcr: { mode: "open", initialAccessTokenRequired: true },
      ceiling: { userScopes: ["profile"], resourceScopes: [] },
      deviceFlow: false,
    });

    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Block Cursor" }).click();
    await page.getByRole("cell", { name: "Blocked" }).waitFor();
    assert.equal((await api("GET", `${base}/api/applications/${clientId}`)).approval, "blocked");
    await shot(page, "console-agents-policy");
  } finally {
    await browser.close();
    server.kill();
  }
});
