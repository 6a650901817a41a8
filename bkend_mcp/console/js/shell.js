// The frame around every signed-in screen: top bar (menu button on phones, breadcrumbs, account), the sidebar of
// the organization or of the project (spec §4 layout), the environment tabs, and the <main> the screen fills.

import { del, paths } from "./api.js";
import { h } from "./dom.js";
import { forget, session } from "./session.js";

const ORG_MENU = [
  ["", "Home"],
  ["/projects", "Projects"],
  ["/team", "Team"],
  ["/settings", "Organization settings"],
  ["/connect", "Connect your AI tool"],
];

const PROJECT_MENU = [
  ["/overview", "Overview"],
  ["/environments", "Environments"],
  ["/tables", "Database"],
  ["/auth", "Authentication"],
  ["/users", "Users"],
  ["/files", "File storage"],
  ["/api-keys", "API keys"],
  ["/cors", "CORS"],
  ["/activity", "Activities"],
  ["/settings", "Project settings"],
  ["/connect", "Connect your AI tool"],
];

export const orgBase = (org) => `/console/orgs/${encodeURIComponent(org.slug || org.id)}`;
export const projectBase = (project, env) =>
  `/console/projects/${encodeURIComponent(project.slug || project.id)}/${encodeURIComponent(env)}`;

function menuLink(href, text, path) {
  const active = path === href || (href.split("/").length > 4 && path.startsWith(`${href}/`));
  return h("li", {}, h("a", { href, class: active ? "active" : "", "aria-current": active ? "page" : null }, text));
}

function orgSwitcher(current, navigate) {
  const orgs = session().organizations || [];
  const select = h(
    "select",
    {
      id: "org-switcher",
      onchange: (event) => navigate(event.target.value === "new" ? "/console/orgs/new" : `/console/orgs/${event.target.value}`),
    },
    orgs.map((o) => h("option", { value: o.slug || o.id, selected: current && o.id === current.id }, o.name)),
    h("option", { value: "new" }, "+ New organization…"),
  );
  if (!current) select.prepend(h("option", { value: "", selected: true, disabled: true }, "Choose…"));
  return h("div", { class: "switcher" }, h("label", { for: "org-switcher" }, "Organization"), select);
}

function sidebar({ layout, org, project, env, path, navigate }) {
  if (layout === "project") {
    const base = projectBase(project, env.environment);
    return h(
      "nav",
      { id: "sidebar", class: "sidebar", "aria-label": "Project" },
      org ? h("a", { class: "back", href: orgBase(org) }, `← ${org.name}`) : null,
      h("p", { class: "sidebar-title" }, project.name),
      h("ul", {}, PROJECT_MENU.map(([sub, text]) => menuLink(`${base}${sub}`, text, path === base ? `${base}/overview` : path))),
    );
  }
  return h(
    "nav",
    { id: "sidebar", class: "sidebar", "aria-label": "Organization" },
    orgSwitcher(org, navigate),
    org ? h("ul", {}, ORG_MENU.map(([sub, text]) => menuLink(`${orgBase(org)}${sub}`, text, path))) : null,
  );
}

function envTabs(project, env, path) {
  const base = projectBase(project, env.environment);
  let rest = path.slice(base.length) || "/overview";
  if (rest.startsWith("/tables/")) rest = "/tables";
  return h(
    "nav",
    { class: "env-tabs", "aria-label": "Environment" },
    h("span", { class: "env-label" }, "Environment"),
    (project.environments || []).map((e) => {
      const active = e.id === env.id;
      return h(
        "a",
        { href: `${projectBase(project, e.environment)}${rest}`, class: active ? "active" : "", "aria-current": active ? "page" : null },
        e.environment,
      );
    }),
  );
}

function crumbs(org, project) {
  const items = [];
  if (org) items.push(h("li", {}, h("a", { href: orgBase(org) }, org.name)));
  if (project) items.push(h("li", {}, h("span", {}, project.name)));
  return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, items));
}

async function signOut(navigate) {
  try {
    await del(paths.session);
  } finally {
    forget();
    navigate("/console/signin");
  }
}

/** Build the frame; returns {root, main} where `main` is the element the screen fills. */
export function frame({ layout, org, project, env, path, navigate }) {
  const tenant = session().tenant;
  const side = sidebar({ layout, org, project, env, path, navigate });
  const toggle = h(
    "button",
    { type: "button", class: "menu-toggle", "aria-controls": "sidebar", "aria-expanded": "false" },
    h("span", { "aria-hidden": "true" }, "☰"),
    " Menu",
  );
  toggle.addEventListener("click", () => {
    const open = side.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  const main = h("div", { class: "content" });
  const root = h(
    "div",
    { class: "shell" },
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    h(
      "header",
      { class: "topbar" },
      toggle,
      h("a", { class: "brand", href: "/console/" }, h("span", { class: "logo", "aria-hidden": "true" }, "b"), "bkend"),
      crumbs(org, project),
      h(
        "div",
        { class: "account" },
        h("a", { href: "/console/account", title: tenant.email }, tenant.name || tenant.email),
        h("button", { type: "button", class: "small", onclick: () => signOut(navigate) }, "Sign out"),
      ),
    ),
    h(
      "div",
      { class: "frame" },
      side,
      h("main", { id: "main", tabindex: "-1" }, layout === "project" ? envTabs(project, env, path) : null, main),
    ),
  );
  return { root, main };
}

/** The screen's heading row: <h1> and optional action buttons. */
export function heading(title, ...actionsOrIntro) {
  const intro = actionsOrIntro.filter((a) => typeof a === "string");
  const buttons = actionsOrIntro.filter((a) => a && typeof a !== "string");
  return h(
    "div",
    { class: "page-head" },
    h("div", {}, h("h1", { tabindex: "-1" }, title), intro.map((t) => h("p", { class: "intro" }, t))),
    buttons.length ? h("div", { class: "page-actions" }, buttons) : null,
  );
}

/** The centred card of the signed-out pages (sign-in, owner setup, invitation). */
export function card(title, ...content) {
  return h(
    "main",
    { id: "main", class: "bare" },
    h(
      "div",
      { class: "card auth-card" },
      h("p", { class: "brand big" }, h("span", { class: "logo", "aria-hidden": "true" }, "b"), "bkend console"),
      h("h1", { tabindex: "-1" }, title),
      content,
    ),
  );
}
