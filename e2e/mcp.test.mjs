// The official TypeScript MCP SDK against Latchkey, end to end: a small MCP server protected
// by Latchkey (it publishes the RFC 9728 document Latchkey's helper gives it and checks JWT
// access tokens against the JWKS), and the SDK's client with an OAuth provider, registering
// through a Client ID Metadata Document (served over TLS with a test CA, as
// LATCHKEY_CIMD_CA_FILE and LATCHKEY_CIMD_ALLOW_HOSTS name it) and through dynamic
// registration, with and without an administrator's approval. The sign-in and consent are
// done in Chromium; the tool call must succeed with the access token.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { BIN, launchBrowser, managementApi, redirectedTo, shot, startLatchkey } from "./latchkey.mjs";

/** A test CA and a certificate for localhost signed by it, made with openssl. */
function testCertificates() {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-ca-"));
  const at = (name) => join(dir, name);
  const ssl = (...args) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
    "-subj", "/CN=Latchkey test CA", "-keyout", at("ca.key"), "-out", at("ca.pem"));
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
    "-keyout", at("host.key"), "-out", at("host.csr"));
  writeFileSync(at("host.ext"), "subjectAltName=DNS:localhost\n");
  ssl("x509", "-req", "-in", at("host.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial",
    "-days", "2", "-extfile", at("host.ext"), "-out", at("host.pem"));
  return { caFile: at("ca.pem"), key: readFileSync(at("host.key")), cert: readFileSync(at("host.pem")) };
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

/** The agent's site: its client metadata document over https. */
async function documentHost(certificates) {
  let document = null;
  const server = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(document));
  });
  const port = await listen(server);
  const url = `https://localhost:${port}/mcp-client.json`;
  document = {
    client_id: url, client_name: "SDK agent", token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"], response_types: ["code"],
    // Listed without a port, as Claude Code lists it; the client listens on an ephemeral one.
    redirect_uris: ["http://localhost/callback"],
  };
  return { server, url, host: `localhost:${port}` };
}

/** The MCP server: one tool, behind Latchkey's tokens. */
async function mcpServer(issuer, protectedResource) {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const server = createHttpServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname === "/.well-known/oauth-protected-resource/mcp") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify(protectedResource()));
    }
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, { issuer, audience: protectedResource().resource }));
    } catch {
      const metadata = `http://127.0.0.1:${server.address().port}/.well-known/oauth-protected-resource/mcp`;
      // The scope to ask for, `offline_access` included so that the SDK (which adds
      // `prompt=consent` for it) gets a refresh token.
      const challenge = `Bearer resource_metadata="${metadata}", scope="docs:read offline_access"`;
      res.writeHead(401, { "www-authenticate": challenge });
      return res.end();
    }
    req.auth = { token, clientId: claims.client_id, scopes: String(claims.scope ?? "").split(" "), extra: { sub: claims.sub } };
    const mcp = new McpServer({ name: "docs", version: "1.0.0" });
    mcp.registerTool("whoami", { description: "Who the token is for" }, async (extra) => ({
      content: [{ type: "text", text: `hello ${extra.authInfo?.extra?.sub} via ${extra.authInfo?.clientId} with ${extra.authInfo?.scopes.join(" ")}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  const port = await listen(server);
  return { server, url: `http://127.0.0.1:${port}/mcp` };
}

/** The SDK's OAuth client provider, in memory; `clientMetadataUrl` set for CIMD. */
function provider(redirectUrl, clientMetadataUrl, name = "SDK agent") {
  const saved = {};
  return {
    saved,
    clientMetadataUrl,
    get redirectUrl() { return redirectUrl; },
    get clientMetadata() {
      return { client_name: name, redirect_uris: [redirectUrl], grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"], token_endpoint_auth_method: "none" };
    },
    clientInformation: () => saved.client,
    saveClientInformation: (client) => { saved.client = client; },
    tokens: () => saved.tokens,
    saveTokens: (tokens) => { saved.tokens = tokens; },
    redirectToAuthorization: (url) => { saved.authorizationUrl = url; },
    saveCodeVerifier: (verifier) => { saved.verifier = verifier; },
    codeVerifier: () => saved.verifier,
  };
}

async function signIn(page) {
  await page.getByLabel("Username or email").fill("alice");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Connect, which needs an authorization: the URL the SDK sends the user to. */
async function authorizationUrl(mcpUrl, auth) {
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth })), UnauthorizedError);
  assert.ok(auth.saved.authorizationUrl, "the SDK asked for an authorization");
  return auth.saved.authorizationUrl;
}

/** Finish with the code, connect again and call the tool. */
async function callTool(mcpUrl, auth, code) {
  await new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth }).finishAuth(code);
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth }));
  const result = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  return result.content[0].text;
}

test("the MCP SDK connects through a client metadata document and through registration, approval included", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const certificates = testCertificates();
  const documents = await documentHost(certificates);
  const { base, server, run } = await startLatchkey({
    LATCHKEY_CIMD_ALLOW_HOSTS: documents.host, LATCHKEY_CIMD_CA_FILE: certificates.caFile,
  });
  const issuer = `${base}/oidc`;
  const browser = await launchBrowser();
  let mcp;
  try {
    run(["users", "create", "--username", "alice", "--name", "Alice", "--password-stdin"], "correct horse battery\n");
    const api = await managementApi(run);
    // The MCP server's URL is only known once it listens: its API is registered then.
    let metadata = null;
    mcp = await mcpServer(issuer, () => metadata);
    const resource = await api("POST", `${base}/api/resources`, { name: "Docs MCP", indicator: mcp.url });
    const scope = await api("POST", `${base}/api/resources/${resource.id}/scopes`, { name: "docs:read", description: "Read the docs" });
    const role = await api("POST", `${base}/api/roles`, { name: "Reader", type: "User" });
    await api("POST", `${base}/api/roles/${role.id}/scopes`, { scopeIds: [scope.id] });
    const [alice] = await api("GET", `${base}/api/users?search=alice`);
    await api("POST", `${base}/api/users/${alice.id}/roles`, { roleIds: [role.id] });
    metadata = await api("GET", `${base}/api/resources/${resource.id}/protected-resource-metadata`);
    const policy = await api("GET", `${base}/api/configs/dynamic-clients`);
    policy.ceiling.resourceScopes = [scope.id];
    policy.dcr.mode = "open";
    await api("PUT", `${base}/api/configs/dynamic-clients`, policy);

    const callback = "http://localhost:39871/callback";
    const consent = async (page, url) => {
      await page.goto(url.toString());
      await signIn(page);
      await page.getByRole("heading", { name: "Allow access" }).waitFor();
      return page;
    };
    const authorize = async (page) => {
      const back = await redirectedTo(page, `${callback}?`, () => page.getByRole("button", { name: "Authorize" }).click());
      assert.equal(back.searchParams.get("iss"), issuer);
      return back.searchParams.get("code");
    };

    // 1. CIMD: the SDK uses the document URL as its client ID, since discovery says so.
    const cimd = provider(callback, documents.url);
    let url = await authorizationUrl(mcp.url, cimd);
    assert.equal(url.searchParams.get("client_id"), documents.url);
    assert.equal(url.searchParams.get("resource"), mcp.url);
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.equal(url.searchParams.get("scope"), "docs:read offline_access");
    assert.equal(url.searchParams.get("prompt"), "consent");
    let page = await consent(await browser.newPage({ locale: "en-US" }), url);
    const text = await page.locator("main").innerText();
    for (const shown of ["SDK agent", "localhost", "Unverified", "on this computer", "docs:read"]) {
      assert.ok(text.includes(shown), `${shown} in:\n${text}`);
    }
    let answer = await callTool(mcp.url, cimd, await authorize(page));
    assert.match(answer, new RegExp(`^hello ${alice.id} via ${documents.url} with docs:read`));
    assert.ok(cimd.saved.tokens.refresh_token, "offline_access gave a refresh token");

    // 2. DCR, open: without a document URL the SDK registers.
    const dcr = provider(callback);
    url = await authorizationUrl(mcp.url, dcr);
    const registered = dcr.saved.client.client_id;
    assert.ok(registered && !registered.startsWith("https://"), registered);
    page = await consent(await browser.newPage({ locale: "en-US" }), url);
    answer = await callTool(mcp.url, dcr, await authorize(page));
    assert.match(answer, new RegExp(`via ${registered} with docs:read`));

    // 3. DCR, approval: the first authorization waits; the administrator approves; it works.
    policy.dcr.mode = "approval";
    await api("PUT", `${base}/api/configs/dynamic-clients`, policy);
    const waiting = provider(callback, undefined, "SDK agent, second install");
    url = await authorizationUrl(mcp.url, waiting);
    page = await browser.newPage({ locale: "en-US" });
    await page.goto(url.toString());
    await page.getByRole("heading", { name: "Waiting for approval" }).waitFor();
    const waitingId = waiting.saved.client.client_id;
    const pending = await api("GET", `${base}/api/applications?approval=pending`);
    assert.ok(pending.some((c) => c.id === waitingId), JSON.stringify(pending));
    await api("POST", `${base}/api/applications/${encodeURIComponent(waitingId)}/approval`, { decision: "approve" });
    page = await consent(page, url);
    answer = await callTool(mcp.url, waiting, await authorize(page));
    assert.match(answer, new RegExp(`via ${waitingId} with docs:read`));
  } finally {
    await browser.close();
    server.kill();
    documents.server.close();
    mcp?.server.close();
  }
});

test("the consent page for an agent, unverified and from a trusted host (screenshots)", async () => {
  assert.ok(BIN, "set LATCHKEY_BIN to the latchkey binary");
  const certificates = testCertificates();
  const documents = await documentHost(certificates);
  const { base, server, run } = await startLatchkey({
    LATCHKEY_CIMD_ALLOW_HOSTS: documents.host, LATCHKEY_CIMD_CA_FILE: certificates.caFile,
  });
  const browser = await launchBrowser();
  try {
    run(["users", "create", "--username", "alice", "--name", "Alice", "--password-stdin"], "correct horse battery\n");
    const api = await managementApi(run);
    const resource = await api("POST", `${base}/api/resources`, { name: "Docs MCP", indicator: "https://mcp.example.com/mcp" });
    const scope = await api("POST", `${base}/api/resources/${resource.id}/scopes`, { name: "docs:read", description: "Read the docs" });
    const role = await api("POST", `${base}/api/roles`, { name: "Reader", type: "User" });
    await api("POST", `${base}/api/roles/${role.id}/scopes`, { scopeIds: [scope.id] });
    const [alice] = await api("GET", `${base}/api/users?search=alice`);
    await api("POST", `${base}/api/users/${alice.id}/roles`, { roleIds: [role.id] });
    const policy = await api("GET", `${base}/api/configs/dynamic-clients`);
    policy.ceiling = { userScopes: ["profile"], resourceScopes: [scope.id] };
    await api("PUT", `${base}/api/configs/dynamic-clients`, policy);
    const authorize = new URL(`${base}/oidc/auth`);
    authorize.search = new URLSearchParams({
      client_id: documents.url, redirect_uri: "http://localhost:41234/callback", response_type: "code",
      scope: "profile docs:read offline_access", resource: "https://mcp.example.com/mcp", state: "s",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256",
    });
    const page = await browser.newPage({ locale: "en-US", viewport: { width: 480, height: 900 } });
    await page.goto(authorize.toString());
    await signIn(page);
    await page.getByRole("heading", { name: "Allow access" }).waitFor();
    assert.ok(await page.getByText(/Unverified: this app registered itself/).isVisible());
    await shot(page, "consent-agent-unverified");
    policy.cimd.trustedHosts = ["localhost"];
    await api("PUT", `${base}/api/configs/dynamic-clients`, policy);
    await page.goto(authorize.toString());
    await page.getByRole("heading", { name: "Allow access" }).waitFor();
    assert.ok(await page.getByText("✓ Verified").isVisible());
    assert.equal(await page.getByText(/Unverified/).count(), 0);
    await shot(page, "consent-agent-verified");
  } finally {
    await browser.close();
    server.kill();
    documents.server.close();
  }
});
