// Labelled form fields and the API's field errors shown next to the field they name (`error.details[].field`).

import { h, replace, uid } from "./dom.js";

/**
 * One labelled control in a `.field` wrapper carrying `data-field` = the API's field name.
 * kind: text (default), email, password, number, textarea, select, checkbox, url.
 */
export function field({ name, label, kind = "text", value, hint, options, required, placeholder, attrs = {} }) {
  const id = uid(`f-${name}`.replace(/[^a-zA-Z0-9-]/g, "_"));
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ");
  const common = { id, name, "aria-describedby": describedBy, required, placeholder, ...attrs };
  let control;
  if (kind === "textarea") {
    control = h("textarea", { rows: 4, spellcheck: "false", ...common }, value ?? "");
  } else if (kind === "select") {
    control = h(
      "select",
      common,
      (options || []).map((option) => {
        const [optionValue, text] = Array.isArray(option) ? option : [option, option];
        return h("option", { value: optionValue, selected: String(optionValue) === String(value ?? "") }, text);
      }),
    );
  } else if (kind === "checkbox") {
    control = h("input", { type: "checkbox", checked: Boolean(value), ...common });
  } else {
    control = h("input", { type: kind, value: value ?? "", ...common });
  }
  const labelNode = h("label", { for: id }, label);
  const star = required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null;
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const hintNode = hint ? h("p", { class: "hint", id: hintId }, hint) : null;
  if (kind === "checkbox") {
    return h("div", { class: "field check", "data-field": name }, control, labelNode, hintNode, error);
  }
  const top = star ? h("div", { class: "label-row" }, labelNode, star) : labelNode;
  return h("div", { class: "field", "data-field": name }, top, control, hintNode, error);
}

/** The form's values by control name (checkboxes as booleans). */
export function values(form) {
  const out = {};
  for (const control of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    out[control.name] = control.type === "checkbox" ? control.checked : control.value;
  }
  return out;
}

export function formError(form) {
  let box = form.querySelector(":scope > .form-error");
  if (!box) {
    box = h("div", { class: "form-error", role: "alert", hidden: true });
    form.prepend(box);
  }
  return box;
}

export function clearErrors(form) {
  for (const wrapper of form.querySelectorAll(".field.invalid")) {
    wrapper.classList.remove("invalid");
    const error = wrapper.querySelector(".field-error");
    error.hidden = true;
    error.textContent = "";
    for (const control of wrapper.querySelectorAll("input, select, textarea")) control.removeAttribute("aria-invalid");
  }
  const box = formError(form);
  box.hidden = true;
  replace(box);
}

/** The `.field` of `form` the API's field name points at: exact, then its last or first path segment. */
function wrapperFor(form, name) {
  if (!name) return null;
  const candidates = [name, name.split(".").pop(), name.split(/[.[]/)[0]];
  for (const candidate of candidates) {
    const found = form.querySelector(`.field[data-field="${CSS.escape(candidate)}"]`);
    if (found) return found;
  }
  return null;
}

export function fieldError(form, name, message) {
  const wrapper = wrapperFor(form, name);
  if (!wrapper) return false;
  wrapper.classList.add("invalid");
  const error = wrapper.querySelector(".field-error");
  error.textContent = error.textContent ? `${error.textContent} ${message}` : message;
  error.hidden = false;
  for (const control of wrapper.querySelectorAll("input, select, textarea")) control.setAttribute("aria-invalid", "true");
  return true;
}

/** Show an ApiError on `form`: each detail on its field, the rest (and the summary) at the top; focus the first. */
export function showErrors(form, error) {
  clearErrors(form);
  const unplaced = (error.details || []).filter((detail) => !fieldError(form, detail.field, detail.message || detail.reason));
  const box = formError(form);
  const placed = (error.details || []).length - unplaced.length;
  replace(
    box,
    h("strong", {}, placed ? "Please fix the highlighted fields." : error.message),
    unplaced.length ? h("ul", {}, unplaced.map((d) => h("li", {}, d.field ? `${d.field}: ${d.message}` : d.message))) : null,
  );
  box.hidden = false;
  const first = form.querySelector(".field.invalid input, .field.invalid select, .field.invalid textarea");
  (first || box).focus?.();
  if (!first) box.setAttribute("tabindex", "-1");
}

/**
 * Wire a form: on submit, clear errors, disable the submit button, run `action(values)`, then `done(result)`;
 * an ApiError (or a thrown {details}) is shown on the fields.
 */
export function onSubmit(form, action, done) {
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const result = await action(values(form));
      if (done) await done(result);
    } catch (error) {
      showErrors(form, error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return form;
}

/** An error raised in the browser before calling the API, shaped like the API's. */
export function localError(field, message) {
  const error = new Error(message);
  error.details = [{ field, reason: "invalid", message }];
  return error;
}

export function actions(...buttons) {
  return h("div", { class: "actions" }, buttons);
}

export function submit(text, kind = "primary") {
  return h("button", { type: "submit", class: kind }, text);
}
