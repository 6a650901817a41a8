// File storage of the environment (spec §4.15): browse with filters, preview images, upload, change visibility,
// copy the public URL, delete.

import { del, get, patch, paths, post } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, listTable, pager, when } from "../format.js";
import { heading } from "../shell.js";
import { confirmAction, copyButton, empty, fill, notify, openDialog } from "../ui.js";

const VISIBILITIES = ["public", "private", "protected", "shared"];
const CATEGORIES = ["images", "documents", "media", "attachments", "exports", "backups", "temp"];
const MAX_UPLOAD = 8 * 1024 * 1024;

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function name(f) {
  return f.originalName || f.filename || f.key || f.id;
}

async function preview(base, file) {
  const full = await get(`${base}/${file.id}`);
  const url = full.publicUrl || full.downloadUrl;
  await openDialog(name(file), () => {
    const isImage = String(file.mimeType || file.contentType || "").startsWith("image/");
    return h("div", { class: "stack" },
      isImage ? h("img", { src: url, alt: `Preview of ${name(file)}`, class: "file-preview" }) : h("p", {}, "No preview for this type."),
      h("p", {}, h("a", { href: url, target: "_blank", rel: "noopener" }, "Download"), full.publicUrl ? [" · ", copyButton(full.publicUrl, "Copy public URL")] : null),
    );
  }, { wide: true });
}

export async function render(main, ctx) {
  const base = `${paths.env(ctx.project.id, ctx.env.environment)}/files`;
  const state = { page: 1, visibility: "", category: "", search: "" };
  const results = h("div");
  const visibilityControl = (f) => {
    const select = h("select", { "aria-label": `Visibility of ${name(f)}` }, VISIBILITIES.map((v) => h("option", { value: v, selected: v === f.visibility }, v)));
    select.addEventListener("change", async () => {
      try {
        await patch(`${base}/${f.id}`, { visibility: select.value });
        notify(`${name(f)} is now ${select.value}`);
      } catch (error) {
        select.value = f.visibility;
        notify(error.message, "error");
      }
    });
    return select;
  };
  const remove = async (f) => {
    if (!(await confirmAction({ title: "Delete file", message: `${name(f)} is deleted for good.`, action: "Delete file" }))) return;
    await del(`${base}/${f.id}`, { confirm: true }).then(() => (notify("File deleted"), refresh()), (e) => notify(e.message, "error"));
  };
  const refresh = () => fill(results, async () => {
    const answer = await get(base, { page: state.page, limit: 20, visibility: state.visibility, category: state.category, search: state.search });
    const items = answer.items || [];
    if (!items.length) return empty("No files", "Upload one here, or let your app upload through the files API.");
    return [
      listTable("Files", [
        { label: "Name", render: (f) => h("button", { type: "button", class: "link", onclick: () => preview(base, f).catch((e) => notify(e.message, "error")) }, name(f)) },
        { label: "Size", render: (f) => bytes(f.size) },
        { label: "Type", render: (f) => f.mimeType || f.contentType || "—" },
        { label: "Category", render: (f) => f.category || "—" },
        { label: "Visibility", render: visibilityControl },
        { label: "Created", render: (f) => when(f.createdAt) },
        { label: "Actions", render: (f) => h("button", { type: "button", class: "small danger", onclick: () => remove(f) }, "Delete") },
      ], items, { rowLabel: name }),
      pager(answer.pagination, (p) => ((state.page = p), refresh())),
    ];
  });
  const input = h("input", { id: "upload", type: "file" });
  const uploadVisibility = h("select", { id: "upload-visibility" }, VISIBILITIES.map((v) => h("option", { value: v, selected: v === "private" }, v)));
  const upload = h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return notify("Choose a file first", "error");
    if (file.size > MAX_UPLOAD) return notify("Files over 8 MB: upload them from your app with the files API", "error");
    try {
      await post(base, { filename: file.name, contentType: file.type || "application/octet-stream", visibility: uploadVisibility.value, contentBase64: await base64(file) });
      notify(`${file.name} uploaded`);
      upload.reset();
      refresh();
    } catch (error) {
      notify(error.message, "error");
    }
  } },
    h("label", { for: "upload" }, "File to upload"), input,
    h("label", { for: "upload-visibility" }, "Visibility"), uploadVisibility,
    h("button", { type: "submit", class: "primary" }, "Upload file"),
  );
  const filterSelect = (id, label, key, options) => {
    const select = h("select", { id, onchange: () => ((state[key] = select.value), (state.page = 1), refresh()) }, h("option", { value: "" }, `Any ${label}`), options.map((o) => h("option", { value: o }, o)));
    return [h("label", { for: id, class: "visually-hidden" }, label), select];
  };
  const search = h("input", { id: "file-search", type: "search", placeholder: "File name" });
  replace(
    main,
    heading("File storage", `Files of the ${ctx.env.environment} environment.`),
    h("section", { class: "card" }, upload),
    h("form", { class: "toolbar", role: "search", onsubmit: (e) => (e.preventDefault(), (state.search = search.value.trim()), (state.page = 1), refresh()) },
      h("label", { for: "file-search", class: "visually-hidden" }, "Search files"), search, h("button", { type: "submit" }, "Search"),
      filterSelect("file-visibility", "visibility", "visibility", VISIBILITIES),
      filterSelect("file-category", "category", "category", CATEGORIES),
    ),
    results,
  );
  refresh();
}
