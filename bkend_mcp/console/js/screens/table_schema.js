// The Schema tab (spec §4.9): the columns with type, required, unique, default and constraints; add, edit (with
// a dry run that counts the rows that would no longer fit) and delete columns; the version history.

import { get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, onSubmit, submit } from "../forms.js";
import { cell, listTable } from "../format.js";
import { badge, confirmAction, notify, openDialog } from "../ui.js";
import { columnFields, fieldDef } from "./field_form.js";
import { kindOf } from "./row_form.js";
import { schemaHistory } from "./schema_history.js";

const AUTO = [["id", "string"], ["createdAt", "date"], ["updatedAt", "date"], ["createdBy", "string"]];
const SHOWN = ["minLength", "maxLength", "pattern", "enum", "minimum", "maximum", "x-ref", "items"];

function constraints(column) {
  return SHOWN.filter((k) => column[k] !== undefined && column[k] !== null).map((k) => `${k === "x-ref" ? "→" : `${k}:`} ${cell(column[k])}`).join(", ");
}

async function otherTables(ctx) {
  const listed = await get(`${paths.env(ctx.project.id, ctx.env.environment)}/tables`, { limit: 100 });
  return (listed.items || []).map((t) => t.tableName);
}

async function warningsAccepted(ctx, def) {
  const trial = await post(`${ctx.tablePath}/fields`, { add: [def], dryRun: true });
  const warnings = trial.warnings || [];
  if (!warnings.length) return true;
  return confirmAction({
    title: "Existing rows do not fit",
    message: warnings.map((w) => w.message || `${w.nonConformingCount} rows do not fit ${w.field}`).join(" ") + " They stay as they are; writes to them must then fit the new definition.",
    action: "Change anyway",
  });
}

/** The API names a column's problems by the column (`title`, `title.minLength`); the form's fields are `name`,
 * `minLength`… so point each detail at the form field it is about. */
function onColumnForm(error, name) {
  for (const detail of error.details || []) {
    if (detail.field === name) detail.field = "name";
    else if (detail.field && detail.field.startsWith(`${name}.`)) detail.field = detail.field.slice(name.length + 1);
  }
  return error;
}

function columnDialog(ctx, column, tables) {
  const title = column ? `Edit column ${column.name}` : "Add a column";
  return openDialog(title, (close) => {
    const form = h(
      "form",
      { class: "stack", "aria-label": title },
      columnFields(column, tables),
      column ? h("p", { class: "hint" }, "Changing the type of a column that has data may leave rows that no longer fit; you will see how many first.") : null,
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit(column ? "Save column" : "Add column")),
    );
    onSubmit(form, async (v) => {
      const def = fieldDef(v, Boolean(column));
      try {
        if (column && !(await warningsAccepted(ctx, def))) return null;
        return await post(`${ctx.tablePath}/fields`, { add: [def] });
      } catch (error) {
        throw onColumnForm(error, def.name);
      }
    }, (saved) => saved && close(saved));
    return form;
  }, { wide: true });
}

export async function render(body, ctx) {
  const tables = (await otherTables(ctx)).filter((t) => t !== ctx.table.tableName).concat([ctx.table.tableName]);
  const changed = async (saved, message) => {
    if (!saved) return;
    notify(message);
    for (const w of saved.warnings || []) notify(w.message, "error");
    await ctx.refreshTable();
    render(body, ctx);
  };
  const add = async () => changed(await columnDialog(ctx, null, tables), "Column added");
  const edit = async (column) => changed(await columnDialog(ctx, column, tables), `Column ${column.name} saved`);
  const remove = async (column) => {
    const ok = await confirmAction({ title: `Delete column ${column.name}`, message: "The column leaves the schema; its values are removed from every row.", typed: column.name, action: "Delete column" });
    if (!ok) return;
    try {
      await changed(await post(`${ctx.tablePath}/fields`, { remove: [column.name] }), `Column ${column.name} deleted`);
    } catch (error) {
      notify(error.message, "error");
    }
  };
  const columns = ctx.table.fields || [];
  replace(
    body,
    h("div", { class: "toolbar" }, h("p", { class: "muted" }, `Schema version ${ctx.table.schemaVersion}`), h("span", { class: "spacer" }), h("button", { type: "button", class: "primary", onclick: add }, "Add column")),
    listTable(
      "Columns",
      [
        { label: "Column", render: (c) => h("strong", {}, c.name) },
        { label: "Type", render: (c) => kindOf(c) },
        { label: "Required", render: (c) => (c.required ? badge("required", "blue") : "—") },
        { label: "Unique", render: (c) => (c.unique ? badge("unique", "blue") : "—") },
        { label: "Default", render: (c) => cell(c.default) || "—" },
        { label: "Constraints", render: (c) => constraints(c) || "—" },
        {
          label: "Actions",
          render: (c) => [
            h("button", { type: "button", class: "small", onclick: () => edit(c), "aria-label": `Edit column ${c.name}` }, "Edit"),
            " ",
            h("button", { type: "button", class: "small danger", onclick: () => remove(c), "aria-label": `Delete column ${c.name}` }, "Delete"),
          ],
        },
      ],
      columns,
      { rowLabel: (c) => c.name },
    ),
    columns.length ? null : h("p", { class: "empty-inline" }, "No columns yet: add the first one."),
    h("details", { class: "help" }, h("summary", {}, "Automatic columns"), h("ul", {}, AUTO.map(([n, t]) => h("li", {}, h("code", {}, n), ` (${t}, read-only)`)))),
    schemaHistory(ctx, () => changed({}, "Schema rolled back")),
  );
}
