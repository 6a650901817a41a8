// Organization settings (spec §4.3): General, Security (personal access tokens for AI tools and scripts), Audit
// (the activity log) and Danger (transfer ownership, leave, delete).

import { get, patch, paths } from "../api.js";
import { activityLog } from "../activity_log.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { when } from "../format.js";
import { reload } from "../session.js";
import { heading } from "../shell.js";
import { notify, tabs } from "../ui.js";
import { dangerZone } from "./org_danger.js";
import { tokensSection } from "./org_tokens.js";

const TABS = [
  ["general", "General"],
  ["security", "Security"],
  ["audit", "Audit"],
  ["danger", "Danger zone"],
];

async function general(ctx) {
  const org = await get(paths.org(ctx.org.id));
  const form = h(
    "form",
    { class: "stack narrow" },
    field({ name: "name", label: "Name", value: org.name, required: true }),
    field({ name: "displayName", label: "Display name", value: org.displayName || "" }),
    field({ name: "description", label: "Description", kind: "textarea", value: org.description || "", attrs: { rows: 3 } }),
    actions(submit("Save")),
  );
  onSubmit(form, (v) => patch(paths.org(org.id), v), async () => {
    await reload();
    notify("Organization saved");
    ctx.reload();
  });
  return h(
    "section",
    { class: "card" },
    h("dl", { class: "facts" },
      h("dt", {}, "Organization ID"), h("dd", {}, h("code", {}, org.id)),
      h("dt", {}, "Slug"), h("dd", {}, h("code", {}, org.slug)),
      h("dt", {}, "Plan"), h("dd", {}, org.plan || "self-hosted"),
      h("dt", {}, "Status"), h("dd", {}, org.status || "active"),
      h("dt", {}, "Created"), h("dd", {}, when(org.createdAt)),
    ),
    form,
  );
}

export async function render(main, ctx) {
  const tab = ctx.params.tab || "general";
  const base = `${ctx.base}/settings`;
  const body = {
    general: () => general(ctx),
    security: () => tokensSection(ctx),
    audit: async () => activityLog(ctx.org.id),
    danger: () => dangerZone(ctx),
  }[tab];
  if (!body) return ctx.navigate(base, { replace: true });
  replace(main, heading("Organization settings"), tabs("Settings sections", TABS.map(([k, t]) => [k, t, `${base}/${k}`]), tab), await body());
}
