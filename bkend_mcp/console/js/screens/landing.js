// `/console/`: go where the tenant was last (spec §4.2): the last project, else the last organization, else the
// prompt to create one.

import { organization, remembered, session } from "../session.js";

export async function render(main, ctx) {
  const last = remembered();
  if (last.project && last.env) {
    return ctx.navigate(`/console/projects/${encodeURIComponent(last.project)}/${encodeURIComponent(last.env)}/overview`, { replace: true });
  }
  const org = organization(last.org) || (session().organizations || [])[0];
  ctx.navigate(org ? `/console/orgs/${encodeURIComponent(org.slug || org.id)}` : "/console/orgs/new", { replace: true });
}
