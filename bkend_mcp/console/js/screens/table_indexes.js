// The Indexes tab (spec §4.10): the indexes (name, columns with direction, unique, sparse), adding a single or
// compound index, deleting one, and the index history with rollback.

import { get, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, localError, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { badge, confirmAction, errorPanel, loading, notify, openDialog } from "../ui.js";

function keys(index) {
  const fields = index.fields || index.key || {};
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  return pairs.map(([name, dir]) => `${name} ${Number(dir) === -1 ? "↓" : "↑"}`).join(", ");
}

function columnRow(names, n) {
  return h(
    "li",
    { class: "condition" },
    h("label", { class: "visually-hidden", for: `ix-col-${n}` }, `Column ${n}`),
    h("select", { id: `ix-col-${n}`, name: `column${n}` }, [["", "(choose a column)"], ...names.map((c) => [c, c])].map(([v, t]) => h("option", { value: v }, t))),
    h("label", { class: "visually-hidden", for: `ix-dir-${n}` }, `Direction ${n}`),
    h("select", { id: `ix-dir-${n}`, name: `direction${n}` }, h("option", { value: "1" }, "ascending"), h("option", { value: "-1" }, "descending")),
  );
}

function addDialog(ctx) {
  const names = [...(ctx.table.fields || []).map((f) => f.name), "createdAt", "updatedAt", "createdBy"];
  return openDialog("Add an index", (close) => {
    const rows = h("ol", { class: "conditions" }, columnRow(names, 1));
    const more = h("button", { type: "button", onclick: () => rows.append(columnRow(names, rows.children.length + 1)) }, "+ Column (compound index)");
    const form = h(
      "form",
      { class: "stack" },
      field({ name: "name", label: "Index name", placeholder: "by_title", hint: "Optional; made from the columns when empty." }),
      h("fieldset", { class: "field", "data-field": "fields" }, h("legend", {}, "Columns"), rows, more, h("p", { class: "field-error", hidden: true })),
      h("div", { class: "checks" }, field({ name: "unique", label: "Unique", kind: "checkbox" }), field({ name: "sparse", label: "Sparse (skip rows without the column)", kind: "checkbox" })),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit("Create index")),
    );
    onSubmit(form, (v) => {
      const fields = {};
      for (let n = 1; n <= rows.children.length; n += 1) if (v[`column${n}`]) fields[v[`column${n}`]] = Number(v[`direction${n}`]);
      if (!Object.keys(fields).length) throw localError("fields", "Choose at least one column.");
      const def = { fields, unique: v.unique, sparse: v.sparse, ...(v.name.trim() ? { name: v.name.trim() } : {}) };
      return post(`${ctx.tablePath}/indexes`, { add: [def] });
    }, close);
    return form;
  });
}

function history(ctx, done) {
  const list = h("div");
  const section = h("details", { class: "history" }, h("summary", {}, "History"), list);
  section.addEventListener("toggle", async () => {
    if (!section.open) return;
    replace(list, loading());
    try {
      const versions = (await get(`${ctx.tablePath}/index-versions`, { limit: 50 })).items || [];
      const rollback = async (v) => {
        if (!(await confirmAction({ title: `Roll back indexes to v${v.version}`, message: "A new version with these indexes becomes current.", action: "Roll back" }))) return;
        await post(`${ctx.tablePath}/index-versions/${v.version}/rollback`).then(done, (e) => notify(e.message, "error"));
      };
      replace(list, listTable("Index versions", [
        { label: "Version", render: (v) => [`v${v.version} `, v.isCurrent ? badge("current", "green") : null] },
        { label: "Created", render: (v) => when(v.createdAt) },
        { label: "Custom indexes", render: (v) => (v.customIndexes || []).map((i) => i.name).join(", ") || "—" },
        { label: "Actions", render: (v) => (v.isCurrent ? "" : h("button", { type: "button", class: "small", onclick: () => rollback(v) }, "Roll back…")) },
      ], versions));
    } catch (error) {
      replace(list, errorPanel(error));
    }
  });
  return section;
}

export async function render(body, ctx) {
  const changed = async (message) => {
    notify(message);
    await ctx.refreshTable();
    render(body, ctx);
  };
  const add = async () => (await addDialog(ctx)) && changed("Index created");
  const remove = async (index) => {
    if (!(await confirmAction({ title: `Delete index ${index.name}`, message: "Queries on these columns may get slower; no data is changed.", action: "Delete index" }))) return;
    await post(`${ctx.tablePath}/indexes`, { remove: [index.name] }).then(() => changed("Index deleted"), (e) => notify(e.message, "error"));
  };
  replace(
    body,
    h("div", { class: "toolbar" }, h("p", { class: "muted" }, `Index version ${ctx.table.indexVersion}`), h("span", { class: "spacer" }), h("button", { type: "button", class: "primary", onclick: add }, "Add index")),
    listTable("Indexes", [
      { label: "Name", render: (i) => [h("code", {}, i.name), i.system ? [" ", badge("built-in")] : null] },
      { label: "Columns", render: keys },
      { label: "Unique", render: (i) => (i.unique ? badge("unique", "blue") : "—") },
      { label: "Sparse", render: (i) => (i.sparse ? "yes" : "—") },
      { label: "Actions", render: (i) => (i.system ? "" : h("button", { type: "button", class: "small danger", onclick: () => remove(i) }, "Delete")) },
    ], ctx.table.indexes || [], { rowLabel: (i) => i.name }),
    h("details", { class: "help" }, h("summary", {}, "When to add an index"), h("p", {}, "Index the columns your app filters or sorts on, and make a column unique when no two rows may share a value. Skip columns with few distinct values (yes/no); every index makes writes a little slower.")),
    history(ctx, () => changed("Indexes rolled back")),
  );
}
