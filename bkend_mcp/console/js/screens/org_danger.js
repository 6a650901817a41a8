// The organization's danger zone: transfer ownership (type `transfer`), leave (type `leave`), delete (type the
// organization's name). Each needs its confirmation word, like the API's `confirm`.

import { del, get, paths, post } from "../api.js";
import { h } from "../dom.js";
import { reload, remember, session } from "../session.js";
import { confirmAction, notify } from "../ui.js";

async function attempt(work, done) {
  try {
    await work();
    await reload();
    done();
  } catch (error) {
    notify(error.message, "error");
  }
}

export async function dangerZone(ctx) {
  const org = ctx.org;
  const me = session().tenant.id;
  let members = [];
  try {
    members = ((await get(`${paths.org(org.id)}/members`)).items || []).filter((m) => m.tenantId !== me);
  } catch {
    members = [];
  }
  const target = h("select", { id: "transfer-to" }, members.map((m) => h("option", { value: m.tenantId }, `${m.name || m.email} (${m.role})`)));
  const transfer = async () => {
    const chosen = members.find((m) => m.tenantId === target.value);
    if (!chosen) return;
    const ok = await confirmAction({ title: "Transfer ownership", message: `${chosen.email} becomes the owner; you become an admin. This cannot be undone by you.`, typed: "transfer", action: "Transfer" });
    if (ok) await attempt(() => post(`${paths.org(org.id)}/transfer`, { tenantId: chosen.tenantId, confirm: "transfer" }), () => (notify("Ownership transferred"), ctx.reload()));
  };
  const leave = async () => {
    if (await confirmAction({ title: "Leave organization", message: `You lose access to ${org.name} and its projects.`, typed: "leave", action: "Leave" })) {
      await attempt(() => post(`${paths.org(org.id)}/leave`, { confirm: "leave" }), () => (remember({ org: null, project: null, env: null }), ctx.navigate("/console/")));
    }
  };
  const remove = async () => {
    if (await confirmAction({ title: "Delete organization", message: "Every project, environment, table, row, user, file and key of the organization is deleted.", typed: org.name, action: "Delete organization" })) {
      await attempt(() => del(paths.org(org.id), { confirm: org.name }), () => (remember({ org: null, project: null, env: null }), notify("Organization deleted"), ctx.navigate("/console/")));
    }
  };
  return h(
    "section",
    { class: "card danger-zone" },
    h("h2", {}, "Transfer ownership"),
    members.length
      ? h("div", { class: "inline-form" }, h("div", { class: "field" }, h("label", { for: "transfer-to" }, "New owner"), target), h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: transfer }, "Transfer ownership…")))
      : h("p", { class: "muted" }, "Invite someone first: ownership goes to another member."),
    h("h2", {}, "Leave organization"),
    h("p", {}, "The owner cannot leave; transfer ownership first."),
    h("button", { type: "button", class: "danger", onclick: leave }, "Leave organization…"),
    h("h2", {}, "Delete organization"),
    h("p", {}, "Removes all projects, environments and data. Only the owner can do this."),
    h("button", { type: "button", class: "danger", onclick: remove }, "Delete organization…"),
  );
}
