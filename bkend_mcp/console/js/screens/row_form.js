// The form for one row, generated from the table's columns: a control per column type, values converted back to
// JSON, and a JSON mistake reported on its field before anything is sent.

import { h } from "../dom.js";
import { field } from "../forms.js";

const SYSTEM = new Set(["id", "_id", "createdAt", "updatedAt", "createdBy"]);

export function kindOf(column) {
  if (["int", "long"].includes(column.bsonType) || column.type === "integer") return "integer";
  return column.type || "string";
}

function constraintText(column) {
  const parts = [];
  parts.push(range(column.minLength, column.maxLength, (a, b) => `${a}–${b} characters`, (a) => `at least ${a} characters`, (b) => `at most ${b} characters`));
  parts.push(range(column.minimum, column.maximum, (a, b) => `from ${a} to ${b}`, (a) => `≥ ${a}`, (b) => `≤ ${b}`));
  if (column.pattern) parts.push(`matches ${column.pattern}`);
  if (column["x-ref"]) parts.push(`id of a row in ${column["x-ref"]}`);
  if (column.unique) parts.push("unique");
  return parts.filter(Boolean).join(" · ");
}

function range(low, high, both, onlyLow, onlyHigh) {
  const hasLow = low !== undefined && low !== null;
  const hasHigh = high !== undefined && high !== null;
  if (hasLow && hasHigh) return both(low, high);
  if (hasLow) return onlyLow(low);
  return hasHigh ? onlyHigh(high) : "";
}

function editorValue(column, value) {
  if (value === undefined || value === null) return "";
  const kind = kindOf(column);
  if (kind === "object" || kind === "array") return JSON.stringify(value, null, 2);
  return String(value);
}

function control(column, value) {
  const kind = kindOf(column);
  const label = h("span", {}, column.name, " ", h("span", { class: "type" }, kind));
  const hint = [column.description, constraintText(column)].filter(Boolean).join(" — ") || undefined;
  const common = { name: column.name, label, hint, required: column.required, value: editorValue(column, value) };
  if (kind === "boolean") return field({ ...common, kind: "select", options: [["", "(not set)"], ["true", "true"], ["false", "false"]] });
  if (Array.isArray(column.enum)) return field({ ...common, kind: "select", options: [["", "(not set)"], ...column.enum.map((v) => [String(v), String(v)])] });
  if (kind === "object" || kind === "array") return field({ ...common, kind: "textarea", placeholder: kind === "object" ? '{"key": "value"}' : '["a", "b"]', attrs: { class: "mono", rows: 3 } });
  if (kind === "number" || kind === "integer") return field({ ...common, attrs: { inputmode: kind === "integer" ? "numeric" : "decimal", autocomplete: "off" } });
  if (kind === "date") return field({ ...common, placeholder: "2026-01-15T10:30:00Z", attrs: { autocomplete: "off" } });
  return field({ ...common, attrs: { autocomplete: "off" } });
}

export function editableColumns(table) {
  return (table.fields || []).filter((c) => !SYSTEM.has(c.name));
}

export function rowFields(table, row = {}) {
  return editableColumns(table).map((c) => control(c, row[c.name]));
}

function parse(column, text, problems) {
  const kind = kindOf(column);
  if (kind === "boolean") return text === "true";
  if (kind === "number" || kind === "integer") {
    const n = Number(text.trim());
    return text.trim() !== "" && Number.isFinite(n) ? n : text;
  }
  if (kind === "object" || kind === "array") {
    try {
      return JSON.parse(text);
    } catch {
      problems.push({ field: column.name, reason: "json", message: `Not valid JSON: write an ${kind === "object" ? "object like {\"a\": 1}" : "array like [1, 2]"}.` });
      return undefined;
    }
  }
  return text;
}

/** The row to send: new rows carry the filled columns; edits carry the changed ones (`null` clears a column). */
export function readRow(form, table, original) {
  const problems = [];
  const body = {};
  for (const column of editableColumns(table)) {
    const control = form.elements.namedItem(column.name);
    const text = control ? control.value : "";
    const before = original ? editorValue(column, original[column.name]) : "";
    if (original && text === before) continue;
    if (text === "") {
      if (original) body[column.name] = null;
      continue;
    }
    const value = parse(column, text, problems);
    if (value !== undefined) body[column.name] = value;
  }
  if (problems.length) {
    const error = new Error("Some values are not valid.");
    error.details = problems;
    throw error;
  }
  return body;
}
