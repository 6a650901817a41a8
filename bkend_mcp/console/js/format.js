// Formatting values for display, and the responsive list table (cards on a phone, rows on a laptop).

import { h } from "./dom.js";

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const text = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: iso, title: iso }, text);
}

export function bytes(size) {
  const n = Number(size || 0);
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A cell value as short text: objects and arrays as compact JSON. */
export function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function slugify(text) {
  return String(text || "")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
}

/** Several nodes in one cell (buttons, a name and a badge) share one wrapper, so they stay together. */
function cellContent(content) {
  return Array.isArray(content) ? h("span", { class: "cell" }, content) : content;
}

/**
 * A list table. columns: [{label, render(row) → node|string, className?}]. On narrow screens each row becomes a
 * card whose cells are labelled by `data-label`.
 */
export function listTable(caption, columns, rows, { rowLabel } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "list" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.className }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { "data-row": rowLabel ? rowLabel(row) : null },
            columns.map((c) => h("td", { "data-label": c.label, class: c.className }, cellContent(c.render(row)))),
          ),
        ),
      ),
    ),
  );
}

export function pager(pagination, go) {
  if (!pagination || pagination.totalPages <= 1) {
    return pagination ? h("p", { class: "muted pager-info" }, `${pagination.total} in all`) : null;
  }
  const { page, totalPages, total } = pagination;
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "← Previous"),
    h("span", { class: "muted" }, `Page ${page} of ${totalPages} · ${total} in all`),
    h("button", { type: "button", disabled: page >= totalPages, onclick: () => go(page + 1) }, "Next →"),
  );
}
