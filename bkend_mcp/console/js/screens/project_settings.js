// Project settings (spec §4.13): id, slug, cloud, region and date (read-only); name and description; and, in the
// danger zone, deleting the project after typing its slug.

import { del, patch, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { when } from "../format.js";
import { remember } from "../session.js";
import { heading } from "../shell.js";
import { confirmAction, copyButton, notify } from "../ui.js";

export async function render(main, ctx) {
  const { project } = ctx;
  const form = h(
    "form",
    { class: "stack narrow" },
    field({ name: "name", label: "Name", value: project.name, required: true }),
    field({ name: "description", label: "Description", kind: "textarea", value: project.description || "", attrs: { rows: 3 } }),
    actions(submit("Save")),
  );
  onSubmit(form, (v) => patch(paths.project(project.id), { name: v.name.trim(), description: v.description }), () => {
    notify("Project saved");
    ctx.reload();
  });
  const remove = async () => {
    const ok = await confirmAction({ title: `Delete ${project.name}`, message: "Every environment, table, row, user, file and API key of the project is deleted.", typed: project.slug, action: "Delete project" });
    if (!ok) return;
    try {
      await del(paths.project(project.id), { confirm: project.slug });
      remember({ project: null, env: null });
      notify(`Project ${project.name} deleted`);
      ctx.navigate(ctx.org ? `/console/orgs/${encodeURIComponent(ctx.org.slug)}/projects` : "/console/");
    } catch (error) {
      notify(error.message, "error");
    }
  };
  replace(
    main,
    heading("Project settings"),
    h("section", { class: "card" },
      h("dl", { class: "facts" },
        h("dt", {}, "Project ID"), h("dd", {}, h("code", {}, project.id), " ", copyButton(project.id)),
        h("dt", {}, "Slug"), h("dd", {}, h("code", {}, project.slug), h("span", { class: "muted" }, " (cannot change)")),
        h("dt", {}, "Cloud / region"), h("dd", {}, `${project.primaryCloud || "local"} / ${project.primaryRegion || "local"}`),
        h("dt", {}, "Created"), h("dd", {}, when(project.createdAt)),
      ),
      form,
    ),
    h("section", { class: "card danger-zone" }, h("h2", {}, "Delete project"), h("p", {}, "This cannot be undone."), h("button", { type: "button", class: "danger", onclick: remove }, "Delete project…")),
  );
}
