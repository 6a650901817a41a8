// Create an organization: name and slug (from the name, editable); the creator becomes its owner (spec §4.3).

import { paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { slugify } from "../format.js";
import { reload, session } from "../session.js";
import { heading } from "../shell.js";
import { notify } from "../ui.js";

export function slugFollowsName(form, nameField = "name", slugField = "slug") {
  const name = form.querySelector(`[name=${nameField}]`);
  const slug = form.querySelector(`[name=${slugField}]`);
  let edited = false;
  slug.addEventListener("input", () => (edited = slug.value !== ""));
  name.addEventListener("input", () => {
    if (!edited) slug.value = slugify(name.value);
  });
}

export async function render(main, ctx) {
  const first = !(session().organizations || []).length;
  const form = h(
    "form",
    { class: "stack narrow" },
    field({ name: "name", label: "Organization name", required: true }),
    field({ name: "slug", label: "Organization slug", hint: "Lowercase letters, digits and dashes; used in URLs." }),
    field({ name: "description", label: "Description", kind: "textarea", attrs: { rows: 2 } }),
    actions(submit("Create organization")),
  );
  slugFollowsName(form);
  onSubmit(
    form,
    (v) => post(paths.organizations, { name: v.name.trim(), slug: v.slug.trim() || undefined, description: v.description || undefined }),
    async (org) => {
      await reload();
      notify(`Organization ${org.name} created`);
      ctx.navigate(`/console/orgs/${encodeURIComponent(org.slug || org.id)}`);
    },
  );
  replace(
    main,
    heading("New organization", first ? "You are not a member of any organization yet. Create one to start." : "You will be its owner."),
    h("section", { class: "card" }, form),
  );
}
