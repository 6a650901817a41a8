// Shared widgets: notices, dialogs (confirmation by typing a name), copy buttons, empty states, loading and
// error panels, badges, tabs.

import { h, replace, uid } from "./dom.js";

/** A short notice read out by screen readers (the #toasts region is aria-live). */
export function notify(message, kind = "ok") {
  const region = document.getElementById("toasts");
  const toast = h("div", { class: ["toast", kind] }, message);
  region.append(toast);
  while (region.children.length > 3) region.firstElementChild.remove();
  setTimeout(() => toast.remove(), kind === "error" ? 8000 : 4000);
}

/** An error panel for a failed load or action; role=alert so it is announced. */
export function errorPanel(error, retry) {
  return h(
    "div",
    { class: "alert error", role: "alert" },
    h("strong", {}, error.message || String(error)),
    error.code ? h("span", { class: "muted" }, ` (${error.code})`) : null,
    retry ? h("button", { type: "button", class: "link", onclick: retry }, "Try again") : null,
  );
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

export function empty(title, text, action) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), text ? h("p", {}, text) : null, action);
}

export function badge(text, kind = "") {
  return h("span", { class: ["badge", kind] }, text);
}

async function writeClipboard(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h("textarea", { class: "offscreen", readonly: true }, text);
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export function copyButton(text, label = "Copy") {
  const button = h("button", { type: "button", class: "small", "aria-label": `${label} to the clipboard` }, label);
  button.addEventListener("click", async () => {
    try {
      await writeClipboard(typeof text === "function" ? text() : text);
      button.textContent = "Copied";
      notify("Copied to the clipboard");
    } catch {
      notify("Copying failed: select the text and copy it by hand", "error");
    }
    setTimeout(() => (button.textContent = label), 2000);
  });
  return button;
}

/** A block of code (a command, a snippet) with its copy button. */
export function snippet(text, label) {
  return h("div", { class: "snippet" }, h("pre", { tabindex: "0", "aria-label": label }, h("code", {}, text)), copyButton(text));
}

/** Open a modal <dialog>; `build(close)` returns its body. Resolves with what `close(value)` was given. */
export function openDialog(title, build, { wide = false } = {}) {
  return new Promise((resolve) => {
    const titleId = uid("dialog-title");
    const dialog = h("dialog", { class: ["dialog", wide && "wide"], "aria-labelledby": titleId });
    let result;
    const close = (value) => {
      result = value;
      dialog.close();
    };
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(result);
    });
    const header = h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon", "aria-label": "Close", onclick: () => close(undefined) }, "×"),
    );
    dialog.append(header, h("div", { class: "dialog-body" }, build(close)));
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector("input:not([type=hidden]):not([readonly]), select, textarea");
    if (first) first.focus();
  });
}

/** Confirmation of a destructive action. With `typed`, the user must type that word to enable the button. */
export function confirmAction({ title, message, typed, action = "Delete", danger = true }) {
  return openDialog(title, (close) => {
    const inputId = uid("confirm");
    const button = h("button", { type: "submit", class: danger ? "danger" : "primary", disabled: Boolean(typed) }, action);
    const input = typed
      ? h("input", {
          id: inputId,
          autocomplete: "off",
          spellcheck: "false",
          oninput: (event) => (button.disabled = event.target.value !== typed),
        })
      : null;
    return h(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          if (!typed || input.value === typed) close(true);
        },
      },
      h("p", {}, message),
      typed ? h("div", { class: "field" }, h("label", { for: inputId }, "Type ", h("strong", {}, typed), " to confirm"), input) : null,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => close(false) }, "Cancel"), button),
    );
  }).then(Boolean);
}

/** Tabs as links (each tab is its own URL, so the browser's back button and deep links work). */
export function tabs(label, items, current) {
  return h(
    "nav",
    { class: "tabs", "aria-label": label },
    items.map(([key, text, href]) =>
      h("a", { href, class: key === current ? "active" : "", "aria-current": key === current ? "page" : null }, text),
    ),
  );
}

/** Replace `node`'s content with the result of `load()`, showing a loading line and, on failure, the error. */
export async function fill(node, load) {
  replace(node, loading());
  try {
    replace(node, await load());
  } catch (error) {
    replace(node, errorPanel(error, () => fill(node, load)));
  }
}
