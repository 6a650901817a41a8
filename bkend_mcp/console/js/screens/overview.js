// Project overview (spec §4.6) for the selected environment: status, tables, users, files, keys, the project id,
// the publishable key to start with, recent activity and how to connect an AI tool.

import { get, paths } from "../api.js";
import { activityLog } from "../activity_log.js";
import { connectPanel } from "../connect_panel.js";
import { h, replace } from "../dom.js";
import { when } from "../format.js";
import { heading } from "../shell.js";
import { badge, copyButton } from "../ui.js";

function stat(label, value, href) {
  return h("li", { class: "card stat" }, h("span", { class: "stat-value" }, String(value ?? 0)), href ? h("a", { href }, label) : h("span", {}, label));
}

async function publishableKey(ctx) {
  try {
    const keys = (await get(`${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`)).items || [];
    const key = keys.find((k) => k.type === "publishable" && !k.revokedAt && k.key);
    if (!key) return null;
    return h("div", { class: "snippet" }, h("input", { class: "mono", readonly: true, value: key.key, "aria-label": "Publishable key" }), copyButton(key.key));
  } catch {
    return null;
  }
}

export async function render(main, ctx) {
  const { project, env } = ctx;
  const counts = (project.environments.find((e) => e.id === env.id) || {}).counts || {};
  const base = ctx.base;
  const key = await publishableKey(ctx);
  replace(
    main,
    heading(project.name, project.description || `Environment ${env.environment} of this project.`),
    h("ul", { class: "stats" },
      h("li", { class: "card stat" }, h("span", { class: "stat-value" }, badge(env.status || "active", env.status === "active" ? "green" : "")), h("span", {}, `Environment ${env.environment}`)),
      stat("Tables", counts.tables, `${base}/tables`),
      stat("Users", counts.users, `${base}/users`),
      stat("Files", counts.files, `${base}/files`),
      stat("API keys", counts.apiKeys, `${base}/api-keys`),
    ),
    h("section", { class: "card" },
      h("h2", {}, "Use it from your app"),
      h("dl", { class: "facts" },
        h("dt", {}, "Project ID"), h("dd", {}, h("code", {}, project.id), " ", copyButton(project.id)),
        h("dt", {}, "REST base URL"), h("dd", {}, h("code", {}, `${location.origin}/v1/data/{table}`)),
        h("dt", {}, "Created"), h("dd", {}, when(project.createdAt)),
      ),
      key ? [h("p", {}, "Publishable key of ", h("strong", {}, env.environment), " (safe in browsers; row permissions apply):"), key] : h("p", {}, h("a", { href: `${base}/api-keys` }, "Create an API key")),
    ),
    await connectPanel({ compact: true, fullHref: `${base}/connect` }),
    h(
      "section",
      { "aria-labelledby": "recent-title" },
      h("h2", { id: "recent-title" }, "Recent activity"),
      activityLog(project.organizationId, { projectId: project.id, latest: 5 }),
      h("p", {}, h("a", { href: `${base}/activity` }, "All activities")),
    ),
  );
}
