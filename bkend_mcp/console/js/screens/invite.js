// Accepting an invitation (`/console/invite?token=…`): who invited you to which organization, then a password —
// a new one for a new account, the current one for an existing account — and you are in.

import { get, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { adopt } from "../session.js";
import { card } from "../shell.js";
import { errorPanel, loading } from "../ui.js";

export async function render(app, ctx) {
  const token = ctx.query.get("token") || "";
  replace(app, card("Join an organization", loading("Checking the invitation…")));
  let invite;
  try {
    invite = await get("/v1/console/invitations/lookup", { token });
  } catch (error) {
    replace(app, card("This invitation cannot be used", errorPanel(error), h("p", {}, "Ask the person who invited you to resend it."), h("p", {}, h("a", { href: "/console/signin" }, "Go to sign-in"))));
    return;
  }
  const existing = invite.accountExists;
  const form = h(
    "form",
    { class: "stack" },
    field({ name: "email", label: "E-mail", kind: "email", value: invite.email, attrs: { readonly: true, autocomplete: "username" } }),
    existing ? null : field({ name: "name", label: "Your name", value: invite.name || "", attrs: { autocomplete: "name" } }),
    field({
      name: "password",
      label: existing ? "Your current password" : "Choose a password",
      kind: "password",
      required: true,
      hint: existing ? null : "8 to 128 characters; not a well-known password.",
      attrs: { autocomplete: existing ? "current-password" : "new-password" },
    }),
    actions(submit(`Join ${invite.organization.name}`)),
  );
  onSubmit(
    form,
    (v) => post("/v1/console/invitations/accept", { token, password: v.password, ...(v.name ? { name: v.name.trim() } : {}) }),
    (view) => {
      adopt(view);
      ctx.navigate(`/console/orgs/${encodeURIComponent(invite.organization.slug || invite.organization.id)}`, { replace: true });
    },
  );
  const inviter = invite.invitedBy ? invite.invitedBy.name || invite.invitedBy.email : "Someone";
  replace(
    app,
    card(
      `Join ${invite.organization.name}`,
      h("p", { class: "intro" }, `${inviter} invited you as ${invite.role}.`),
      form,
    ),
  );
  app.querySelector("input:not([readonly])").focus();
}
