// Environments (spec §4.7): cards with type, status, region and created date; how far AI tools may go in each
// (MCP access: write, read, none); create one (optionally copying another's tables); delete (type its name).

import { del, get, paths, post, put } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { when } from "../format.js";
import { heading } from "../shell.js";
import { badge, confirmAction, notify, openDialog } from "../ui.js";

const ACCESS = [["write", "AI tools may read and change"], ["read", "AI tools may only read"], ["none", "AI tools have no access"]];

function accessSelect(ctx, env) {
  const id = `mcp-${env.id}`;
  const select = h("select", { id }, ACCESS.map(([v, t]) => h("option", { value: v, selected: v === (env.mcpAccess || "write") }, t)));
  select.addEventListener("change", async () => {
    try {
      await put(`${paths.env(ctx.project.id, env.environment)}/mcp-access`, { mcpAccess: select.value });
      notify(`MCP access of ${env.environment}: ${select.value}`);
    } catch (error) {
      select.value = env.mcpAccess || "write";
      notify(error.message, "error");
    }
  });
  return h("div", { class: "field" }, h("label", { for: id }, "MCP access"), select);
}

function envCard(ctx, env) {
  const { project } = ctx;
  const remove = async () => {
    const ok = await confirmAction({ title: `Delete ${env.environment}`, message: "Its tables, rows, users, files and API keys are deleted.", typed: env.environment, action: "Delete environment" });
    if (!ok) return;
    try {
      await del(paths.env(project.id, env.environment), { confirm: env.environment });
      notify(`Environment ${env.environment} deleted`);
      ctx.navigate(`/console/projects/${encodeURIComponent(project.slug)}/${encodeURIComponent(project.environments.find((e) => e.id !== env.id).environment)}/environments`);
    } catch (error) {
      notify(error.message, "error");
    }
  };
  return h(
    "li",
    { class: ["card", env.id === ctx.env.id && "current"], "data-env": env.environment },
    h("h3", {}, env.environment, " ", badge(env.status || "active", env.status === "active" ? "green" : "")),
    h("dl", { class: "facts" },
      h("dt", {}, "Type"), h("dd", {}, env.environmentType || env.environment),
      h("dt", {}, "Cloud / region"), h("dd", {}, `${project.primaryCloud || "local"} / ${project.primaryRegion || "local"}`),
      h("dt", {}, "Created"), h("dd", {}, when(env.createdAt)),
      h("dt", {}, "Tables"), h("dd", {}, String((env.counts || {}).tables ?? "—")),
    ),
    accessSelect(ctx, env),
    h("div", { class: "actions" }, h("button", { type: "button", class: "small danger", onclick: remove, disabled: project.environments.length < 2 }, "Delete…")),
  );
}

function createDialog(ctx) {
  return openDialog("New environment", (close) => {
    const form = h(
      "form",
      { class: "stack" },
      field({ name: "name", label: "Name", required: true, placeholder: "staging", hint: "Lowercase letters, digits and dashes." }),
      field({ name: "environmentType", label: "Type", kind: "select", value: "staging", options: ["dev", "staging", "prod", "custom"] }),
      field({ name: "copySchemaFrom", label: "Copy table definitions from", kind: "select", options: [["", "Nothing (start empty)"], ...ctx.project.environments.map((e) => [e.environment, e.environment])] }),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit("Create environment")),
    );
    onSubmit(form, (v) => post(`${paths.project(ctx.project.id)}/environments`, { name: v.name.trim(), environmentType: v.environmentType, ...(v.copySchemaFrom ? { copySchemaFrom: v.copySchemaFrom } : {}) }), close);
    return form;
  });
}

export async function render(main, ctx) {
  const project = await get(paths.project(ctx.project.id));
  const local = { ...ctx, project };
  const create = async () => {
    const made = await createDialog(ctx);
    if (!made) return;
    notify(`Environment ${made.environment || made.name} created`);
    ctx.navigate(`/console/projects/${encodeURIComponent(project.slug)}/${encodeURIComponent(made.environment || made.name)}/environments`);
  };
  replace(
    main,
    heading("Environments", "Each environment has its own tables, rows, users, files and API keys; the team and project settings are shared.", h("button", { type: "button", class: "primary", onclick: create }, "New environment")),
    h("ul", { class: "cards" }, project.environments.map((e) => envCard(local, e))),
  );
}
