// Sign-in (POST /v1/console/session). `?next=` sends the tenant back where they came from, e.g. the MCP consent
// page; only same-origin paths are followed.

import { post, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { adopt, load } from "../session.js";
import { card } from "../shell.js";

export function safeNext(value) {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/console/";
}

export function goNext(ctx, next) {
  if (next.startsWith("/console/")) ctx.navigate(next, { replace: true });
  else location.assign(next);
}

export async function render(app, ctx) {
  const next = safeNext(ctx.query.get("next"));
  if (await load().catch(() => null)) return goNext(ctx, next);
  const form = h(
    "form",
    { class: "stack" },
    field({ name: "email", label: "E-mail", kind: "email", required: true, attrs: { autocomplete: "username" } }),
    field({ name: "password", label: "Password", kind: "password", required: true, attrs: { autocomplete: "current-password" } }),
    actions(submit("Sign in")),
  );
  onSubmit(
    form,
    (v) => post(paths.session, { email: v.email.trim(), password: v.password }),
    (view) => {
      adopt(view);
      goNext(ctx, next);
    },
  );
  replace(
    app,
    card(
      "Sign in",
      next !== "/console/" ? h("p", { class: "intro" }, "Sign in to continue.") : null,
      form,
      h(
        "details",
        { class: "help" },
        h("summary", {}, "First time here, or forgot the password?"),
        h("p", {}, "On the server, run ", h("code", {}, "bkend-mcp owner setup-link"), " to print a one-time link to choose the owner's e-mail and password, or ", h("code", {}, "bkend-mcp owner set-password --email you@example.com"), "."),
        h("p", {}, "Invited to an organization? Open the link from your invitation e-mail."),
      ),
    ),
  );
  app.querySelector("input").focus();
}
