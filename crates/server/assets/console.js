// The console works without this file; it adds copy buttons, confirmations before
// destructive forms, and a warning before leaving a form with unsaved changes.
"use strict";

// On a phone the navigation folds behind the Menu button (console.css).
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  await navigator.clipboard.writeText(source.textContent.trim());
  const label = button.textContent;
  button.textContent = button.dataset.copied || label;
  setTimeout(() => { button.textContent = label; }, 1500);
});

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A form goes once: its buttons are disabled while the answer comes (after the browser has
// read the pressed button's value), and enabled again if the page comes back from history.
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const buttons = event.target.querySelectorAll("button[type=submit], button:not([type])");
  setTimeout(() => { for (const b of buttons) b.disabled = true; }, 0);
});
window.addEventListener("pageshow", () => {
  for (const b of document.querySelectorAll("form button:disabled")) b.disabled = false;
});

for (const form of document.querySelectorAll("form[data-unsaved]")) {
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = form.dataset.unsaved; }
  });
}

// The branding tab's preview follows the form as the administrator types.
for (const form of document.querySelectorAll("form[data-preview]")) {
  const field = (name) => form.elements.namedItem(name);
  const update = () => {
    const name = field("display_name").value.trim();
    for (const el of document.querySelectorAll("#preview-name, [data-preview-name]")) {
      el.textContent = name || document.getElementById("preview-name").dataset.fallback;
    }
    const show = (id, attribute) => {
      const el = document.getElementById(id);
      const value = field(el.dataset.field).value.trim();
      el.hidden = !value.startsWith("https://");
      if (!el.hidden) el[attribute] = value;
    };
    show("preview-logo", "src");
    const logo = document.getElementById("preview-logo");
    if (logo.hidden) document.getElementById("logo-warning").hidden = true;
    document.getElementById("preview-initial").hidden = !logo.hidden;
    show("preview-terms", "href");
    show("preview-privacy", "href");
  };
  form.addEventListener("input", update);
  // A logo address that does not load gets a warning, and the preview shows what users will
  // see instead: the initial.
  const logo = document.getElementById("preview-logo");
  const failed = (broken) => {
    document.getElementById("logo-warning").hidden = !broken;
    logo.hidden = broken || !logo.getAttribute("src");
    document.getElementById("preview-initial").hidden = !logo.hidden;
  };
  logo.addEventListener("error", () => failed(Boolean(logo.getAttribute("src")) && !logo.hidden));
  logo.addEventListener("load", () => failed(false));
  if (logo.getAttribute("src") && logo.complete && logo.naturalWidth === 0) failed(true);
}
