// Organizations in the console, in a real browser, then an invitation through a real SMTP
// server: the administrator builds the template (a permission and a role holding it),
// creates an organization, adds a member with the role and invites an address; the invitee
// opens the mailed link on a phone in French, creates an account (typing the code mailed to
// it) and joins with the invited role; the link then works no more.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, codeIn, fitProblems, launchBrowser, managementApi, pageShots, shot, startLatchkey, startMailServer } from "./latchkey.mjs";

test("an administrator runs an organization from the console, and an invitation brings a new member in", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const mail = await startMailServer();
  const { base, server, run } = await startLatchkey(mail.env);
  const browser = await launchBrowser();
  try {
    run(["users", "create", "--username", "root", "--name", "Root", "--admin", "--password-stdin"], "correct horse battery\n");
    const api = await managementApi(run);
    const alice = await api("POST", `${base}/api/users`, { username: "alice", password: "correct horse battery" });

    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    await page.goto(`${base}/console`);
    await page.getByLabel("Username or email").fill("root");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Applications" }).waitFor();

    // The template: a permission, and a role holding it.
    await page.getByRole("link", { name: "Organizations", exact: true }).click();
    await page.getByRole("link", { name: "Roles and permissions of organizations" }).click();
    await page.getByLabel("Name").nth(1).fill("read:projects");
    await page.getByRole("button", { name: "Add permission" }).click();
    await page.getByRole("cell", { name: "read:projects", exact: true }).waitFor();
    await page.getByLabel("Name").first().fill("member");
    await page.getByRole("button", { name: "Create role" }).click();
    await page.getByRole("heading", { name: "member" }).waitFor();
    await page.getByRole("checkbox", { name: /read:projects/ }).check();
    await page.getByRole("button", { name: "Add" }).first().click();
    await page.getByRole("button", { name: "Remove read:projects" }).waitFor();

    // An organization, a member with the role.
    await page.getByRole("link", { name: "Organizations", exact: true }).first().click();
    await page.getByLabel("Name").fill("Acme Corp");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.getByRole("heading", { name: "Acme Corp" }).waitFor();
    await page.getByLabel("Username or email").fill("alice");
    await page.getByRole("group", { name: "Roles" }).first().getByRole("checkbox", { name: "member" }).check();
    await page.getByRole("button", { name: "Add member" }).click();
    await page.getByRole("link", { name: "alice" }).waitFor();
    const [org] = await api("GET", `${base}/api/organizations?q=Acme`);
    const roles = await api("GET", `${base}/api/organizations/${org.id}/users/${alice.id}/roles`);
    assert.deepEqual(roles.map((r) => r.name), ["member"]);

    // An invitation, mailed.
    await page.getByLabel("Email address").fill("ann@example.com");
    await page.getByRole("group", { name: "Roles" }).nth(1).getByRole("checkbox", { name: "member" }).check();
    await page.getByRole("button", { name: "Invite" }).click();
    await page.getByText("Invitation sent.").waitFor();
    await page.getByRole("cell", { name: "ann@example.com", exact: true }).waitFor();
    assert.deepEqual(await fitProblems(page), []);
    await shot(page, "console-organization");

    const message = await mail.nextTo("ann@example.com");
    assert.equal(message.subject, "You are invited to join Acme Corp");
    const link = message.text.match(/https?:\/\/\S+\/invitation\/\S+/)?.[0];
    assert.ok(link, message.text);

    // Ann, on a phone, in French: she has no account yet.
    const phone = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } })).newPage();
    await phone.goto(link);
    await phone.getByRole("link", { name: "Pas encore de compte ? Créez-en un" }).click();
    await phone.getByLabel("Nom d’utilisateur", { exact: true }).fill("ann");
    await phone.getByLabel("E-mail (facultatif)").fill("ann@example.com");
    await phone.getByLabel("Mot de passe", { exact: true }).fill("a long enough passphrase");
    await phone.getByRole("button", { name: "Créer le compte" }).click();
    await phone.getByRole("heading", { name: "Consultez vos e-mails" }).waitFor();
    await phone.getByLabel("Code", { exact: true }).fill(codeIn(await mail.nextTo("ann@example.com")));
    await phone.getByRole("button", { name: "Confirmer" }).click();
    await phone.getByRole("heading", { name: "Rejoindre Acme Corp" }).waitFor();
    assert.ok(!phone.url().includes("/invitation/"), "the link's secret left the address bar");
    await phone.getByText("member").waitFor();
    assert.deepEqual(await fitProblems(phone, { reload: false }), []);
    await pageShots(phone, "invitation-fr");
    await phone.getByRole("button", { name: "Accepter et rejoindre" }).click();
    await phone.getByRole("heading", { name: "Bienvenue dans Acme Corp" }).waitFor();
    const members = await api("GET", `${base}/api/organizations/${org.id}/users`);
    const ann = members.find((m) => m.username === "ann");
    assert.deepEqual(ann?.organizationRoles.map((r) => r.name), ["member"]);

    // Once only.
    await phone.goto(link);
    await phone.getByRole("heading", { name: "Cette invitation ne peut pas servir" }).waitFor();
    await phone.getByText("Elle a déjà été acceptée.").waitFor();

    // The console shows her among the members, and on her page, the organization.
    await page.reload();
    await page.getByRole("link", { name: "ann" }).click();
    await page.getByRole("link", { name: "Acme Corp" }).waitFor();
  } finally {
    await browser.close();
    server.kill();
    mail.stop();
  }
});
