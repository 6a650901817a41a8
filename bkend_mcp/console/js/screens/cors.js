// CORS (spec §4.12): the browser origins allowed to call this project's API (at most `max`, full URLs, no `*`).

import { del, get, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { heading } from "../shell.js";
import { empty, notify } from "../ui.js";

export async function render(main, ctx) {
  const base = `${paths.project(ctx.project.id)}/cors`;
  const state = await get(base);
  const list = h("div");
  const show = ({ origins, max }) => {
    replace(
      list,
      origins.length
        ? h("ul", { class: "origins" }, origins.map((origin) => h("li", {}, h("code", {}, origin), h("button", {
            type: "button",
            class: "small danger",
            "aria-label": `Remove ${origin}`,
            onclick: async () => {
              try {
                show(await del(base, { origin }));
                notify(`${origin} removed`);
              } catch (error) {
                notify(error.message, "error");
              }
            },
          }, "Remove"))))
        : empty("No origins yet", "Add the address your web app is served from, e.g. http://localhost:5173."),
      h("p", { class: "muted" }, `${origins.length} of ${max} origins used.`),
    );
  };
  const form = h(
    "form",
    { class: "inline-form" },
    field({ name: "origin", label: "Origin", kind: "url", required: true, placeholder: "https://app.example.com", hint: "Scheme and host (and port), no path; * is not allowed." }),
    actions(submit("Add origin")),
  );
  onSubmit(form, (v) => post(base, { origin: v.origin.trim() }), (answer) => {
    form.reset();
    show(answer);
    notify("Origin added");
  });
  show(state);
  replace(
    main,
    heading("CORS", "Web pages on these origins may call this project's API from the browser; the list is shared by every environment."),
    h("section", { class: "card" }, form),
    list,
  );
}
