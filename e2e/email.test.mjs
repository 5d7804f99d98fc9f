// Mail in a real browser, in English and French: a person signs up and types the code the
// SMTP server received before the account exists; another forgets a password and sets a
// new one with the code from the recovery mail.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, callbackServer, codeIn, fitProblems, launchBrowser, managementApi, pageShots, startLatchkey, startMailServer } from "./latchkey.mjs";

const WORDS = {
  en: {
    createLink: "No account yet? Create one", username: "Username", email: "Email (optional)", password: "Password",
    create: "Create account", codeTitle: "Check your email", code: "Code", confirm: "Confirm", wrong: /not right/,
    identifier: "Username or email", signIn: "Sign in", forgot: "Forgot password?", sendCode: "Send code",
    newPassword: "New password", reset: "Set new password", done: "Password changed", back: "Back to sign-in",
  },
  fr: {
    createLink: "Pas encore de compte ? Créez-en un", username: "Nom d’utilisateur", email: "E-mail (facultatif)", password: "Mot de passe",
    create: "Créer le compte", codeTitle: "Consultez vos e-mails", code: "Code", confirm: "Confirmer", wrong: /pas le bon/,
    identifier: "Nom d’utilisateur ou e-mail", signIn: "Se connecter", forgot: "Mot de passe oublié ?", sendCode: "Envoyer le code",
    newPassword: "Nouveau mot de passe", reset: "Définir le nouveau mot de passe", done: "Mot de passe modifié", back: "Retour à la connexion",
  },
};

async function setUp() {
  const mail = await startMailServer();
  const { base, server, run } = await startLatchkey(mail.env);
  const api = await managementApi(run);
  const { server: appServer, callback } = await callbackServer();
  const app = await api("POST", `${base}/api/applications`, { name: "Web", type: "Traditional", oidcClientMetadata: { redirectUris: [callback] } });
  const authorize = () => `${base}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: callback, response_type: "code", scope: "openid email" })}`;
  const stop = () => { appServer.close(); server.kill(); mail.stop(); };
  return { base, api, mail, callback, authorize, stop };
}

for (const lang of ["en", "fr"]) {
  const w = WORDS[lang];

  test(`${lang}: sign-up waits for the code the mail carries`, async () => {
    assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
    const { base, mail, callback, authorize, stop } = await setUp();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ locale: lang === "fr" ? "fr-FR" : "en-US" });
      await page.goto(authorize());
      await page.getByRole("link", { name: w.createLink }).click();
      await page.getByLabel(w.username, { exact: true }).fill(`erin_${lang}`);
      await page.getByLabel(w.email).fill(`erin.${lang}@example.com`);
      await page.getByLabel(w.password, { exact: true }).fill("a long enough passphrase");
      await page.getByRole("button", { name: w.create }).click();
      await page.getByRole("heading", { name: w.codeTitle }).waitFor();
      assert.deepEqual(await fitProblems(page, { reload: false }), []);
      const message = await mail.nextTo(`erin.${lang}@example.com`);
      const code = codeIn(message);
      assert.ok(code, message.text);
      assert.match(message.subject, /Acme/);
      await page.getByLabel(w.code, { exact: true }).fill(code === "000000" ? "111111" : "000000");
      await page.getByRole("button", { name: w.confirm }).click();
      assert.match(await page.getByRole("alert").innerText(), w.wrong);
      if (lang === "en") await pageShots(page, "email-code");
      await page.getByLabel(w.code, { exact: true }).fill(code);
      await Promise.all([page.waitForURL(`${callback}?**`), page.getByRole("button", { name: w.confirm }).click()]);
      assert.ok(new URL(page.url()).searchParams.get("code"));
      // Signed in, the account page shows the address proven, and fits a phone.
      await page.goto(`${base}/account/email`);
      await page.getByText(lang === "fr" ? "Vérifiée" : "Verified", { exact: true }).waitFor();
      assert.deepEqual(await fitProblems(page), []);
      if (lang === "en") await pageShots(page, "account-email");
    } finally {
      await browser.close();
      stop();
    }
  });

  test(`${lang}: a forgotten password is replaced with the code from the recovery mail`, async () => {
    const { base, api, mail, callback, authorize, stop } = await setUp();
    await api("POST", `${base}/api/users`, { username: "alice", primaryEmail: "alice@example.com", password: "correct horse battery" });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ locale: lang === "fr" ? "fr-FR" : "en-US" });
      await page.goto(authorize());
      await page.getByRole("link", { name: w.forgot }).click();
      await page.getByLabel(w.identifier).fill("alice");
      if (lang === "en") await pageShots(page, "recover");
      await page.getByRole("button", { name: w.sendCode }).click();
      await page.getByLabel(w.newPassword).waitFor();
      const message = await mail.nextTo("alice@example.com");
      await page.getByLabel(w.code, { exact: true }).fill(codeIn(message));
      await page.getByLabel(w.newPassword).fill("a brand new passphrase");
      await page.getByRole("button", { name: w.reset }).click();
      await page.getByRole("heading", { name: w.done }).waitFor();
      assert.deepEqual(await fitProblems(page, { reload: false }), []);
      await page.getByRole("link", { name: w.back }).click();
      await page.getByLabel(w.identifier).fill("alice");
      await page.getByLabel(w.password, { exact: true }).fill("a brand new passphrase");
      await Promise.all([page.waitForURL(`${callback}?**`), page.getByRole("button", { name: w.signIn }).click()]);
      assert.ok(new URL(page.url()).searchParams.get("code"));
      const told = await mail.nextTo("alice@example.com");
      assert.equal(codeIn(told), undefined, "the notice carries no code");
    } finally {
      await browser.close();
      stop();
    }
  });
}
