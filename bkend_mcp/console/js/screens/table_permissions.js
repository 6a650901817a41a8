// The Permissions tab (spec §4.8): the matrix of groups (admin, user, guest, self) × operations, admin always on;
// and the advanced rules as JSON: expression permissions, column permissions, row filters. Each save replaces the
// rules it sends whole.

import { patch } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, localError, onSubmit, submit } from "../forms.js";
import { notify } from "../ui.js";

const GROUPS = [
  ["admin", "Admin", "Secret keys and app admins: always everything."],
  ["user", "User", "Any signed-in app user."],
  ["guest", "Guest", "Anyone with the publishable key, signed in or not."],
  ["self", "Self", "The user who created the row (createdBy)."],
];
const OPS = ["create", "read", "list", "update", "delete"];
const ADVANCED = [
  ["expressionPermissions", "Expression permissions", '{"read": "user | guest", "update": "self"}'],
  ["columnPermissions", "Column permissions", '{"email": {"read": "self | admin", "write": "self"}}'],
  ["rowFilters", "Row filters", '[{"expression": "guest", "filter": {"status": "published"}}]'],
];

function matrix(ctx) {
  const current = ctx.table.permissions || {};
  const form = h("form", { class: "stack", "aria-label": "Permissions matrix" });
  const table = h(
    "table",
    { class: "matrix" },
    h("caption", {}, "Who may do what on ", h("code", {}, ctx.table.tableName)),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Group"), OPS.map((op) => h("th", { scope: "col" }, op)))),
    h(
      "tbody",
      {},
      GROUPS.map(([group, label, hint]) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, h("span", {}, label), h("span", { class: "hint" }, hint)),
          OPS.map((op) => {
            const admin = group === "admin";
            const id = `perm-${group}-${op}`;
            return h(
              "td",
              {},
              h("input", { type: "checkbox", id, name: `${group}.${op}`, checked: admin || Boolean((current[group] || {})[op]), disabled: admin }),
              h("label", { for: id, class: "visually-hidden" }, `${label} may ${op}`),
            );
          }),
        ),
      ),
    ),
  );
  form.append(
    h("div", { class: "table-wrap" }, table),
    h("p", { class: "hint" }, "Saving replaces the whole matrix. A group's permission wins over self; to let users see only their own rows, turn the group off and self on."),
    actions(submit("Save permissions")),
  );
  onSubmit(form, (v) => {
    const permissions = {};
    for (const [group] of GROUPS) {
      permissions[group] = {};
      for (const op of OPS) permissions[group][op] = group === "admin" ? true : Boolean(v[`${group}.${op}`]);
    }
    return patch(ctx.tablePath, { permissions });
  }, async () => {
    await ctx.refreshTable();
    notify("Permissions saved");
  });
  return form;
}

function advanced(ctx) {
  const shown = (name) => (ctx.table[name] === null || ctx.table[name] === undefined ? "" : JSON.stringify(ctx.table[name], null, 2));
  const form = h(
    "form",
    { class: "stack", "aria-label": "Advanced rules" },
    ADVANCED.map(([name, label, example]) => field({ name, label, kind: "textarea", value: shown(name), placeholder: example, hint: "JSON; empty means none.", attrs: { class: "mono", rows: 4 } })),
    actions(submit("Save advanced rules")),
  );
  onSubmit(form, (v) => {
    const body = {};
    const problems = [];
    for (const [name] of ADVANCED) {
      const text = v[name].trim();
      try {
        body[name] = text ? JSON.parse(text) : null;
      } catch {
        problems.push(localError(name, "Not valid JSON.").details[0]);
      }
    }
    if (problems.length) throw Object.assign(new Error("Some rules are not valid JSON."), { details: problems });
    return patch(ctx.tablePath, body);
  }, async () => {
    await ctx.refreshTable();
    notify("Advanced rules saved");
  });
  return form;
}

export async function render(body, ctx) {
  replace(
    body,
    h("section", { class: "card" }, h("h2", {}, "Permissions"), matrix(ctx)),
    h(
      "details",
      { class: "card advanced" },
      h("summary", {}, h("h2", { class: "inline" }, "Advanced rules")),
      h("p", {}, "Expressions override the matrix per operation. Terms: public, guest, user, admin, self, role:NAME; & binds tighter than |."),
      advanced(ctx),
    ),
  );
}
