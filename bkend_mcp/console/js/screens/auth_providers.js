// Sign-in providers: e-mail (password policy, magic link, verification) and Google / GitHub (client id, the
// write-only secret, redirect URI to copy, scopes, on/off, delete).

import { del, get, patch, put } from "../api.js";
import { h, replace } from "../dom.js";
import { actions, field, onSubmit, submit } from "../forms.js";
import { badge, confirmAction, copyButton, notify } from "../ui.js";

const POLICY_FLAGS = [["requireUppercase", "Require an uppercase letter"], ["requireLowercase", "Require a lowercase letter"], ["requireNumbers", "Require a digit"], ["requireSpecialChars", "Require a special character"]];

function emailForm(ctx, email, done) {
  const p = email.passwordPolicy || {};
  const form = h(
    "form",
    { class: "stack" },
    h("fieldset", {}, h("legend", {}, "Password policy"),
      h("div", { class: "inline-form" },
        field({ name: "minLength", label: "Minimum length", kind: "number", value: p.minLength, attrs: { min: 6 } }),
        field({ name: "expirationDays", label: "Expires after (days)", kind: "number", value: p.expirationDays ?? "", hint: "Empty: never." }),
      ),
      h("div", { class: "checks" }, POLICY_FLAGS.map(([name, label]) => field({ name, label, kind: "checkbox", value: p[name] }))),
    ),
    h("fieldset", {}, h("legend", {}, "Magic link and verification"),
      h("div", { class: "checks" },
        field({ name: "magicLinkEnabled", label: "Allow sign-in by magic link", kind: "checkbox", value: email.magicLinkEnabled }),
        field({ name: "requireEmailVerification", label: "Require a verified e-mail to sign in", kind: "checkbox", value: email.requireEmailVerification }),
      ),
      field({ name: "magicLinkExpirationMinutes", label: "Magic link valid for (minutes)", kind: "number", value: email.magicLinkExpirationMinutes }),
    ),
    actions(submit("Save e-mail settings")),
  );
  onSubmit(form, (v) => patch(`${ctx.envPath}/auth/settings`, {
    passwordPolicy: {
      minLength: Number(v.minLength),
      expirationDays: v.expirationDays === "" ? null : Number(v.expirationDays),
      ...Object.fromEntries(POLICY_FLAGS.map(([name]) => [name, v[name]])),
    },
    magicLinkEnabled: v.magicLinkEnabled,
    requireEmailVerification: v.requireEmailVerification,
    magicLinkExpirationMinutes: Number(v.magicLinkExpirationMinutes),
  }), () => (notify("E-mail sign-in saved"), done()));
  return form;
}

function providerForm(ctx, provider, done) {
  const name = provider.provider;
  const form = h(
    "form",
    { class: "stack" },
    field({ name: "clientId", label: "Client ID", value: provider.clientId || "", required: true }),
    field({ name: "clientSecret", label: "Client secret", kind: "password", placeholder: provider.clientSecretSet ? "•••••• (set; leave empty to keep)" : "", hint: "Write-only: stored encrypted and never shown again.", attrs: { autocomplete: "off" } }),
    h("div", { class: "field" }, h("label", {}, "Redirect URI (paste it in the provider's console)"), h("div", { class: "snippet" }, h("input", { class: "mono", readonly: true, value: provider.redirectUri || "", "aria-label": `${name} redirect URI` }), copyButton(provider.redirectUri || ""))),
    field({ name: "scopes", label: "Scopes", value: (provider.scopes || []).join(" "), hint: "Separated by spaces." }),
    field({ name: "enabled", label: "Enabled", kind: "checkbox", value: provider.enabled }),
    actions(
      provider.clientId ? h("button", { type: "button", class: "danger", onclick: async () => {
        if (!(await confirmAction({ title: `Delete ${name} sign-in`, message: "Users who signed in with it can no longer do so until you configure it again.", typed: name }))) return;
        await del(`${ctx.envPath}/auth/providers/${name}`).then(() => (notify(`${name} removed`), done()), (e) => notify(e.message, "error"));
      } }, "Delete…") : null,
      submit(`Save ${name}`),
    ),
  );
  onSubmit(form, (v) => put(`${ctx.envPath}/auth/providers/${name}`, {
    clientId: v.clientId.trim(),
    ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
    redirectUri: provider.redirectUri,
    scopes: v.scopes.split(/[\s,]+/).filter(Boolean),
    enabled: v.enabled,
  }), () => (notify(`${name} saved`), done()));
  return form;
}

export async function render(body, ctx) {
  const config = await get(`${ctx.envPath}/auth/config`);
  const done = () => render(body, ctx);
  const providers = Object.values(config.oauth || {});
  replace(
    body,
    h("section", { class: "card" }, h("h2", {}, "E-mail and password"), emailForm(ctx, config.email, done)),
    providers.map((p) =>
      h("section", { class: "card" }, h("h2", {}, p.provider === "github" ? "GitHub" : p.provider === "google" ? "Google" : p.provider, " ", p.enabled ? badge("enabled", "green") : badge("off")), providerForm(ctx, p, done)),
    ),
  );
}
