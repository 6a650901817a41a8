// The management API client (bkend_mcp/docs/management-api.md): JSON in and out, the session cookie travels by
// itself, every unsafe request carries the session's CSRF token, and failures become ApiError with the product's
// error body (`code`, `message`, `details[]`).

const SAFE = new Set(["GET", "HEAD"]);
let csrfToken = null;
let onSignedOut = null;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || (body && body.message) || `Request failed (${status})`);
    this.status = status;
    this.code = error.code || "common/network-error";
    this.details = Array.isArray(error.details) ? error.details : [];
  }
}

export function setCsrf(token) {
  csrfToken = token;
}

/** Called with the error when the server says the session is over (401 common/authentication-required). */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken && !SAFE.has(method)) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: { code: "common/network-error", message: "The server cannot be reached." } });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const failure = new ApiError(response.status, data);
    if (failure.code === "common/authentication-required" && onSignedOut) onSignedOut(failure);
    throw failure;
  }
  return data;
}

export const get = (path, query) => request("GET", withQuery(path, query));
export const post = (path, body = {}) => request("POST", path, body);
export const patch = (path, body = {}) => request("PATCH", path, body);
export const put = (path, body = {}) => request("PUT", path, body);
export const del = (path, body) => request("DELETE", path, body);

// Paths of the management API, in one place.
export const paths = {
  session: "/v1/console/session",
  setup: "/v1/console/setup",
  connect: "/v1/console/connect",
  organizations: "/v1/console/organizations",
  org: (org) => `/v1/console/organizations/${encodeURIComponent(org)}`,
  project: (project) => `/v1/console/projects/${encodeURIComponent(project)}`,
  env: (project, env) => `/v1/console/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}`,
  table: (project, env, table) => `${paths.env(project, env)}/tables/${encodeURIComponent(table)}`,
};
