// The signed-in tenant (the session view of GET /v1/console/session) and what the console remembers between
// visits: the last organization, project and environment (spec §4.2).

import { get, paths, setCsrf } from "./api.js";

let current = null;

export function session() {
  return current;
}

export function adopt(view) {
  current = view;
  setCsrf(view ? view.csrfToken : null);
  return view;
}

/** The live session, or null when signed out. */
export async function load() {
  if (current) return current;
  try {
    return adopt(await get(paths.session));
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export function forget() {
  adopt(null);
}

/** Refresh the organization list kept in the session view (after creating or leaving one). */
export async function reload() {
  current = null;
  return load();
}

export function organization(idOrSlug) {
  const orgs = (current && current.organizations) || [];
  return orgs.find((o) => o.id === idOrSlug || o.slug === idOrSlug) || null;
}

const KEY = "bkend-console-last";

export function remembered() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "{}");
  } catch {
    return {};
  }
}

export function remember(values) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...remembered(), ...values }));
  } catch {
    /* private mode: nothing is remembered */
  }
}
