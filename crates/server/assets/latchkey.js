// The hosted pages work without this file (passkeys excepted); it adds a control that shows the password as typed,
// and puts a logo's initial in its place when the logo does not load.
"use strict";

for (const button of document.querySelectorAll("button[data-reveal]")) {
  const field = document.getElementById(button.dataset.reveal);
  const [show, hide] = [button.textContent, button.dataset.hide];
  button.hidden = false;
  button.addEventListener("click", () => {
    const shown = field.type === "password";
    field.type = shown ? "text" : "password";
    button.textContent = shown ? hide : show;
    button.setAttribute("aria-pressed", String(shown));
    field.focus();
  });
}

for (const img of document.querySelectorAll("img[data-fallback]")) {
  const initial = img.closest(".mark")?.querySelector(".initial");
  const fail = () => { img.closest("picture, img").hidden = true; if (initial) initial.hidden = false; };
  if (img.complete && img.naturalWidth === 0) fail();
  else img.addEventListener("error", fail);
}

// Passkeys: a form marked data-passkey asks its options of data-options, lets the browser
// create ("create") or use ("get") a passkey, and posts the browser's answer. A "get" form
// marked data-conditional also offers the passkeys in the username field's autofill.
const passkeyForms = document.querySelectorAll("form[data-passkey]");
let conditional = null;

async function passkey(form, mediation) {
  const fields = new FormData(form);
  fields.delete("ceremony");
  fields.delete("credential");
  const body = new URLSearchParams(fields);
  const answer = await fetch(form.dataset.options, { method: "POST", body, credentials: "same-origin" });
  if (!answer.ok) throw new Error("no options");
  const options = await answer.json();
  let credential;
  if (form.dataset.passkey === "create") {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
    credential = await navigator.credentials.create({ publicKey });
  } else {
    const request = { publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey) };
    if (mediation) {
      conditional = new AbortController();
      Object.assign(request, { mediation, signal: conditional.signal });
    }
    credential = await navigator.credentials.get(request);
  }
  form.elements.ceremony.value = options.ceremony;
  form.elements.credential.value = JSON.stringify(credential.toJSON());
  form.submit();
}

function passkeyFailed(form, error) {
  if (error && error.name === "AbortError") return;
  let note = form.querySelector(".error");
  if (!note) {
    note = document.createElement("p");
    note.className = "error";
    note.setAttribute("role", "alert");
    form.prepend(note);
  }
  note.textContent = form.dataset.failed;
}

for (const form of passkeyForms) {
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) continue;
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    if (form.elements.credential.value) return;
    event.preventDefault();
    if (conditional) conditional.abort();
    passkey(form).catch((error) => passkeyFailed(form, error));
  });
  if (form.dataset.conditional !== undefined && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
      if (available) passkey(form, "conditional").catch(() => {});
    });
  }
}
