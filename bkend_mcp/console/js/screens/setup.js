// First-time owner setup from the one-time link the server prints (`/console/setup?token=…`): choose the owner's
// e-mail and password (POST /v1/console/setup), which also signs in.

import { get, post, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, localError, onSubmit, submit } from "../forms.js";
import { adopt } from "../session.js";
import { card } from "../shell.js";
import { errorPanel, loading } from "../ui.js";

export async function render(app, ctx) {
  const token = ctx.query.get("token") || "";
  replace(app, card("Set up the console", loading("Checking the link…")));
  let status;
  try {
    status = await get(paths.setup, { token });
  } catch (error) {
    replace(
      app,
      card(
        "This setup link cannot be used",
        errorPanel(error),
        h("p", {}, "Links are single use and valid for one hour. Print a fresh one on the server with ", h("code", {}, "bkend-mcp owner setup-link"), "."),
        h("p", {}, h("a", { href: "/console/signin" }, "Go to sign-in")),
      ),
    );
    return;
  }
  const form = h(
    "form",
    { class: "stack" },
    field({ name: "email", label: "Your e-mail", kind: "email", value: status.email || "", required: true, attrs: { autocomplete: "username" } }),
    field({ name: "name", label: "Your name", attrs: { autocomplete: "name" } }),
    field({ name: "password", label: "Password", kind: "password", required: true, hint: "8 to 128 characters; not a well-known password.", attrs: { autocomplete: "new-password" } }),
    field({ name: "repeat", label: "Repeat the password", kind: "password", required: true, attrs: { autocomplete: "new-password" } }),
    actions(submit("Save and sign in")),
  );
  onSubmit(
    form,
    (v) => {
      if (v.password !== v.repeat) throw localError("repeat", "The two passwords differ.");
      const body = { token, email: v.email.trim(), password: v.password };
      if (v.name.trim()) body.name = v.name.trim();
      return post(paths.setup, body);
    },
    (view) => {
      adopt(view);
      ctx.navigate("/console/", { replace: true });
    },
  );
  replace(app, card("Set up the console", h("p", { class: "intro" }, "You are the owner of this bkend server. Choose how you will sign in."), form));
  app.querySelector("input").focus();
}
