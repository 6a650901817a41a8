// Projects of the organization (spec §4.5): list, and create (name, slug from the name; the `dev` environment is
// ready at once).

import { get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { heading } from "../shell.js";
import { badge, empty, notify, openDialog } from "../ui.js";
import { slugFollowsName } from "./org_new.js";

function createDialog(ctx) {
  return openDialog("New project", (close) => {
    const form = h(
      "form",
      { class: "stack" },
      field({ name: "name", label: "Project name", required: true }),
      field({ name: "slug", label: "Project slug", hint: "From the name unless you change it; cannot be changed later." }),
      field({ name: "description", label: "Description", kind: "textarea", attrs: { rows: 2 } }),
      h("p", { class: "hint" }, "A dev environment is created with the project. Cloud and region: this server (local)."),
      actions(h("button", { type: "button", onclick: () => close() }, "Cancel"), submit("Create project")),
    );
    slugFollowsName(form);
    onSubmit(
      form,
      (v) => post(`${paths.org(ctx.org.id)}/projects`, { name: v.name.trim(), slug: v.slug.trim() || undefined, description: v.description || undefined }),
      (project) => close(project),
    );
    return form;
  });
}

export async function render(main, ctx) {
  const listed = await get(`${paths.org(ctx.org.id)}/projects`, { limit: 100 });
  const projects = listed.items || [];
  const create = async () => {
    const project = await createDialog(ctx);
    if (!project) return;
    notify(`Project ${project.name} created`);
    ctx.navigate(`/console/projects/${encodeURIComponent(project.slug)}/dev/overview`);
  };
  const newButton = h("button", { type: "button", class: "primary", onclick: create }, "New project");
  replace(
    main,
    heading("Projects", newButton),
    projects.length
      ? listTable(
          "Projects",
          [
            { label: "Name", render: (p) => h("a", { href: `/console/projects/${encodeURIComponent(p.slug || p.id)}` }, p.name) },
            { label: "Slug", render: (p) => h("code", {}, p.slug) },
            { label: "Region", render: (p) => `${p.primaryCloud || "local"} / ${p.primaryRegion || "local"}` },
            { label: "Environments", render: (p) => String((p.environments || []).length) },
            { label: "Status", render: (p) => badge(p.status || "active", p.status === "active" ? "green" : "") },
            { label: "Created", render: (p) => when(p.createdAt) },
          ],
          projects,
          { rowLabel: (p) => p.slug },
        )
      : empty("No projects yet", "Create a project to get tables, a REST API and an MCP endpoint.", h("button", { type: "button", class: "primary", onclick: create }, "Create your first project")),
  );
  if (ctx.query.get("new")) {
    history.replaceState(null, "", `${ctx.base}/projects`);
    create();
  }
}
