// App users of the environment (spec §4.14 Users): search, create, change role, send a password reset, ban or
// unban (banning ends their sessions), delete.

import { del, get, patch, paths, post, put } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, pager, when } from "../format.js";
import { heading } from "../shell.js";
import { badge, confirmAction, empty, fill, notify, openDialog } from "../ui.js";

const ROLES = ["user", "admin", "guest"];

function createDialog(base) {
  return openDialog("New user", (close) => {
    const form = h(
      "form",
      { class: "stack" },
      field({ name: "email", label: "E-mail", kind: "email", required: true }),
      field({ name: "name", label: "Name" }),
      field({ name: "password", label: "Password", kind: "password", hint: "Optional: without one, the user signs in by magic link or resets it.", attrs: { autocomplete: "new-password" } }),
      field({ name: "role", label: "Role", kind: "select", value: "user", options: ROLES }),
      field({ name: "emailVerified", label: "E-mail already verified", kind: "checkbox" }),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit("Create user")),
    );
    onSubmit(form, (v) => post(base, {
      email: v.email.trim(),
      role: v.role,
      emailVerified: v.emailVerified,
      ...(v.name.trim() ? { name: v.name.trim() } : {}),
      ...(v.password ? { password: v.password } : {}),
    }), close);
    return form;
  });
}

function roleControl(base, user, refresh) {
  const options = ROLES.includes(user.role) ? ROLES : [...ROLES, user.role];
  const select = h("select", { "aria-label": `Role of ${user.email}` }, options.map((r) => h("option", { value: r, selected: r === user.role }, r)));
  select.addEventListener("change", async () => {
    try {
      await put(`${base}/${user.id}/role`, { role: select.value });
      notify(`${user.email} is now ${select.value}`);
    } catch (error) {
      select.value = user.role;
      notify(error.message, "error");
    }
    refresh();
  });
  return select;
}

export async function render(main, ctx) {
  const base = `${paths.env(ctx.project.id, ctx.env.environment)}/users`;
  const state = { page: 1, search: "", searchType: "" };
  const results = h("div");
  const act = async (work, message) => {
    try {
      await work();
      notify(message);
      refresh();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  const rowActions = (u) => [
    h("button", { type: "button", class: "small", onclick: () => act(() => post(`${base}/${u.id}/password-reset`), `Password reset mail sent to ${u.email}`) }, "Send reset"),
    " ",
    u.status === "banned"
      ? h("button", { type: "button", class: "small", onclick: () => act(() => patch(`${base}/${u.id}`, { status: "active" }), `${u.email} unbanned`) }, "Unban")
      : h("button", { type: "button", class: "small", onclick: async () => (await confirmAction({ title: "Ban user", message: `${u.email} is signed out everywhere and cannot sign in until unbanned.`, action: "Ban" })) && act(() => patch(`${base}/${u.id}`, { status: "banned" }), `${u.email} banned`) }, "Ban"),
    " ",
    h("button", { type: "button", class: "small danger", onclick: async () => (await confirmAction({ title: "Delete user", message: "The user, their sessions and linked accounts are deleted.", typed: u.email })) && act(() => del(`${base}/${u.id}`), `${u.email} deleted`) }, "Delete…"),
  ];
  const refresh = () => fill(results, async () => {
    const answer = await get(base, { page: state.page, limit: 20, search: state.search, searchType: state.searchType });
    const items = answer.items || [];
    if (!items.length) return empty(state.search ? "No user matches" : "No users yet", state.search ? null : "Users appear when they sign up in your app, or create one here.");
    return [
      listTable("Users", [
        { label: "E-mail", render: (u) => u.email },
        { label: "Name", render: (u) => u.name || "—" },
        { label: "Role", render: (u) => roleControl(base, u, refresh) },
        { label: "Sign-in", render: (u) => [...(u.providers || []), u.hasPassword ? "password" : null].filter(Boolean).join(", ") || "—" },
        { label: "Verified", render: (u) => (u.emailVerified ? "yes" : "no") },
        { label: "Status", render: (u) => badge(u.status, u.status === "active" ? "green" : "red") },
        { label: "Created", render: (u) => when(u.createdAt) },
        { label: "Actions", render: rowActions },
      ], items, { rowLabel: (u) => u.email }),
      pager(answer.pagination, (p) => ((state.page = p), refresh())),
    ];
  });
  const search = h("input", { id: "user-search", type: "search", placeholder: "Name or e-mail" });
  const type = h("select", { id: "user-search-type" }, [["", "Name, nickname or e-mail"], ["email", "E-mail"], ["name", "Name"], ["nickname", "Nickname"]].map(([v, t]) => h("option", { value: v }, t)));
  const create = async () => (await createDialog(base)) && (notify("User created"), refresh());
  replace(
    main,
    heading("Users", `Your app's users in ${ctx.env.environment} (not console accounts).`, h("button", { type: "button", class: "primary", onclick: create }, "New user")),
    h("form", { class: "toolbar", role: "search", onsubmit: (e) => (e.preventDefault(), (state.search = search.value.trim()), (state.searchType = type.value), (state.page = 1), refresh()) },
      h("label", { for: "user-search", class: "visually-hidden" }, "Search users"), search,
      h("label", { for: "user-search-type", class: "visually-hidden" }, "Search in"), type,
      h("button", { type: "submit" }, "Search"),
    ),
    results,
  );
  refresh();
}
