// Authentication of the environment's app users (spec §4.14): Providers, Email templates, Outbox.

import { replace } from "../dom.js";
import { heading } from "../shell.js";
import { tabs } from "../ui.js";

const TABS = [
  ["providers", "Providers", "./auth_providers.js"],
  ["templates", "Email templates", "./auth_templates.js"],
  ["outbox", "Outbox", "./auth_outbox.js"],
];

export async function render(main, ctx) {
  const tab = TABS.find(([key]) => key === (ctx.params.tab || "providers"));
  if (!tab) return ctx.navigate(`${ctx.base}/auth`, { replace: true });
  const body = document.createElement("div");
  replace(
    main,
    heading("Authentication", `How your app's users sign in to the ${ctx.env.environment} environment.`),
    tabs("Authentication sections", TABS.map(([key, text]) => [key, text, `${ctx.base}/auth/${key}`]), tab[0]),
    body,
  );
  const module = await import(tab[2]);
  await module.render(body, { ...ctx, envPath: `/v1/console/projects/${encodeURIComponent(ctx.project.id)}/environments/${encodeURIComponent(ctx.env.environment)}` });
}
