// The hosted pages work without this file; it adds a control that shows the password as typed,
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
