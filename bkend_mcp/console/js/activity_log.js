// The activity log (GET /v1/console/organizations/{org}/activity): who did what, from the console or an AI tool,
// when, on what, and whether it worked. Used by the organization's Audit tab and the project's Activities page.

import { get, paths } from "./api.js";
import { h, replace } from "./dom.js";
import { listTable, pager, when } from "./format.js";
import { badge, empty, errorPanel, loading } from "./ui.js";

function target(item) {
  const args = item.arguments || {};
  const parts = ["table", "env", "environment", "project"].filter((k) => args[k]).map((k) => `${k}: ${args[k]}`);
  return parts.join(" · ") || "—";
}

function action(item) {
  return String(item.tool || "")
    .replace(/^console (\w+) \/v1\/console/, "$1 ")
    .replace("/projects/{project}/environments/{env}", "")
    .replace("/organizations/{org}", "");
}

/** `projectId`: show only that project's entries (the API filters by organization; this narrows the page).
 * `latest`: only that many entries, without filters or paging (the project overview). */
export function activityLog(orgId, { projectId, latest } = {}) {
  const state = { page: 1, outcome: "", tool: "" };
  const results = h("div", { class: "activity-results" });
  const outcome = h(
    "select",
    { id: "activity-outcome", onchange: (e) => ((state.outcome = e.target.value), (state.page = 1), load()) },
    [["", "Any result"], ["ok", "Succeeded"], ["error", "Failed"]].map(([v, t]) => h("option", { value: v }, t)),
  );
  const tool = h("input", { id: "activity-tool", type: "search", placeholder: "e.g. backend_table_create" });
  const filters = h(
    "form",
    { class: "toolbar", onsubmit: (e) => (e.preventDefault(), (state.tool = tool.value.trim()), (state.page = 1), load()) },
    h("label", { for: "activity-outcome" }, "Result"),
    outcome,
    h("label", { for: "activity-tool" }, "Tool (exact name)"),
    tool,
    h("button", { type: "submit" }, "Filter"),
  );
  async function load() {
    replace(results, loading());
    try {
      const answer = await get(`${paths.org(orgId)}/activity`, { page: state.page, limit: projectId ? 100 : 25, outcome: state.outcome, tool: state.tool });
      const items = (answer.items || []).filter((i) => !projectId || i.projectId === projectId).slice(0, latest || undefined);
      const paging = latest || (projectId && answer.pagination.totalPages <= 1) ? null : pager(answer.pagination, go);
      if (!items.length) return replace(results, empty("No activity yet", "Changes made from the console, an AI tool or a secret key show up here."), paging);
      replace(
        results,
        listTable("Activity", [
          { label: "When", render: (i) => when(i.at) },
          { label: "Who", render: (i) => (i.client && i.client.name) || i.clientId || "—" },
          { label: "Action", render: (i) => h("code", {}, action(i)) },
          { label: "Target", render: target },
          { label: "Result", render: (i) => badge(i.outcome, i.outcome === "ok" ? "green" : "red") },
        ], items),
        paging,
      );
    } catch (error) {
      replace(results, errorPanel(error, load));
    }
  }
  function go(page) {
    state.page = page;
    load();
  }
  load();
  return h("div", { class: "activity" }, latest ? null : filters, results);
}
