// Organization home (spec §4.2): the projects as cards, quick links, and how to connect an AI tool.

import { get, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { connectPanel } from "../connect_panel.js";
import { heading } from "../shell.js";
import { badge, empty } from "../ui.js";

export function projectCard(project) {
  const envs = project.environments || [];
  return h(
    "li",
    { class: "card project-card" },
    h("h3", {}, h("a", { href: `/console/projects/${encodeURIComponent(project.slug || project.id)}` }, project.name)),
    h("p", { class: "muted" }, project.slug),
    project.description ? h("p", {}, project.description) : null,
    h("p", {}, badge(project.status || "active", project.status === "active" ? "green" : ""), " ", envs.map((e) => badge(e.environment))),
  );
}

export async function render(main, ctx) {
  const listed = await get(`${paths.org(ctx.org.id)}/projects`, { limit: 100 });
  const projects = listed.items || [];
  const newProject = h("a", { class: "button primary", href: `${ctx.base}/projects?new=1` }, "New project");
  replace(
    main,
    heading(ctx.org.name, `You are ${ctx.org.role} of this organization.`, newProject),
    h("h2", {}, "Projects"),
    projects.length
      ? h("ul", { class: "cards" }, projects.map(projectCard))
      : empty("No projects yet", "A project holds your tables, users, files and API keys, in one or more environments.", newProject.cloneNode(true)),
    h(
      "nav",
      { class: "quick-links", "aria-label": "Quick links" },
      h("a", { href: `${ctx.base}/team` }, "Invite your team"),
      h("a", { href: `${ctx.base}/settings/security` }, "Personal access tokens"),
      h("a", { href: `${ctx.base}/settings/audit` }, "Audit log"),
    ),
    await connectPanel({ compact: true, fullHref: `${ctx.base}/connect` }),
  );
}
