// E-mail templates: sender settings, then per template (sign-up confirmation, password reset, magic link,
// verification, invitation) the subject and HTML body per locale, a preview, save and reset to the default.

import { del, get, patch, post, put } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { badge, fill, notify } from "../ui.js";

const DROP = ["script", "iframe", "object", "embed", "form", "meta", "link", "base", "style"];

/** The preview HTML with anything active removed, shown in a shadow root so its styles stay inside. */
function previewNode(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll(DROP.join(",")).forEach((n) => n.remove());
  for (const el of doc.body.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      if (attr.name.startsWith("on") || /^\s*javascript:/i.test(attr.value)) el.removeAttribute(attr.name);
    }
  }
  const host = h("div", { class: "mail-preview" });
  const root = host.attachShadow({ mode: "open" });
  root.append(...doc.body.childNodes);
  return host;
}

function settingsForm(ctx, s) {
  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "inline-form" },
      field({ name: "senderName", label: "Sender name", value: s.senderName || "" }),
      field({ name: "senderEmail", label: "Sender e-mail", kind: "email", value: s.senderEmail || "" }),
    ),
    h("div", { class: "inline-form" },
      field({ name: "logoUrl", label: "Logo URL", kind: "url", value: s.logoUrl || "" }),
      field({ name: "brandColor", label: "Brand colour", value: s.brandColor || "", placeholder: "#3346d3" }),
    ),
    field({ name: "overrideDefaults", label: "Use my customised templates", kind: "checkbox", value: s.overrideDefaults }),
    actions(submit("Save sender settings")),
  );
  const orNull = (text) => (text.trim() ? text.trim() : null);
  onSubmit(form, (v) => patch(`${ctx.envPath}/auth/email-settings`, { senderName: orNull(v.senderName), senderEmail: orNull(v.senderEmail), logoUrl: orNull(v.logoUrl), brandColor: orNull(v.brandColor), overrideDefaults: v.overrideDefaults }), () => notify("Sender settings saved"));
  return form;
}

async function editor(ctx, id, locale, reloadList, reopen) {
  const path = `${ctx.envPath}/auth/templates/${id}`;
  const t = await get(path, { locale });
  const preview = h("div", { class: "preview-box", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "stack", "aria-label": `Template ${t.name}` },
    h("h3", {}, t.name, " ", t.customized ? badge("customised", "blue") : badge("default")),
    field({ name: "locale", label: "Locale", value: locale, hint: "A language code: en, ko, en-US… Changing it loads that locale's version." }),
    field({ name: "subject", label: "Subject", value: t.subject, required: true }),
    field({ name: "body", label: "Body (HTML)", kind: "textarea", value: t.body, required: true, attrs: { class: "mono", rows: 10 } }),
    h("p", { class: "hint" }, "Variables: ", (t.variables || []).map((v) => h("code", {}, `{{${v}}} `))),
    actions(
      h("button", { type: "button", onclick: () => showPreview() }, "Preview saved version"),
      t.customized ? h("button", { type: "button", class: "danger", onclick: async () => {
        await del(`${path}?locale=${encodeURIComponent(form.elements.locale.value || "en")}`).then(() => (notify("Template reset to the default"), reloadList()), (e) => notify(e.message, "error"));
      } }, "Reset to default") : null,
      submit("Save template"),
    ),
    preview,
  );
  async function showPreview() {
    await fill(preview, async () => {
      const out = await post(`${path}/preview`, { locale: form.elements.locale.value || "en" });
      const draft = form.elements.subject.value !== t.subject || form.elements.body.value !== t.body;
      return [
        draft ? h("p", { class: "alert info" }, "This is the saved version, with sample data: save to preview your changes.") : null,
        h("p", {}, h("strong", {}, "Subject: "), out.subject),
        previewNode(out.htmlBody || out.html || ""),
      ];
    });
  }
  form.elements.locale.addEventListener("change", () => reopen(form.elements.locale.value.trim() || "en"));
  onSubmit(form, (v) => put(path, { subject: v.subject, body: v.body, locale: v.locale || "en" }), (saved) => {
    notify("Template saved");
    for (const name of saved.unknownVariables || []) notify(`Unknown variable {{${name}}} renders empty`, "error");
    reloadList();
  });
  return form;
}

export async function render(body, ctx, current) {
  const [settings, listed] = await Promise.all([get(`${ctx.envPath}/auth/email-settings`), get(`${ctx.envPath}/auth/templates`)]);
  const templates = listed.items || [];
  const editBox = h("div", { class: "card" });
  const open = (id, locale = "en") => fill(editBox, () => editor(ctx, id, locale, () => render(body, ctx, id), (next) => open(id, next)));
  replace(
    body,
    h("section", { class: "card" }, h("h2", {}, "Sender"), settingsForm(ctx, settings)),
    h("section", {}, h("h2", {}, "Templates"),
      h("ul", { class: "template-list" }, templates.map((t) => h("li", {}, h("button", { type: "button", class: "link", onclick: () => open(t.id) }, t.name), " ", h("span", { class: "muted" }, t.subject), " ", t.customized ? badge("customised", "blue") : null))),
    ),
    editBox,
  );
  open(current || (templates[0] ? templates[0].id : "signup_confirmation"));
}
