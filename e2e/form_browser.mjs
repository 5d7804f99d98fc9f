// A browser without JavaScript for the SDK tests: a fetch loop with a cookie jar that
// submits the hosted pages' forms (sign-in, consent, sign-out confirmation).

import assert from "node:assert/strict";

const decode = (s) =>
  s.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(+d))
    .replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const attribute = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/**
 * A browser without JavaScript, on Latchkey's origin only: follows redirects, keeps cookies,
 * and submits whatever form a page shows (sign-in, consent, sign-out confirmation) until a
 * redirect leaves for `until`, which it returns without fetching. `pages` records each form's path.
 */
export function formBrowser(identifier, password) {
  const jar = new Map();
  const pages = [];
  const request = async (url, init = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { ...init, headers: { ...init.headers, cookie }, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, value] = [pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1).trim()];
      if (value === "" || attributes.some((a) => /^\s*max-age=0$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const visit = async (start, until) => {
    let url = start;
    let response = await request(url);
    for (let steps = 0; steps < 20; steps++) {
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url).href;
        if (url.startsWith(until)) return url;
        assert.equal(new URL(url).origin, new URL(start).origin, `redirected elsewhere than ${until}: ${url}`);
        response = await request(url);
        continue;
      }
      const html = await response.text();
      const form = html.match(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/);
      assert.ok(response.ok && form, `expected a redirect to ${until} or a page with a form; ${url} answered ${response.status}:\n${html}`);
      const action = new URL(decode(form[1]), url);
      const fields = new URLSearchParams();
      for (const input of form[2].match(/<input[^>]*>/g) ?? []) {
        if (attribute(input, "type") === "hidden") fields.append(attribute(input, "name"), decode(attribute(input, "value") ?? ""));
      }
      if (action.pathname.startsWith("/sign-in/")) {
        fields.append("identifier", identifier);
        fields.append("password", password);
      }
      if (action.pathname.startsWith("/consent/")) fields.append("decision", "authorize");
      pages.push(action.pathname.replace(/^\/(sign-in|consent)\/.*/, "/$1/{id}"));
      url = action.href;
      response = await request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields });
    }
    assert.fail(`too many steps before ${until}`);
  };
  return { visit, pages };
}

