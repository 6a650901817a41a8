// The tenant's own account: display name and password (every other session ends when it changes).

import { patch, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, localError, onSubmit, submit } from "../forms.js";
import { reload, session } from "../session.js";
import { heading } from "../shell.js";
import { notify } from "../ui.js";

export async function render(main) {
  const tenant = session().tenant;
  const nameForm = h(
    "form",
    { class: "stack narrow" },
    field({ name: "email", label: "E-mail", value: tenant.email, attrs: { readonly: true } }),
    field({ name: "name", label: "Display name", value: tenant.name || "", required: true }),
    actions(submit("Save")),
  );
  onSubmit(nameForm, (v) => patch("/v1/console/account", { name: v.name.trim() }), async () => {
    await reload();
    notify("Name saved");
  });
  const passwordForm = h(
    "form",
    { class: "stack narrow" },
    field({ name: "currentPassword", label: "Current password", kind: "password", required: true, attrs: { autocomplete: "current-password" } }),
    field({ name: "newPassword", label: "New password", kind: "password", required: true, hint: "8 to 128 characters. Your other sessions will be signed out.", attrs: { autocomplete: "new-password" } }),
    field({ name: "repeat", label: "Repeat the new password", kind: "password", required: true, attrs: { autocomplete: "new-password" } }),
    actions(submit("Change password")),
  );
  onSubmit(
    passwordForm,
    (v) => {
      if (v.newPassword !== v.repeat) throw localError("repeat", "The two passwords differ.");
      return post("/v1/console/account/password", { currentPassword: v.currentPassword, newPassword: v.newPassword });
    },
    () => {
      passwordForm.reset();
      notify("Password changed; your other sessions were signed out");
    },
  );
  replace(
    main,
    heading("Your account"),
    h("section", { class: "card" }, h("h2", {}, "Profile"), nameForm),
    h("section", { class: "card" }, h("h2", {}, "Password"), passwordForm),
  );
}
