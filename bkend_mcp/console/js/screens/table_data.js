// The Data tab: browse rows with search, a filter builder, sorting by column and paging; add, edit and delete rows.
// A refused write shows each failing column's message next to its field (`error.details[].field`).

import { del, get, patch, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, onSubmit, submit } from "../forms.js";
import { cell, pager, when } from "../format.js";
import { confirmAction, empty, errorPanel, loading, notify, openDialog } from "../ui.js";
import { filterBuilder } from "./row_filters.js";
import { readRow, rowFields } from "./row_form.js";

function editDialog(ctx, row) {
  const title = row ? "Edit row" : `Add a row to ${ctx.table.tableName}`;
  return openDialog(title, (close) => {
    const form = h(
      "form",
      { class: "stack", "aria-label": title },
      row ? h("p", { class: "muted" }, "Row ", h("code", {}, row.id)) : null,
      rowFields(ctx.table, row || {}),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit(row ? "Save row" : "Add row")),
    );
    onSubmit(
      form,
      (v) => {
        const body = readRow(form, ctx.table, row);
        return row ? patch(`${ctx.tablePath}/rows/${encodeURIComponent(row.id)}`, body) : post(`${ctx.tablePath}/rows`, body);
      },
      close,
    );
    return form;
  }, { wide: true });
}

function sortHeader(state, name, load) {
  const active = state.sortBy === name;
  const arrow = active ? (state.sortDirection === "asc" ? " ▲" : " ▼") : "";
  const button = h("button", { type: "button", class: "sort" }, name, arrow);
  button.addEventListener("click", () => {
    state.sortDirection = active && state.sortDirection === "desc" ? "asc" : "desc";
    state.sortBy = name;
    state.page = 1;
    load();
  });
  return h("th", { scope: "col", "aria-sort": active ? (state.sortDirection === "asc" ? "ascending" : "descending") : null }, button);
}

function grid(ctx, state, rows, load) {
  const columns = ["id", ...(ctx.table.fields || []).map((f) => f.name), "createdAt"];
  const edit = async (row) => {
    if (await editDialog(ctx, row)) {
      notify("Row saved");
      load();
    }
  };
  const remove = async (row) => {
    if (!(await confirmAction({ title: "Delete row", message: `Delete row ${row.id}? This cannot be undone.`, action: "Delete row" }))) return;
    try {
      await del(`${ctx.tablePath}/rows/${encodeURIComponent(row.id)}`);
      notify("Row deleted");
      load();
      ctx.refreshTable();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  return h(
    "div",
    { class: "table-wrap grid-wrap" },
    h(
      "table",
      { class: "grid" },
      h("caption", { class: "visually-hidden" }, `Rows of ${ctx.table.tableName}`),
      h("thead", {}, h("tr", {}, columns.map((c) => sortHeader(state, c, load)), h("th", { scope: "col" }, "Actions"))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { "data-row": row.id },
            columns.map((c) => {
              const text = c === "createdAt" ? when(row[c]) : cell(row[c]);
              return h("td", { title: cell(row[c]) }, c === "id" ? h("code", {}, text.replace(/^data_/, "").slice(0, 8) + "…") : text);
            }),
            h(
              "td",
              { class: "row-actions" },
              h("button", { type: "button", class: "small", onclick: () => edit(row), "aria-label": `Edit row ${row.id}` }, "Edit"),
              h("button", { type: "button", class: "small danger", onclick: () => remove(row), "aria-label": `Delete row ${row.id}` }, "Delete"),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function render(body, ctx) {
  const state = { page: 1, limit: 20, sortBy: "createdAt", sortDirection: "desc", search: "", andFilters: null };
  const results = h("div", { class: "rows" });
  async function load() {
    replace(results, loading("Loading rows…"));
    try {
      const answer = await get(`${ctx.tablePath}/rows`, {
        page: state.page,
        limit: state.limit,
        sortBy: state.sortBy,
        sortDirection: state.sortDirection,
        search: state.search,
        andFilters: state.andFilters ? JSON.stringify(state.andFilters) : "",
      });
      const rows = answer.items || [];
      const filtered = state.search || state.andFilters;
      if (!rows.length) {
        return replace(results, filtered ? empty("No rows match", "Change the search or the filters.") : empty("No rows yet", "Add the first row, or let your app or AI tool write some.", addButton()));
      }
      replace(results, grid(ctx, state, rows, load), pager(answer.pagination, (p) => ((state.page = p), load())));
    } catch (error) {
      replace(results, errorPanel(error, load));
    }
  }
  const add = async () => {
    if (await editDialog(ctx, null)) {
      notify("Row added");
      load();
      ctx.refreshTable();
    }
  };
  const addButton = () => h("button", { type: "button", class: "primary", onclick: add }, "Add row");
  const search = h("input", { id: "row-search", type: "search", placeholder: "Search text columns" });
  const limit = h("select", { id: "row-limit" }, [10, 20, 50, 100].map((n) => h("option", { value: n, selected: n === 20 }, `${n} per page`)));
  limit.addEventListener("change", () => ((state.limit = Number(limit.value)), (state.page = 1), load()));
  const toolbar = h(
    "form",
    { class: "toolbar", role: "search", onsubmit: (e) => (e.preventDefault(), (state.search = search.value.trim()), (state.page = 1), load()) },
    h("label", { for: "row-search", class: "visually-hidden" }, "Search"),
    search,
    h("button", { type: "submit" }, "Search"),
    h("label", { for: "row-limit", class: "visually-hidden" }, "Rows per page"),
    limit,
    h("span", { class: "spacer" }),
    addButton(),
  );
  const filters = filterBuilder(ctx.table, (andFilters) => {
    state.andFilters = andFilters;
    state.page = 1;
    load();
  });
  replace(body, toolbar, filters, results);
  await load();
}
