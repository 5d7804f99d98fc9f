// The device authorization grant as a command-line tool meets it: `openid-client` v6 asks for
// a code and polls, while a person on a phone (390 px, Chromium) follows the link, signs in
// and confirms; in English with Continue, in French with Cancel. Each page fits the phone in
// both color schemes (and, with E2E_SCREENSHOTS set, is saved for the gallery).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { BIN, fitProblems, launchBrowser, managementApi, pageShots, startLatchkey } from "./latchkey.mjs";

const PASSWORD = "correct horse battery";
const PHONE = { width: 390, height: 844 };

test("a device signs in with openid-client while a phone approves at /device, in English and French", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const { base, server, run } = await startLatchkey();
  const browser = await launchBrowser();
  const problems = {};
  const check = async (page, name) => {
    const found = await fitProblems(page, { reload: false });
    if (found.length) problems[name] = found;
    await pageShots(page, name);
  };
  try {
    run(["users", "create", "--username", "alice", "--name", "Alice", "--password-stdin"], `${PASSWORD}\n`);
    const api = await managementApi(run);
    const cli = await api("POST", `${base}/api/applications`, { name: "Acme CLI", type: "Native" });
    assert.equal(cli.customClientMetadata.deviceFlow, true, "on by default for a new Native app");
    const config = await client.discovery(new URL(`${base}/oidc`), cli.id, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });

    // English: the link fills the code in; sign in; the confirmation warns; Continue.
    const asked = await client.initiateDeviceAuthorization(config, { scope: "openid offline_access" });
    assert.match(asked.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const polled = client.pollDeviceAuthorizationGrant(config, asked);
    const phone = await (await browser.newContext({ locale: "en-US", viewport: PHONE })).newPage();
    await phone.goto(asked.verification_uri_complete);
    await phone.getByRole("heading", { name: "Connect a device" }).waitFor();
    assert.equal(await phone.getByLabel("Code").inputValue(), asked.user_code);
    await check(phone, "device");
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByLabel("Username or email").fill("alice");
    await phone.getByLabel("Password").fill(PASSWORD);
    await phone.getByRole("button", { name: "Sign in" }).click();
    await phone.getByText("Never enter a code someone sent you").waitFor();
    await phone.getByText("Acme CLI", { exact: true }).waitFor();
    await check(phone, "device-confirm");
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByRole("heading", { name: "Device connected" }).waitFor();
    await check(phone, "device-connected");
    const tokens = await polled;
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    assert.equal(tokens.claims().sub, (await api("GET", `${base}/api/users?search=alice`))[0].id);

    // French: typed by hand, in lower case without the dash; Cancel; the device is told.
    const again = await client.initiateDeviceAuthorization(config, { scope: "openid" });
    const refused = client.pollDeviceAuthorizationGrant(config, again).then(
      () => assert.fail("the device got tokens after Cancel"),
      (error) => error,
    );
    const telephone = await (await browser.newContext({ locale: "fr-FR", viewport: PHONE })).newPage();
    await telephone.goto(again.verification_uri);
    await telephone.getByRole("heading", { name: "Connecter un appareil" }).waitFor();
    await telephone.getByLabel("Code").fill("nope");
    await telephone.getByRole("button", { name: "Continuer" }).click();
    await telephone.getByText("Ce code n’est pas valide ou a expiré.").waitFor();
    await check(telephone, "device-fr-wrong-code");
    await telephone.getByLabel("Code").fill(again.user_code.toLowerCase().replace("-", ""));
    await telephone.getByRole("button", { name: "Continuer" }).click();
    await telephone.getByLabel("Nom d’utilisateur ou e-mail").fill("alice");
    await telephone.getByLabel("Mot de passe").fill(PASSWORD);
    await telephone.getByRole("button", { name: "Se connecter" }).click();
    await telephone.getByText("Ne saisissez jamais un code que quelqu’un vous a envoyé").waitFor();
    await check(telephone, "device-fr-confirm");
    await telephone.getByRole("button", { name: "Annuler" }).click();
    await telephone.getByRole("heading", { name: "Appareil non connecté" }).waitFor();
    await check(telephone, "device-fr-denied");
    const error = await refused;
    assert.equal(error.error, "access_denied", String(error));

    assert.deepEqual(problems, {}, JSON.stringify(problems, null, 1));
  } finally {
    await browser.close();
    server.kill();
  }
});
