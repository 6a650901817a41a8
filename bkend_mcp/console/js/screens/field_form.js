// The column form of the Schema tab: name, one of the 7 column types, required, unique, default, and the
// constraints of the chosen type (spec §4.9). Produces the management API's FieldDef.

import { h, replace } from "../dom.js";
import { field, localError } from "../forms.js";
import { kindOf } from "./row_form.js";

export const TYPES = [
  ["string", "Text (string)"],
  ["number", "Number"],
  ["boolean", "Yes / no (boolean)"],
  ["date", "Date and time"],
  ["object", "JSON object"],
  ["array", "JSON array (list)"],
  ["reference", "Reference to a row of another table"],
];

// The constraint inputs shown for each type: [name, label, kind].
const CONSTRAINTS = {
  string: [["minLength", "Minimum length", "number"], ["maxLength", "Maximum length", "number"], ["pattern", "Pattern (regular expression)", "text"], ["enum", "Allowed values (comma separated)", "text"]],
  number: [["minimum", "Minimum", "text"], ["maximum", "Maximum", "text"], ["integer", "Whole numbers only", "checkbox"]],
  array: [["itemType", "Item type", "select"]],
  reference: [["ref", "Target table", "select"]],
  object: [],
  boolean: [],
  date: [],
};
const ALL_KEYS = ["minLength", "maxLength", "pattern", "enum", "minimum", "maximum"];

function currentValue(column, name) {
  if (!column) return "";
  if (name === "integer") return kindOf(column) === "integer";
  if (name === "enum") return Array.isArray(column.enum) ? column.enum.join(", ") : "";
  if (name === "itemType") return (column.items && (column.items.type || column.items.bsonType)) || "string";
  if (name === "ref") return column["x-ref"] || column.ref || "";
  return column[name] ?? "";
}

function constraintFields(type, column, tables) {
  return (CONSTRAINTS[type] || []).map(([name, label, kind]) => {
    if (name === "itemType") return field({ name, label, kind: "select", value: currentValue(column, name), options: ["string", "number", "boolean", "date", "object"] });
    if (name === "ref") return field({ name, label, kind: "select", value: currentValue(column, name), options: tables.length ? tables : [["", "(no other table yet)"]] });
    return field({ name, label, kind, value: currentValue(column, name), attrs: kind === "number" ? { min: 0 } : {} });
  });
}

/** The fields of the form; the constraints box follows the type select. `column` is set when editing. */
export function columnFields(column, tables) {
  const type = column ? (kindOf(column) === "integer" ? "number" : kindOf(column)) : "string";
  const box = h("fieldset", { class: "constraints" }, h("legend", {}, "Constraints"), constraintFields(type, column, tables));
  const typeField = field({ name: "type", label: "Type", kind: "select", value: type, options: TYPES });
  typeField.querySelector("select").addEventListener("change", (event) => {
    replace(box, h("legend", {}, "Constraints"), constraintFields(event.target.value, null, tables));
    box.hidden = !CONSTRAINTS[event.target.value].length;
  });
  box.hidden = !CONSTRAINTS[type].length;
  const defaultValue = column && column.default !== null && column.default !== undefined ? (typeof column.default === "object" ? JSON.stringify(column.default) : String(column.default)) : "";
  return [
    field({ name: "name", label: "Column name", value: column ? column.name : "", required: true, hint: column ? "A column's name cannot change." : "Starts with a letter; letters, digits and _ (snake_case suggested).", attrs: column ? { readonly: true } : { autocomplete: "off" } }),
    typeField,
    h("div", { class: "checks" }, field({ name: "required", label: "Required (not null)", kind: "checkbox", value: column && column.required }), field({ name: "unique", label: "Unique", kind: "checkbox", value: column && column.unique })),
    field({ name: "default", label: "Default value", value: defaultValue, hint: "Used when a new row leaves the column out. JSON for objects and arrays." }),
    field({ name: "description", label: "Description", value: column ? column.description || "" : "" }),
    box,
  ];
}

function parseDefault(type, text) {
  if (text === "") return undefined;
  if (type === "number") return Number.isFinite(Number(text)) ? Number(text) : text;
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (type === "object" || type === "array") {
    try {
      return JSON.parse(text);
    } catch {
      throw localError("default", "Not valid JSON.");
    }
  }
  return text;
}

const number = (text) => (text === "" ? null : Number.isFinite(Number(text)) ? Number(text) : text);

/** The FieldDef from the form's values; when editing, cleared constraints are sent as null (removed). */
export function fieldDef(v, editing) {
  const def = { name: v.name.trim(), type: v.type, required: v.required, unique: v.unique };
  const fallback = parseDefault(v.type, v.default);
  if (fallback !== undefined) def.default = fallback;
  else if (editing) def.default = null;
  if (v.description) def.description = v.description;
  if (editing) for (const key of ALL_KEYS) def[key] = null;
  if (v.type === "string") {
    for (const key of ["minLength", "maxLength"]) if (v[key] !== "" || editing) def[key] = number(v[key] ?? "");
    if (v.pattern || editing) def.pattern = v.pattern || null;
    const values = (v.enum || "").split(",").map((s) => s.trim()).filter(Boolean);
    if (values.length || editing) def.enum = values.length ? values : null;
  }
  if (v.type === "number") {
    for (const key of ["minimum", "maximum"]) if (v[key] !== "" || editing) def[key] = number(v[key] ?? "");
    if (v.integer) def.type = "integer";
  }
  if (v.type === "array") def.items = { type: v.itemType || "string" };
  if (v.type === "reference") def.ref = v.ref;
  if (!editing) for (const key of Object.keys(def)) if (def[key] === null) delete def[key];
  return def;
}
