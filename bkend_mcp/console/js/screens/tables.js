// Database → table list (spec §4.8): name, status, rows, fields, schema version, updated; built-in tables shown
// read-only; create a table (then define its columns in the Schema tab); delete (type the table's name).

import { del, get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { heading } from "../shell.js";
import { badge, confirmAction, empty, notify, openDialog } from "../ui.js";

function createDialog(ctx) {
  return openDialog("New table", (close) => {
    const form = h(
      "form",
      { class: "stack" },
      field({ name: "table", label: "Table name", required: true, placeholder: "posts", hint: "Starts with a letter; letters, digits and _. Every row gets id, createdAt, updatedAt and createdBy." }),
      field({ name: "description", label: "Description" }),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit("Create table")),
    );
    onSubmit(form, (v) => post(`${paths.env(ctx.project.id, ctx.env.environment)}/tables`, { table: v.table.trim(), ...(v.description ? { description: v.description } : {}) }), close);
    return form;
  });
}

export async function render(main, ctx) {
  const envPath = paths.env(ctx.project.id, ctx.env.environment);
  const listed = await get(`${envPath}/tables`, { includeSystem: "true", limit: 100 });
  const tables = listed.items || [];
  const own = tables.filter((t) => !t.isSystem);
  const create = async () => {
    const made = await createDialog(ctx);
    if (!made) return;
    notify(`Table ${made.tableName} created: now add its columns`);
    ctx.navigate(`${ctx.base}/tables/${encodeURIComponent(made.tableName)}/schema`);
  };
  const remove = async (t) => {
    const ok = await confirmAction({ title: `Delete table ${t.tableName}`, message: `All ${t.documentCount ?? ""} rows are lost.`, typed: t.tableName, action: "Delete table" });
    if (!ok) return;
    try {
      await del(paths.table(ctx.project.id, ctx.env.environment, t.tableName), { confirm: t.tableName });
      notify(`Table ${t.tableName} deleted`);
      ctx.reload();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  const link = (t) => (t.isSystem ? h("span", {}, t.tableName) : h("a", { href: `${ctx.base}/tables/${encodeURIComponent(t.tableName)}` }, t.tableName));
  replace(
    main,
    heading("Database", `Tables of the ${ctx.env.environment} environment.`, h("button", { type: "button", class: "primary", onclick: create }, "New table")),
    own.length ? null : empty("No tables yet", "Create a table, then add its columns: text, numbers, dates, references…", h("button", { type: "button", class: "primary", onclick: create }, "Create your first table")),
    listTable(
      "Tables",
      [
        { label: "Table", render: (t) => [link(t), t.isSystem ? [" ", badge("built-in")] : null] },
        { label: "Status", render: (t) => badge(t.status || "deployed", t.status === "deployed" ? "green" : "") },
        { label: "Rows", render: (t) => String(t.documentCount ?? 0) },
        { label: "Columns", render: (t) => (t.isSystem ? "—" : String(t.fieldCount ?? 0)) },
        { label: "Schema", render: (t) => (t.schemaVersion ? `v${t.schemaVersion}` : "—") },
        { label: "Updated", render: (t) => when(t.updatedAt) },
        { label: "Actions", render: (t) => (t.isSystem ? h("span", { class: "muted" }, t.description || "") : h("button", { type: "button", class: "small danger", onclick: () => remove(t) }, "Delete…")) },
      ],
      tables,
      { rowLabel: (t) => t.tableName },
    ),
  );
}
