// The API docs tab: the table's OpenAPI document (GET …/tables/{table}/openapi) rendered as readable reference,
// with curl examples using the environment's publishable key.

import { get, paths } from "../api.js";
import { h, replace } from "../dom.js";
import { cell } from "../format.js";
import { badge, copyButton, snippet } from "../ui.js";

const METHODS = ["get", "post", "patch", "put", "delete"];

function resolve(doc, schema) {
  if (schema && schema.$ref) return { name: schema.$ref.split("/").pop(), ...resolve(doc, doc.components.schemas[schema.$ref.split("/").pop()]) };
  return schema || {};
}

function typeOf(doc, prop) {
  const p = resolve(doc, prop);
  if (p.type === "array") return `array of ${p.items ? typeOf(doc, p.items) : "any"}`;
  if (prop && prop.$ref) return prop.$ref.split("/").pop();
  return [p.type || "any", p.format].filter(Boolean).join(" · ");
}

const RULES = ["minLength", "maxLength", "minimum", "maximum", "pattern", "enum", "default", "description"];

function propertiesTable(doc, schema) {
  const s = resolve(doc, schema);
  const required = new Set(s.required || []);
  const props = Object.entries(s.properties || {});
  if (!props.length) return h("p", { class: "muted" }, "No properties.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "list compact" },
      h("thead", {}, h("tr", {}, ["Property", "Type", "Required", "Rules"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        props.map(([name, prop]) => {
          const p = resolve(doc, prop);
          const rules = RULES.filter((k) => p[k] !== undefined).map((k) => `${k}: ${cell(p[k])}`).join(", ");
          return h("tr", {}, h("td", { "data-label": "Property" }, h("code", {}, name)), h("td", { "data-label": "Type" }, typeOf(doc, prop)), h("td", { "data-label": "Required" }, required.has(name) ? "yes" : "—"), h("td", { "data-label": "Rules" }, rules || "—"));
        }),
      ),
    ),
  );
}

const SAMPLES = { string: "text", number: 1, integer: 1, boolean: true, object: {}, array: [] };

/** An example body: one value per property, by type (dates as the current time). */
function sample(doc, schema) {
  const s = resolve(doc, schema);
  const out = {};
  for (const [name, prop] of Object.entries(s.properties || {})) {
    const p = resolve(doc, prop);
    if (p.enum) out[name] = p.enum[0];
    else if (p.format === "date-time") out[name] = new Date().toISOString();
    else out[name] = SAMPLES[p.type] ?? null;
  }
  return out;
}

function curl(method, url, key, body) {
  const lines = [`curl -X ${method.toUpperCase()} '${url}'`, `  -H 'X-API-Key: ${key}'`];
  if (body) lines.push("  -H 'Content-Type: application/json'", `  -d '${JSON.stringify(body).replace(/'/g, "'\\''")}'`);
  return lines.join(" \\\n");
}

function operation(doc, path, method, op, key) {
  const base = (doc.servers && doc.servers[0] && doc.servers[0].url) || location.origin;
  const params = op.parameters || [];
  const bodySchema = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"].schema;
  const example = path.replace("{id}", "<row id>");
  return h(
    "article",
    { class: "card operation", id: op.operationId },
    h("h3", {}, badge(method.toUpperCase(), `method ${method}`), " ", h("code", {}, path), " ", h("span", { class: "muted" }, op.operationId)),
    op.summary ? h("p", {}, op.summary) : null,
    params.length
      ? [h("h4", {}, "Parameters"), h("ul", { class: "params" }, params.map((p) => h("li", {}, h("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""}) `, typeOf(doc, p.schema), p.schema && p.schema.description ? ` — ${p.schema.description}` : "")))]
      : null,
    bodySchema ? [h("h4", {}, "Request body"), propertiesTable(doc, bodySchema)] : null,
    h("h4", {}, "Responses"),
    h("ul", { class: "params" }, Object.entries(op.responses || {}).map(([status, r]) => {
      const schema = r.content && r.content["application/json"] && r.content["application/json"].schema;
      return h("li", {}, h("code", {}, status), ` ${r.description || ""}`, schema && schema.$ref ? ` → ${schema.$ref.split("/").pop()}` : "");
    })),
    h("h4", {}, "Example"),
    snippet(curl(method, `${base}${example}`, key, bodySchema ? sample(doc, bodySchema) : null), `${method} ${path} with curl`),
  );
}

async function keyFor(ctx) {
  try {
    const keys = (await get(`${paths.env(ctx.project.id, ctx.env.environment)}/api-keys`)).items || [];
    const found = keys.find((k) => k.type === "publishable" && !k.revokedAt && k.key);
    return found ? found.key : "pk_…";
  } catch {
    return "pk_…";
  }
}

export async function render(body, ctx) {
  const [doc, key] = await Promise.all([get(`${ctx.tablePath}/openapi`), keyFor(ctx)]);
  const name = ctx.table.tableName;
  const pascal = Object.keys(doc.components.schemas).find((n) => n.toLowerCase() === name.replace(/[_-]/g, "").toLowerCase()) || Object.keys(doc.components.schemas)[0];
  const operations = Object.entries(doc.paths || {}).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => operation(doc, path, m, item[m], key)));
  replace(
    body,
    h(
      "section",
      { class: "card" },
      h("h2", {}, doc.info.title),
      h("p", {}, doc.info.description || ""),
      h("p", {}, "Send the key in the ", h("code", {}, "X-API-Key"), " header: a publishable key (", h("code", {}, "pk_"), ") in apps, where the Permissions tab applies, or a secret key (", h("code", {}, "sk_"), ") on servers. Signed-in app users add ", h("code", {}, "Authorization: Bearer <access token>"), "."),
      h("nav", { "aria-label": "Operations", class: "quick-links" }, operations.map((o) => h("a", { href: `#${o.id}` }, `${o.querySelector(".badge").textContent} ${o.querySelector("code").textContent}`))),
      h("h3", {}, "Row object"),
      propertiesTable(doc, { $ref: `#/components/schemas/${pascal}` }),
    ),
    operations,
    h("details", { class: "card" }, h("summary", {}, "OpenAPI document (JSON)"), h("div", { class: "actions left" }, copyButton(JSON.stringify(doc, null, 2), "Copy JSON")), h("pre", { class: "json" }, JSON.stringify(doc, null, 2))),
  );
}
