// API keys of the environment (spec §4.11): publishable keys (shown in full, for apps) and secret keys (shown
// once, for servers); create with optional scopes and expiry; revoke after typing the key's name.

import { del, get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { heading } from "../shell.js";
import { badge, confirmAction, copyButton, empty, notify } from "../ui.js";
import { secretOnce } from "./org_tokens.js";

function keyCell(key) {
  if (key.type === "publishable" && key.key) return h("span", { class: "key" }, h("code", { class: "select" }, key.key), " ", copyButton(key.key));
  return h("code", {}, key.maskedKey || key.keyPreview);
}

function section(ctx, title, intro, keys, refresh) {
  const base = `${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`;
  const revoke = async (key) => {
    const ok = await confirmAction({ title: `Revoke ${key.name}`, message: "Apps using this key stop working at once.", typed: key.name, action: "Revoke key" });
    if (!ok) return;
    try {
      await del(`${base}/${encodeURIComponent(key.id)}`);
      notify(`Key ${key.name} revoked`);
      refresh();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  return h(
    "section",
    { "aria-label": title },
    h("h2", {}, title),
    h("p", { class: "intro" }, intro),
    keys.length
      ? listTable(title, [
          { label: "Name", render: (k) => k.name },
          { label: "Key", render: keyCell },
          { label: "Scopes", render: (k) => (k.scopes ? k.scopes.join(" ") || "none" : "all") },
          { label: "Created", render: (k) => when(k.createdAt) },
          { label: "Last used", render: (k) => when(k.lastUsedAt) },
          { label: "Expires", render: (k) => (k.expiresAt ? when(k.expiresAt) : "never") },
          { label: "Actions", render: (k) => (k.revokedAt ? badge("revoked", "red") : h("button", { type: "button", class: "small danger", onclick: () => revoke(k) }, "Revoke…")) },
        ], keys, { rowLabel: (k) => k.name })
      : empty(`No ${title.toLowerCase()}`),
  );
}

function createForm(ctx, shown, refresh) {
  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "inline-form" },
      field({ name: "name", label: "Key name", required: true, placeholder: "my-app-key" }),
      field({ name: "type", label: "Type", kind: "select", value: "publishable", options: [["publishable", "Publishable (pk_, apps)"], ["secret", "Secret (sk_, servers)"]] }),
    ),
    h("details", {},
      h("summary", {}, "Advanced: scopes and expiry"),
      field({ name: "scopes", label: "Scopes", placeholder: "posts:read, comments:*", hint: "Comma separated {table}:{op}, {table}:*, *:{op} or *:*. Empty: everything the key type allows." }),
      field({ name: "expiresAt", label: "Expires on", kind: "date" }),
    ),
    actions(submit("Create key")),
  );
  onSubmit(form, (v) => {
    const scopes = v.scopes.split(",").map((s) => s.trim()).filter(Boolean);
    const body = { name: v.name.trim(), type: v.type };
    if (scopes.length) body.scopes = scopes;
    if (v.expiresAt) body.expiresAt = new Date(`${v.expiresAt}T23:59:59Z`).toISOString();
    return post(`${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`, body);
  }, (key) => {
    form.reset();
    notify(`Key ${key.name} created`);
    replace(shown, key.type === "secret" ? secretOnce("Copy this secret key now.", key.key, "It is shown only once; if you lose it, revoke it and create another. Never put it in a browser or app.") : secretOnce("Your publishable key:", key.key, "Safe to ship in apps; the table permissions decide what it may do."));
    refresh();
  });
  return form;
}

export async function render(main, ctx) {
  const listed = await get(`${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`);
  const keys = listed.items || [];
  const shown = h("div", { class: "fresh-key" });
  const refresh = async () => {
    const again = (await get(`${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`)).items || [];
    replace(lists, ...sections(again));
  };
  const sections = (all) => [
    section(ctx, "Publishable keys", "For browsers and mobile apps. Requests run as a guest or the signed-in user, so the table permissions apply.", all.filter((k) => k.type === "publishable"), refresh),
    section(ctx, "Secret keys", "For your servers only: full admin access to this environment. Shown once when created.", all.filter((k) => k.type === "secret"), refresh),
  ];
  const lists = h("div", {}, sections(keys));
  replace(
    main,
    heading("API keys", `Keys of the ${ctx.env.environment} environment. Send one in the X-API-Key header.`),
    h("section", { class: "card", "aria-labelledby": "new-key" }, h("h2", { id: "new-key" }, "New key"), createForm(ctx, shown, refresh), shown),
    lists,
  );
}
