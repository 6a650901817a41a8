// Every console URL: [pattern, screen module (js/screens/<name>.js), layout]. Layouts: `bare` (signed-out pages),
// `none` (redirects), `account` (signed in, no organization chosen), `org` (organization sidebar), `project`
// (project sidebar + environment tabs).

const P = "/console/projects/:project/:env";

export const ROUTES = [
  ["/console/signin", "signin", "bare"],
  ["/console/setup", "setup", "bare"],
  ["/console/invite", "invite", "bare"],
  ["/console/", "landing", "none"],
  ["/console/account", "account", "account"],
  ["/console/orgs/new", "org_new", "account"],
  ["/console/orgs/:org", "org_home", "org"],
  ["/console/orgs/:org/projects", "projects", "org"],
  ["/console/orgs/:org/team", "team", "org"],
  ["/console/orgs/:org/settings", "org_settings", "org"],
  ["/console/orgs/:org/settings/:tab", "org_settings", "org"],
  ["/console/orgs/:org/connect", "connect", "org"],
  ["/console/projects/:project", "project_landing", "none"],
  [P, "overview", "project"],
  [`${P}/overview`, "overview", "project"],
  [`${P}/environments`, "environments", "project"],
  [`${P}/tables`, "tables", "project"],
  [`${P}/tables/:table`, "table", "project"],
  [`${P}/tables/:table/:tab`, "table", "project"],
  [`${P}/api-keys`, "api_keys", "project"],
  [`${P}/cors`, "cors", "project"],
  [`${P}/auth`, "auth", "project"],
  [`${P}/auth/:tab`, "auth", "project"],
  [`${P}/users`, "users", "project"],
  [`${P}/files`, "files", "project"],
  [`${P}/activity`, "activity", "project"],
  [`${P}/settings`, "project_settings", "project"],
  [`${P}/connect`, "connect", "project"],
];

/** The route matching `pathname` and its decoded parameters, or null. */
export function match(pathname) {
  const path = pathname.length > 9 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  for (const [pattern, screen, layout] of ROUTES) {
    const want = pattern.split("/");
    const got = path.split("/");
    if (want.length !== got.length) continue;
    const params = {};
    const ok = want.every((part, i) => {
      if (part.startsWith(":")) {
        if (!got[i]) return false;
        params[part.slice(1)] = decodeURIComponent(got[i]);
        return true;
      }
      return part === got[i];
    });
    if (ok) return { screen, layout, params };
  }
  return null;
}
