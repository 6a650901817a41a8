// The filter builder of the Data tab: conditions (column, operator, value) combined with AND, sent as the data
// API's `andFilters` JSON. Values are sent as typed; the server converts them by the column's type.

import { h } from "../dom.js";

const OPERATORS = [
  ["$eq", "equals"],
  ["$ne", "is not"],
  ["$contains", "contains"],
  ["$gt", ">"],
  ["$gte", "≥"],
  ["$lt", "<"],
  ["$lte", "≤"],
  ["$in", "is one of (a, b, …)"],
  ["$exists", "is set (true / false)"],
];

function value(op, text) {
  if (op === "$in") return text.split(",").map((v) => v.trim()).filter(Boolean);
  if (op === "$exists") return text.trim() !== "false";
  return text;
}

export function filterBuilder(table, apply) {
  const names = ["id", ...(table.fields || []).map((f) => f.name), "createdAt", "updatedAt", "createdBy"];
  const list = h("ol", { class: "conditions" });
  let counter = 0;
  const addCondition = () => {
    counter += 1;
    const n = counter;
    const row = h(
      "li",
      { class: "condition" },
      h("label", { class: "visually-hidden", for: `cond-field-${n}` }, "Column"),
      h("select", { id: `cond-field-${n}`, name: "field" }, names.map((f) => h("option", { value: f }, f))),
      h("label", { class: "visually-hidden", for: `cond-op-${n}` }, "Operator"),
      h("select", { id: `cond-op-${n}`, name: "op" }, OPERATORS.map(([v, t]) => h("option", { value: v }, t))),
      h("label", { class: "visually-hidden", for: `cond-value-${n}` }, "Value"),
      h("input", { id: `cond-value-${n}`, name: "value", placeholder: "value" }),
      h("button", { type: "button", class: "small", "aria-label": "Remove this condition", onclick: () => row.remove() }, "×"),
    );
    list.append(row);
    row.querySelector("select").focus();
  };
  const collect = () => {
    const filters = {};
    for (const row of list.children) {
      const field = row.querySelector("[name=field]").value;
      const op = row.querySelector("[name=op]").value;
      const text = row.querySelector("[name=value]").value;
      filters[field] = { ...(filters[field] || {}), [op]: value(op, text) };
    }
    return Object.keys(filters).length ? filters : null;
  };
  return h(
    "details",
    { class: "filters" },
    h("summary", {}, "Filters"),
    h(
      "form",
      { onsubmit: (e) => (e.preventDefault(), apply(collect())) },
      list,
      h(
        "div",
        { class: "actions left" },
        h("button", { type: "button", onclick: addCondition }, "+ Condition"),
        h("button", { type: "submit", class: "primary" }, "Apply filters"),
        h("button", { type: "button", onclick: () => (list.replaceChildren(), apply(null)) }, "Clear"),
      ),
    ),
  );
}
