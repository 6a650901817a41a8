// The environment's outbox: the mails sent to app users (or kept here when no SMTP server is configured).

import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { listTable, when } from "../format.js";
import { badge, empty, fill } from "../ui.js";

export async function render(body, ctx) {
  const results = h("div");
  const to = h("input", { id: "outbox-to", type: "search", placeholder: "user@example.com" });
  const load = () => fill(results, async () => {
    const items = (await get(`${ctx.envPath}/auth/outbox`, { limit: 50, to: to.value.trim() })).items || [];
    if (!items.length) return empty("No mails yet", "Sign-up confirmations, magic links and password resets appear here.");
    return listTable("Mails", [
      { label: "Sent", render: (m) => when(m.createdAt) },
      { label: "To", render: (m) => m.to },
      { label: "Subject", render: (m) => h("details", {}, h("summary", {}, m.subject), h("pre", { class: "mail-text" }, m.text || "")) },
      { label: "Template", render: (m) => m.template || "—" },
      { label: "Status", render: (m) => badge(m.status, m.status === "sent" ? "green" : "") },
    ], items);
  });
  replace(
    body,
    h("form", { class: "toolbar", role: "search", onsubmit: (e) => (e.preventDefault(), load()) }, h("label", { for: "outbox-to" }, "To"), to, h("button", { type: "submit" }, "Filter")),
    results,
  );
  load();
}
