// The hosted pages work without this file; it adds a control that shows the password as typed.
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
