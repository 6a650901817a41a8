// Personal access tokens (`mcp_…`) of the signed-in tenant for this organization: for AI tools that cannot do the
// browser sign-in, and for scripts. The token is shown once.

import { del, get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { badge, confirmAction, copyButton, empty, fill, notify } from "../ui.js";

export function secretOnce(title, value, note) {
  return h(
    "div",
    { class: "alert secret", role: "status" },
    h("p", {}, h("strong", {}, title), " ", note),
    h("div", { class: "snippet" }, h("input", { class: "mono", readonly: true, value, "aria-label": title }), copyButton(value)),
  );
}

export async function tokensSection(ctx) {
  const base = `${paths.org(ctx.org.id)}/tokens`;
  const list = h("div");
  const fresh = h("div");
  const refresh = () =>
    fill(list, async () => {
      const items = (await get(base)).items || [];
      if (!items.length) return empty("No personal access tokens", "Create one to connect a tool that cannot sign in with the browser.");
      return listTable("Personal access tokens", [
        { label: "Name", render: (t) => t.name },
        { label: "Token", render: (t) => h("code", {}, t.tokenPreview) },
        { label: "Scopes", render: (t) => (t.scopes || []).join(" ") },
        { label: "Created", render: (t) => when(t.createdAt) },
        { label: "Last used", render: (t) => when(t.lastUsedAt) },
        { label: "Expires", render: (t) => (t.expiresAt ? when(t.expiresAt) : "never") },
        {
          label: "Actions",
          render: (t) =>
            t.revokedAt
              ? badge("revoked", "red")
              : h("button", {
                  type: "button",
                  class: "small danger",
                  onclick: async () => {
                    if (!(await confirmAction({ title: "Revoke token", message: `Tools using ${t.name} stop working at once.`, typed: t.name, action: "Revoke" }))) return;
                    await del(`${base}/${t.id}`).then(() => notify("Token revoked"), (e) => notify(e.message, "error"));
                    refresh();
                  },
                }, "Revoke"),
        },
      ], items, { rowLabel: (t) => t.name });
    });
  const form = h(
    "form",
    { class: "inline-form" },
    field({ name: "name", label: "Token name", required: true, placeholder: "laptop claude" }),
    field({ name: "expiresDays", label: "Expires after (days)", kind: "number", hint: "Empty: never.", attrs: { min: 1 } }),
    actions(submit("Create token")),
  );
  onSubmit(
    form,
    (v) => post(base, { name: v.name.trim(), ...(v.expiresDays ? { expiresDays: Number(v.expiresDays) } : {}) }),
    (made) => {
      form.reset();
      replace(fresh, secretOnce("Copy this token now.", made.token, "It will not be shown again."));
      refresh();
    },
  );
  refresh();
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Personal access tokens"),
    h("p", { class: "intro" }, "A token acts as you in this organization, capped by your role. Use it as ", h("code", {}, "Authorization: Bearer mcp_…"), "."),
    form,
    fresh,
    list,
  );
}
