// Schema history: every version with its date and author, the schema itself, and rollback, which creates a new
// version copying an old one (history is never rewritten).

import { get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { listTable, when } from "../format.js";
import { badge, confirmAction, errorPanel, loading, notify } from "../ui.js";

/** Tenant id → name, from the organization's members (authors may also be API keys or MCP clients). */
export async function memberNames(orgId) {
  try {
    const members = (await get(`${paths.org(orgId)}/members`, { limit: 100 })).items || [];
    return Object.fromEntries(members.map((m) => [m.tenantId, m.name || m.email]));
  } catch {
    return {};
  }
}

export function schemaHistory(ctx, done) {
  const list = h("div");
  const section = h("details", { class: "history" }, h("summary", {}, "History"), list);
  section.addEventListener("toggle", async () => {
    if (!section.open) return;
    replace(list, loading());
    try {
      const versions = (await get(`${ctx.tablePath}/schema-versions`, { includeSchema: "true", limit: 50 })).items || [];
      const names = await memberNames(ctx.project.organizationId);
      const rollback = async (v) => {
        const ok = await confirmAction({ title: `Roll back to v${v.version}`, message: "A new version copying this schema becomes current. Rows are not changed; apps relying on newer columns may break.", action: "Roll back", danger: true });
        if (!ok) return;
        try {
          await post(`${ctx.tablePath}/schema-versions/${v.version}/rollback`);
          done();
        } catch (error) {
          notify(error.message, "error");
        }
      };
      replace(
        list,
        listTable("Schema versions", [
          { label: "Version", render: (v) => [`v${v.version} `, v.isCurrent || v.current ? badge("current", "green") : null] },
          { label: "Created", render: (v) => when(v.createdAt) },
          { label: "By", render: (v) => names[v.createdBy] || v.createdBy || "—" },
          { label: "Change", render: (v) => v.change || "—" },
          { label: "Schema", render: (v) => h("details", {}, h("summary", {}, "View schema"), h("pre", { class: "json" }, JSON.stringify(v.schema, null, 2))) },
          { label: "Actions", render: (v) => (v.isCurrent || v.current ? "" : h("button", { type: "button", class: "small", onclick: () => rollback(v) }, "Roll back…")) },
        ], versions),
      );
    } catch (error) {
      replace(list, errorPanel(error));
    }
  });
  return section;
}
