// Activities of the project (spec §4.16): the organization's activity log narrowed to this project.

import { activityLog } from "../activity_log.js";
import { replace } from "../dom.js";
import { heading } from "../shell.js";

export async function render(main, ctx) {
  replace(main, heading("Activities", "Changes to this project from the console, AI tools and secret keys, newest first."), activityLog(ctx.project.organizationId, { projectId: ctx.project.id }));
}
