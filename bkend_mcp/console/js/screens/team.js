// Team (spec §4.4): members with their role (changed after a confirmation), invitations (name, e-mail, role) with
// resend and cancel, and removing a member. Refusals (a member may not invite, say) come from the API.

import { del, get, patch, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { listTable, when } from "../format.js";
import { session } from "../session.js";
import { heading } from "../shell.js";
import { badge, confirmAction, copyButton, empty, errorPanel, fill, notify } from "../ui.js";

const ROLES = ["admin", "member", "billing"];

function roleSelect(ctx, member, refresh) {
  if (member.role === "owner") return badge("owner", "blue");
  const select = h(
    "select",
    { "aria-label": `Role of ${member.email}` },
    ROLES.map((r) => h("option", { value: r, selected: r === member.role }, r)),
  );
  select.addEventListener("change", async () => {
    const role = select.value;
    const ok = await confirmAction({ title: "Change role", message: `Make ${member.name || member.email} ${role}? It takes effect at once.`, action: "Change role", danger: false });
    if (!ok) return (select.value = member.role);
    try {
      await patch(`${paths.org(ctx.org.id)}/members/${encodeURIComponent(member.tenantId)}`, { role });
      notify(`${member.email} is now ${role}`);
      refresh();
    } catch (error) {
      select.value = member.role;
      notify(error.message, "error");
    }
  });
  return select;
}

async function membersList(ctx, refresh) {
  const members = (await get(`${paths.org(ctx.org.id)}/members`)).items || [];
  const me = session().tenant.id;
  const remove = async (m) => {
    if (!(await confirmAction({ title: "Remove member", message: `${m.email} loses access to every project of ${ctx.org.name} at once.`, action: "Remove" }))) return;
    try {
      await del(`${paths.org(ctx.org.id)}/members/${encodeURIComponent(m.tenantId)}`);
      notify(`${m.email} removed`);
      refresh();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  return listTable("Members", [
    { label: "Name", render: (m) => [m.name || "—", m.tenantId === me ? " (you)" : ""] },
    { label: "E-mail", render: (m) => m.email },
    { label: "Role", render: (m) => roleSelect(ctx, m, refresh) },
    { label: "Joined", render: (m) => when(m.joinedAt) },
    { label: "Actions", render: (m) => (m.role === "owner" || m.tenantId === me ? "" : h("button", { type: "button", class: "small danger", onclick: () => remove(m) }, "Remove")) },
  ], members, { rowLabel: (m) => m.email });
}

async function invitationsList(ctx, refresh) {
  let items;
  try {
    items = (await get(`${paths.org(ctx.org.id)}/invitations`)).items || [];
  } catch (error) {
    return error.status === 403 ? h("p", { class: "muted" }, "Only owners and admins see pending invitations.") : errorPanel(error);
  }
  if (!items.length) return empty("No pending invitations");
  const base = `${paths.org(ctx.org.id)}/invitations`;
  const act = async (work, message) => {
    try {
      const answer = await work();
      notify(message);
      if (answer && answer.inviteUrl) showLink(answer.inviteUrl);
      refresh();
    } catch (error) {
      notify(error.message, "error");
    }
  };
  return listTable("Pending invitations", [
    { label: "E-mail", render: (i) => i.email },
    { label: "Name", render: (i) => i.name || "—" },
    { label: "Role", render: (i) => i.role },
    { label: "Expires", render: (i) => when(i.expiresAt) },
    {
      label: "Actions",
      render: (i) => [
        h("button", { type: "button", class: "small", onclick: () => act(() => post(`${base}/${i.id}/resend`), `Invitation to ${i.email} sent again`) }, "Resend"),
        " ",
        h("button", { type: "button", class: "small danger", onclick: () => act(() => del(`${base}/${i.id}`), `Invitation to ${i.email} cancelled`) }, "Cancel"),
      ],
    },
  ], items, { rowLabel: (i) => i.email });
}

let linkBox;
function showLink(url) {
  replace(
    linkBox,
    h("div", { class: "alert info", role: "status" },
      h("p", {}, "No mail server is configured, so pass this link on yourself (valid 7 days, single use):"),
      h("div", { class: "snippet" }, h("input", { class: "mono", readonly: true, value: url, "aria-label": "Invitation link" }), copyButton(url)),
    ),
  );
}

function inviteForm(ctx, refresh) {
  const form = h(
    "form",
    { class: "inline-form" },
    field({ name: "name", label: "Name" }),
    field({ name: "email", label: "E-mail", kind: "email", required: true }),
    field({ name: "role", label: "Role", kind: "select", value: "member", options: ROLES }),
    actions(submit("Send invitation")),
  );
  onSubmit(
    form,
    (v) => post(`${paths.org(ctx.org.id)}/invitations`, { email: v.email.trim(), role: v.role, ...(v.name.trim() ? { name: v.name.trim() } : {}) }),
    (answer) => {
      form.reset();
      notify(`Invitation sent to ${answer.invitation.email}`);
      if (answer.inviteUrl) showLink(answer.inviteUrl);
      else replace(linkBox);
      refresh();
    },
  );
  return form;
}

export async function render(main, ctx) {
  const members = h("div");
  const pending = h("div");
  linkBox = h("div");
  const refresh = () => {
    fill(members, () => membersList(ctx, refresh));
    fill(pending, () => invitationsList(ctx, refresh));
  };
  replace(
    main,
    heading("Team", "Everyone in the organization sees all of its projects; the role decides what they may change."),
    h("section", { class: "card", "aria-labelledby": "invite-title" }, h("h2", { id: "invite-title" }, "Invite a member"), inviteForm(ctx, refresh), linkBox),
    h("section", { "aria-labelledby": "members-title" }, h("h2", { id: "members-title" }, "Members"), members),
    h("section", { "aria-labelledby": "pending-title" }, h("h2", { id: "pending-title" }, "Pending invitations"), pending),
    h(
      "details",
      { class: "help" },
      h("summary", {}, "What each role may do"),
      h("ul", {},
        h("li", {}, h("strong", {}, "Owner"), ": everything, including deleting the organization and transferring ownership."),
        h("li", {}, h("strong", {}, "Admin"), ": everything else: projects, members and invitations."),
        h("li", {}, h("strong", {}, "Member"), ": work inside projects (tables, data, keys), but not create or delete projects."),
        h("li", {}, h("strong", {}, "Billing"), ": read-only access to the organization and its projects."),
      ),
    ),
  );
  refresh();
}
