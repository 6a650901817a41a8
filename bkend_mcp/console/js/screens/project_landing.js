// `/console/projects/{project}`: open the project in the environment used last, else its first one.

import { get, paths } from "../api.js";
import { remembered } from "../session.js";

export async function render(main, ctx) {
  const project = await get(paths.project(ctx.params.project));
  const envs = project.environments || [];
  const last = remembered();
  const env = envs.find((e) => e.environment === last.env) || envs[0];
  const slug = encodeURIComponent(project.slug || project.id);
  ctx.navigate(`/console/projects/${slug}/${encodeURIComponent(env ? env.environment : "dev")}/overview`, { replace: true });
}
