// The console's entry point: a small history router that loads one screen module per URL (js/routes.js), checks
// the session, builds the frame of the organization or project, and hands the screen a context.

import { get, paths, whenSignedOut } from "./api.js";
import { h, replace } from "./dom.js";
import { match } from "./routes.js";
import { adopt, load, organization, remember } from "./session.js";
import { frame, heading, orgBase, projectBase } from "./shell.js";
import { errorPanel, loading } from "./ui.js";

const app = document.getElementById("app");
let rendering = 0;

export function navigate(to, { replace: swap = false } = {}) {
  if (swap) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  render();
}

function here() {
  return `${location.pathname}${location.search}`;
}

function toSignIn() {
  const next = here();
  navigate(next.startsWith("/console/signin") ? next : `/console/signin?next=${encodeURIComponent(next)}`, { replace: true });
}

async function projectContext(params) {
  const project = await get(paths.project(params.project));
  const env = (project.environments || []).find((e) => e.environment === params.env || e.id === params.env);
  if (!env) {
    const error = new Error(`The project has no environment '${params.env}'.`);
    error.code = "common/not-found";
    throw Object.assign(error, { project });
  }
  remember({ org: project.organizationId, project: project.slug || project.id, env: env.environment });
  return { project, env, org: organization(project.organizationId) };
}

function notFound(main, text = "This page does not exist.") {
  document.title = "Not found · bkend console";
  replace(main, heading("Not found"), h("p", {}, text), h("p", {}, h("a", { href: "/console/" }, "Back to the console")));
}

/** Render the current URL; `#app` is aria-busy until the screen (not a newer navigation) is drawn. */
async function render() {
  const ticket = ++rendering;
  try {
    await show(ticket);
  } finally {
    if (ticket === rendering) app.removeAttribute("aria-busy");
  }
}

async function show(ticket) {
  shown = here();
  const route = match(location.pathname);
  const query = new URLSearchParams(location.search);
  const ctx = { params: route ? route.params : {}, query, navigate, reload: render, path: location.pathname };
  app.setAttribute("aria-busy", "true");
  if (!route || route.layout !== "bare") {
    const signedIn = await load().catch(() => null);
    if (ticket !== rendering) return;
    if (!signedIn) return toSignIn();
  }
  if (!route) {
    const { root, main } = frame({ layout: "account", path: location.pathname, navigate });
    replace(app, root);
    return notFound(main);
  }
  let target = app;
  if (route.layout === "org" || route.layout === "account" || route.layout === "project") {
    try {
      if (route.layout === "org") {
        ctx.org = organization(route.params.org);
        if (!ctx.org) throw Object.assign(new Error("You are not a member of this organization."), { code: "common/not-found" });
        remember({ org: ctx.org.id });
        ctx.base = orgBase(ctx.org);
      }
      if (route.layout === "project") {
        replace(app, loading());
        Object.assign(ctx, await projectContext(route.params));
        if (ticket !== rendering) return;
        ctx.base = projectBase(ctx.project, ctx.env.environment);
      }
      const { root, main } = frame({ ...ctx, layout: route.layout, path: location.pathname });
      replace(app, root);
      target = main;
    } catch (error) {
      if (ticket !== rendering) return;
      const { root, main } = frame({ layout: "account", path: location.pathname, navigate });
      replace(app, root);
      if (route.layout === "project") remember({ project: null, env: null });
      document.title = "Cannot open this page · bkend console";
      return replace(main, heading("Cannot open this page"), errorPanel(error), h("p", {}, h("a", { href: "/console/" }, "Back to the console")));
    }
  }
  replace(target, loading());
  try {
    const screen = await import(`./screens/${route.screen}.js`);
    if (ticket !== rendering) return;
    document.title = "bkend console";
    await screen.render(target, ctx);
    if (ticket !== rendering) return;
    const title = target.querySelector("h1");
    if (title) document.title = `${title.textContent} · bkend console`;
    const focusTarget = target.querySelector("h1");
    if (focusTarget && !document.querySelector("dialog[open]") && !target.contains(document.activeElement)) {
      focusTarget.focus({ preventScroll: true });
    }
  } catch (error) {
    if (ticket !== rendering) return;
    replace(target, heading("Something went wrong"), errorPanel(error, render));
  }
}

function interceptLinks(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/console/") || url.hash) return;
  event.preventDefault();
  navigate(`${url.pathname}${url.search}`);
}

whenSignedOut(() => {
  adopt(null);
  if (!location.pathname.startsWith("/console/signin")) toSignIn();
});
document.addEventListener("click", interceptLinks);
let shown = here();
window.addEventListener("popstate", () => {
  if (here() === shown) return; // only the #fragment changed: the browser scrolls, nothing to render
  render();
});
render();
