// Table detail (spec §4.8): tabs Data, Schema, Indexes, Permissions, API docs; each tab is its own module.

import { get, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { plural } from "../format.js";
import { heading } from "../shell.js";
import { badge, loading, tabs } from "../ui.js";

const TABS = [
  ["data", "Data", "./table_data.js"],
  ["schema", "Schema", "./table_schema.js"],
  ["indexes", "Indexes", "./table_indexes.js"],
  ["permissions", "Permissions", "./table_permissions.js"],
  ["docs", "API docs", "./table_docs.js"],
];

function summaryOf(t) {
  return t.description || `${plural(t.documentCount ?? 0, "row")} · schema v${t.schemaVersion} · ${t.environment}`;
}

export async function render(main, ctx) {
  const name = ctx.params.table;
  const tab = TABS.find(([key]) => key === (ctx.params.tab || "data"));
  const base = `${ctx.base}/tables/${encodeURIComponent(name)}`;
  if (!tab) return ctx.navigate(base, { replace: true });
  const tablePath = paths.table(ctx.project.id, ctx.env.environment, name);
  const table = await get(tablePath);
  const body = h("div", { class: "tab-body" }, loading());
  replace(
    main,
    h("p", { class: "back" }, h("a", { href: `${ctx.base}/tables` }, "← Tables")),
    heading(table.tableName, summaryOf(table)),
    tabs("Table sections", TABS.map(([key, text]) => [key, text, `${base}/${key}`]), tab[0]),
    body,
  );
  const module = await import(tab[2]);
  const refreshTable = async () => {
    tableCtx.table = await get(tablePath);
    const intro = main.querySelector(".page-head .intro");
    if (intro) intro.textContent = summaryOf(tableCtx.table);
    return tableCtx.table;
  };
  const tableCtx = { ...ctx, table, tablePath, tableBase: base, refreshTable };
  await module.render(body, tableCtx);
  if (table.status && table.status !== "deployed") main.querySelector(".page-head h1").append(" ", badge(table.status));
}
