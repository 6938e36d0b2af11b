import type { Hono, Env as HonoEnv } from "hono";
import type { Schema } from "hono/types";

// API reference pages rendered on the server from the Worker's own OpenAPI document: plain HTML and one
// inline stylesheet (allowed by its hash), no script and nothing from any other origin, so it works offline
// and its CSP names no foreign origin. Both edge Workers mount it with registerDocsPage.

// ---- the parts of OpenAPI 3.x this page reads (everything optional: the document is read defensively) ----

type Ref = { $ref?: string };
export type SchemaObject = Ref & {
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: boolean | SchemaObject;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  allOf?: SchemaObject[];
  nullable?: boolean;
  deprecated?: boolean;
  readOnly?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};
type ParameterObject = Ref & {
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
  deprecated?: boolean;
  schema?: SchemaObject;
  example?: unknown;
};
type MediaTypeObject = { schema?: SchemaObject; example?: unknown };
type RequestBodyObject = Ref & { description?: string; required?: boolean; content?: Record<string, MediaTypeObject> };
type HeaderObject = Ref & { description?: string; schema?: SchemaObject };
type ResponseObject = Ref & {
  description?: string;
  content?: Record<string, MediaTypeObject>;
  headers?: Record<string, HeaderObject>;
};
type SecurityRequirement = Record<string, string[]>;
type OperationObject = {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses?: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
};
const METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"] as const;
type Method = (typeof METHODS)[number];
type PathItem = Partial<Record<Method, OperationObject>> & { summary?: string; parameters?: ParameterObject[] };
type SecuritySchemeObject = Ref & {
  type?: string;
  description?: string;
  scheme?: string;
  bearerFormat?: string;
  name?: string;
  in?: string;
};
export type OpenApiDocument = {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  servers?: { url?: string; description?: string }[];
  tags?: { name?: string; description?: string }[];
  paths?: Record<string, PathItem>;
  components?: {
    schemas?: Record<string, SchemaObject>;
    parameters?: Record<string, ParameterObject>;
    requestBodies?: Record<string, RequestBodyObject>;
    responses?: Record<string, ResponseObject>;
    securitySchemes?: Record<string, SecuritySchemeObject>;
  };
  security?: SecurityRequirement[];
};

// ---- a tiny escaping template: interpolated strings are escaped, Html values are inserted as they are ----

class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

function partToString(part: Part): string {
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(partToString).join("");
  if (part === null || part === undefined || part === false || part === true) return "";
  return escapeHtml(String(part));
}

function h(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += partToString(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

/** Prose from the document: escaped, with `code` spans and blank-line paragraphs (the only markdown it uses). */
function prose(text: string | undefined): Html {
  if (!text) return new Html("");
  const paragraphs = text.trim().split(/\n\s*\n/);
  return new Html(
    paragraphs
      .map(
        (p) =>
          `<p>${escapeHtml(p)
            .replace(/`([^`]+)`/g, "<code>$1</code>")
            .replace(/\n/g, "<br>")}</p>`,
      )
      .join(""),
  );
}

// ---- reading the document ----

function pointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Follows $ref chains (a few hops at most); an unresolvable reference becomes an empty object. */
function deref<T extends Ref>(doc: OpenApiDocument, value: T | undefined): T {
  let current: T = value ?? ({} as T);
  for (let hops = 0; hops < 8 && typeof current.$ref === "string"; hops++) {
    const target = pointer(doc, current.$ref);
    if (target === null || typeof target !== "object") return {} as T;
    current = target as T;
  }
  return current;
}

const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1);
const schemaRef = (ref: string | undefined): string | undefined => (ref?.startsWith("#/components/schemas/") ? refName(ref) : undefined);
const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
const operationAnchor = (method: string, path: string): string => `op-${method}-${slug(path)}`;
const schemaAnchor = (name: string): string => `schema-${slug(name)}`;

function typesOf(schema: SchemaObject): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === "string") return schema.nullable ? [schema.type, "null"] : [schema.type];
  if (schema.properties) return ["object"];
  return [];
}

/** "string (date-time)", "CartLine[]", "string | null", with component names linked to the Schemas section. */
function typeLabel(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): Html {
  if (!schema || depth > 4) return h`any`;
  const named = schemaRef(schema.$ref);
  if (named) return h`<a class="ref" href="#${schemaAnchor(named)}">${named}</a>`;
  if (schema.$ref) return typeLabel(doc, deref(doc, schema), depth + 1);
  const union = schema.anyOf ?? schema.oneOf;
  if (union && union.length > 0)
    return join(
      union.map((s) => typeLabel(doc, s, depth + 1)),
      " | ",
    );
  if (schema.allOf && schema.allOf.length > 0)
    return join(
      schema.allOf.map((s) => typeLabel(doc, s, depth + 1)),
      " & ",
    );
  const types = typesOf(schema);
  if (types.length === 0) return schema.const !== undefined ? h`${JSON.stringify(schema.const)}` : h`any`;
  return join(
    types.map((t) => {
      if (t === "array") {
        const item = typeLabel(doc, schema.items, depth + 1);
        return schema.items?.anyOf || schema.items?.oneOf ? h`(${item})[]` : h`${item}[]`;
      }
      return schema.format && t !== "null" ? h`${t}<span class="fmt">&lt;${schema.format}&gt;</span>` : h`${t}`;
    }),
    " | ",
  );
}

function join(parts: Html[], separator: string): Html {
  return new Html(parts.map((p) => p.value).join(escapeHtml(separator)));
}

/** enum, bounds, pattern, default: the rules a client has to respect, as small chips. */
function constraints(schema: SchemaObject): Html {
  const chips: string[] = [];
  const enumValues = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (enumValues) chips.push(`one of: ${enumValues.map((v) => JSON.stringify(v)).join(", ")}`);
  const min = schema.minimum ?? (typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined);
  const max = schema.maximum ?? (typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : undefined);
  if (min !== undefined && max !== undefined) chips.push(`${min} … ${max}`);
  else if (min !== undefined) chips.push(`≥ ${min}`);
  else if (max !== undefined) chips.push(`≤ ${max}`);
  if (schema.minLength !== undefined && schema.maxLength !== undefined) chips.push(`${schema.minLength}–${schema.maxLength} chars`);
  else if (schema.maxLength !== undefined) chips.push(`≤ ${schema.maxLength} chars`);
  else if (schema.minLength !== undefined) chips.push(`≥ ${schema.minLength} chars`);
  if (schema.minItems !== undefined) chips.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) chips.push(`≤ ${schema.maxItems} items`);
  if (schema.pattern) chips.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) chips.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.readOnly) chips.push("read-only");
  return new Html(chips.map((c) => `<span class="chip">${escapeHtml(c)}</span>`).join(""));
}

/** The object schema a field list shows: $ref, nullable, allOf and arrays looked through. */
function objectShape(
  doc: OpenApiDocument,
  schema: SchemaObject | undefined,
  seen: ReadonlySet<string>,
): { properties: Record<string, SchemaObject>; required: Set<string>; extra?: SchemaObject; seen: Set<string> } | undefined {
  if (!schema) return undefined;
  const named = schemaRef(schema.$ref);
  if (named && seen.has(named)) return undefined; // a recursive schema: the link to it is enough
  const nextSeen = new Set(seen);
  if (named) nextSeen.add(named);
  const s = deref(doc, schema);
  if (s.allOf && s.allOf.length > 0) {
    const merged = { properties: {} as Record<string, SchemaObject>, required: new Set<string>(), seen: nextSeen };
    for (const part of [...s.allOf, { properties: s.properties, required: s.required }]) {
      const shape = objectShape(doc, part, nextSeen);
      if (!shape) continue;
      Object.assign(merged.properties, shape.properties);
      for (const r of shape.required) merged.required.add(r);
    }
    return Object.keys(merged.properties).length > 0 ? merged : undefined;
  }
  if (s.properties || (typeof s.additionalProperties === "object" && typesOf(s).includes("object"))) {
    // additionalProperties: {} (anything) adds nothing worth a row.
    const extra =
      typeof s.additionalProperties === "object" && Object.keys(s.additionalProperties).length > 0 ? s.additionalProperties : undefined;
    if (!s.properties && !extra) return undefined;
    return { properties: s.properties ?? {}, required: new Set(s.required ?? []), seen: nextSeen, ...(extra ? { extra } : {}) };
  }
  return undefined;
}

/** An array's item schema, when the schema (after $ref) is an array. */
function arrayItems(doc: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject | undefined {
  if (!schema) return undefined;
  const s = deref(doc, schema);
  return typesOf(s).includes("array") ? s.items : undefined;
}

const MAX_DEPTH = 4;

/** Field list of an object schema, nested objects (and arrays of objects) expanded below their field. */
function fieldList(doc: OpenApiDocument, schema: SchemaObject | undefined, seen: ReadonlySet<string> = new Set(), depth = 0): Html {
  const shape = objectShape(doc, schema, seen);
  if (!shape || depth > MAX_DEPTH) return h``;
  const rows = Object.entries(shape.properties).map(([name, prop]) => {
    const resolved = deref(doc, prop);
    const description = prop.description ?? resolved.description;
    const nested = fieldList(doc, arrayItems(doc, prop) ?? prop, shape.seen, depth + 1);
    return h`<li class="field">
      <div class="field-head"><code class="name">${name}</code><span class="type">${typeLabel(doc, prop)}</span>${
        shape.required.has(name) ? h`<span class="req">required</span>` : ""
      }${resolved.deprecated ? h`<span class="dep">deprecated</span>` : ""}</div>
      ${description ? h`<div class="desc">${prose(description)}</div>` : ""}
      ${constraints(resolved).value ? h`<div class="chips">${constraints(resolved)}</div>` : ""}
      ${nested}
    </li>`;
  });
  if (shape.extra) {
    const extra = deref(doc, shape.extra);
    rows.push(h`<li class="field">
      <div class="field-head"><code class="name">[key: string]</code><span class="type">${typeLabel(doc, shape.extra)}</span></div>
      <div class="desc">${extra.description ? prose(extra.description) : h`<p>Any further members.</p>`}</div>
    </li>`);
  }
  return h`<ul class="fields${depth > 0 ? " nested" : ""}">${rows}</ul>`;
}

/** A schema as a block: its type line (linked), its description, and its fields. */
function schemaBlock(doc: OpenApiDocument, schema: SchemaObject | undefined): Html {
  if (!schema) return h``;
  const resolved = deref(doc, schema);
  const items = arrayItems(doc, schema);
  const fields = fieldList(doc, items ?? schema);
  return h`<div class="schema">
    <div class="schema-type">${typeLabel(doc, schema)}</div>
    ${!schemaRef(schema.$ref) && resolved.description ? h`<div class="desc">${prose(resolved.description)}</div>` : ""}
    ${!fields.value && constraints(resolved).value ? h`<div class="chips">${constraints(resolved)}</div>` : ""}
    ${fields}
  </div>`;
}

// ---- examples, made up from the schemas ----

function exampleOf(doc: OpenApiDocument, schema: SchemaObject | undefined, seen: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (!schema || depth > 8) return null;
  const named = schemaRef(schema.$ref);
  if (named && seen.has(named)) return typesOf(deref(doc, schema)).includes("array") ? [] : null;
  const nextSeen = named ? new Set([...seen, named]) : seen;
  const s = deref(doc, schema);
  if (s.example !== undefined) return s.example;
  if (s.examples && s.examples.length > 0) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.allOf && s.allOf.length > 0) {
    const merged: Record<string, unknown> = {};
    for (const part of s.allOf) {
      const value = exampleOf(doc, part, nextSeen, depth + 1);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) Object.assign(merged, value);
    }
    return merged;
  }
  const union = s.anyOf ?? s.oneOf;
  if (union && union.length > 0) {
    const pick = union.find((u) => !typesOf(deref(doc, u)).every((t) => t === "null")) ?? union[0];
    return exampleOf(doc, pick, nextSeen, depth + 1);
  }
  const type = typesOf(s).find((t) => t !== "null") ?? (s.properties ? "object" : undefined);
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(s.properties ?? {})) out[name] = exampleOf(doc, prop, nextSeen, depth + 1);
      return out;
    }
    case "array": {
      // A recursive item (a tree's children) ends the example with an empty list.
      const item = schemaRef(s.items?.$ref);
      return s.items && !(item && nextSeen.has(item)) ? [exampleOf(doc, s.items, nextSeen, depth + 1)] : [];
    }
    case "integer":
    case "number":
      return s.minimum ?? (typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : 0);
    case "boolean":
      return true;
    case "string":
      switch (s.format) {
        case "date-time":
          return "2026-01-31T12:00:00.000Z";
        case "date":
          return "2026-01-31";
        case "email":
          return "shopper@example.com";
        case "uuid":
          return "3f2b1c9e-8d4a-4e21-9c55-0a1b2c3d4e5f";
        default:
          return s.pattern === "^[A-Z]{3}$" ? "USD" : "string";
      }
    default:
      return null;
  }
}

/** JSON, pretty-printed and coloured by token. */
function jsonBlock(value: unknown): Html {
  const text = JSON.stringify(value, null, 2) ?? "null";
  const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(token)) {
    out += escapeHtml(text.slice(last, m.index));
    const cls = m[1] ? (m[2] ? "k" : "s") : m[3] ? "l" : "n";
    out += `<span class="${cls}">${escapeHtml(m[1] ?? m[0])}</span>${m[2] ? escapeHtml(m[2]) : ""}`;
    last = m.index + m[0].length;
  }
  out += escapeHtml(text.slice(last));
  return new Html(out);
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// ---- the page ----

type Operation = { method: Method; path: string; op: OperationObject; parameters: ParameterObject[] };
type Group = { name: string; description?: string; operations: Operation[] };

/** A group per tag; untagged operations go by their first path segment after any version prefix. */
function groupName(path: string): string {
  const segments = path.split("/").filter(Boolean);
  const version = segments.findLastIndex((s) => /^v\d+$/.test(s));
  const segment = segments[version + 1] ?? segments[0] ?? "root";
  const words = segment.replace(/^[.]/, "").replace(/[-_]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function groupsOf(doc: OpenApiDocument): Group[] {
  const groups = new Map<string, Group>();
  for (const tag of doc.tags ?? []) if (tag.name) groups.set(tag.name, { name: tag.name, description: tag.description, operations: [] });
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      // Path-level parameters apply unless the operation overrides the same name and location.
      const own = (op.parameters ?? []).map((p) => deref(doc, p));
      const inherited = (item.parameters ?? [])
        .map((p) => deref(doc, p))
        .filter((p) => !own.some((o) => o.name === p.name && o.in === p.in));
      const name = op.tags?.[0] ?? groupName(path);
      const group = groups.get(name) ?? { name, operations: [] };
      group.operations.push({ method, path, op, parameters: [...inherited, ...own] });
      groups.set(name, group);
    }
  }
  return [...groups.values()].filter((g) => g.operations.length > 0);
}

/** The ways to authenticate an operation; `optional` when an empty requirement ({}) allows anonymous calls too. */
function securityOf(doc: OpenApiDocument, op: OperationObject): { options: SecurityRequirement[]; optional: boolean } {
  const all = op.security ?? doc.security ?? [];
  const options = all.filter((req) => Object.keys(req).length > 0);
  return { options, optional: options.length < all.length };
}

function describeScheme(scheme: SecuritySchemeObject): string {
  if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer")
    return `HTTP bearer token${scheme.bearerFormat ? ` (${scheme.bearerFormat})` : ""}: send Authorization: Bearer <token>`;
  if (scheme.type === "http") return `HTTP ${scheme.scheme ?? ""} authentication`;
  if (scheme.type === "apiKey") return `API key in the ${scheme.in ?? "header"} ${scheme.name ?? ""}`.trim();
  return scheme.type ?? "custom";
}

function curlFor(doc: OpenApiDocument, baseUrl: string, o: Operation, bodyType: string | undefined, body: unknown): string {
  const query = o.parameters
    .filter((p) => p.in === "query" && p.required && p.name)
    .map((p) => `${encodeURIComponent(p.name ?? "")}=${encodeURIComponent(String(exampleOf(doc, p.schema)))}`);
  const url = `${baseUrl}${o.path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
  const lines = [`curl${o.method === "get" ? "" : ` -X ${o.method.toUpperCase()}`} ${shellQuote(url)}`];
  const schemes = doc.components?.securitySchemes ?? {};
  const security = securityOf(doc, o.op);
  // An optional scheme stays out of the example: the anonymous call is the simpler one to show.
  for (const name of security.optional ? [] : Object.keys(security.options[0] ?? {})) {
    const scheme = deref(doc, schemes[name]);
    if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer")
      lines.push(`-H ${shellQuote("Authorization: Bearer <token>")}`);
    else if (scheme.type === "apiKey" && scheme.in === "header" && scheme.name) lines.push(`-H ${shellQuote(`${scheme.name}: <key>`)}`);
  }
  for (const p of o.parameters.filter((p) => p.in === "header" && p.name)) lines.push(`-H ${shellQuote(`${p.name}: <${p.name}>`)}`);
  if (bodyType) {
    lines.push(`-H ${shellQuote(`Content-Type: ${bodyType}`)}`);
    lines.push(`-d ${shellQuote(JSON.stringify(body, null, 2) ?? "")}`);
  }
  return lines.join(" \\\n  ");
}

const statusClass = (code: string): string => (/^[1-5]/.test(code) ? `s${code[0]}` : "sx");

function renderParameters(doc: OpenApiDocument, parameters: ParameterObject[]): Html {
  if (parameters.length === 0) return h``;
  const order = ["path", "query", "header", "cookie"];
  const sorted = [...parameters].sort((a, b) => order.indexOf(a.in ?? "") - order.indexOf(b.in ?? ""));
  return h`<h4>Parameters</h4><ul class="fields">${sorted.map((p) => {
    const schema = deref(doc, p.schema);
    const description = p.description ?? schema.description;
    return h`<li class="field">
      <div class="field-head"><code class="name">${p.name}</code><span class="in">${p.in}</span><span class="type">${typeLabel(doc, p.schema)}</span>${
        p.required || p.in === "path" ? h`<span class="req">required</span>` : ""
      }${p.deprecated ? h`<span class="dep">deprecated</span>` : ""}</div>
      ${description ? h`<div class="desc">${prose(description)}</div>` : ""}
      ${constraints(schema).value ? h`<div class="chips">${constraints(schema)}</div>` : ""}
    </li>`;
  })}</ul>`;
}

function renderOperation(doc: OpenApiDocument, baseUrl: string, o: Operation): Html {
  const { op } = o;
  const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
  const bodyEntry = Object.entries(body?.content ?? {})[0];
  const bodyExample = bodyEntry ? (bodyEntry[1].example ?? exampleOf(doc, bodyEntry[1].schema)) : undefined;
  const responses = Object.entries(op.responses ?? {}).map(([code, r]) => [code, deref(doc, r)] as const);
  const success = responses.find(([code]) => code.startsWith("2"));
  const successJson = success && Object.entries(success[1].content ?? {}).find(([type]) => type.includes("json"));
  const security = securityOf(doc, op);
  const schemes = doc.components?.securitySchemes ?? {};

  return h`<section class="op" id="${operationAnchor(o.method, o.path)}">
    <div class="op-main">
      <h3><span class="method m-${o.method}">${o.method.toUpperCase()}</span><code class="path">${o.path}</code>${
        op.deprecated ? h`<span class="dep">deprecated</span>` : ""
      }</h3>
      ${op.summary ? h`<p class="summary">${op.summary}</p>` : ""}
      ${op.description ? h`<div class="desc">${prose(op.description)}</div>` : ""}
      ${
        security.options.length > 0
          ? h`<div class="auth${security.optional ? " optional" : ""}">${LOCK_ICON} ${security.optional ? "Optionally authenticated with" : "Requires"} ${join(
              security.options.map((req) =>
                join(
                  Object.keys(req).map(
                    (name) => h`<strong>${name}</strong> <span class="muted">(${describeScheme(deref(doc, schemes[name]))})</span>`,
                  ),
                  " and ",
                ),
              ),
              " or ",
            )}</div>`
          : ""
      }
      ${renderParameters(doc, o.parameters)}
      ${
        body && bodyEntry
          ? h`<h4>Request body <span class="ctype">${bodyEntry[0]}</span>${body.required ? h`<span class="req">required</span>` : ""}</h4>
          ${body.description ? h`<div class="desc">${prose(body.description)}</div>` : ""}
          ${schemaBlock(doc, bodyEntry[1].schema)}`
          : ""
      }
      <h4>Responses</h4>
      <div class="responses">${responses.map(([code, r]) => {
        const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
        const open = code.startsWith("2");
        const head = h`<span class="status ${statusClass(code)}">${code}</span><span class="rdesc">${prose(r.description)}</span>${
          type ? h`<span class="ctype">${type}</span>` : ""
        }`;
        const headers = Object.entries(r.headers ?? {});
        const named = schemaRef(media?.schema?.$ref);
        // Error bodies are mostly one shared schema (Problem): a link to it says enough.
        if (!open && named && headers.length === 0)
          return h`<div class="response plain">${head}<a class="ref schema-ref" href="#${schemaAnchor(named)}">${named}</a></div>`;
        return media?.schema || headers.length > 0
          ? h`<details class="response"${open ? h` open` : ""}><summary>${head}</summary>
            ${
              headers.length > 0
                ? h`<ul class="fields">${headers.map(([name, header]) => {
                    const hd = deref(doc, header);
                    return h`<li class="field"><div class="field-head"><code class="name">${name}</code><span class="in">header</span><span class="type">${typeLabel(
                      doc,
                      hd.schema,
                    )}</span></div>${hd.description ? h`<div class="desc">${prose(hd.description)}</div>` : ""}</li>`;
                  })}</ul>`
                : ""
            }
            ${media?.schema ? schemaBlock(doc, media.schema) : ""}</details>`
          : h`<div class="response plain">${head}</div>`;
      })}</div>
    </div>
    <div class="op-side">
      <div class="code"><div class="code-title">Request</div><pre class="wrap"><code>${curlFor(doc, baseUrl, o, bodyEntry?.[0], bodyExample)}</code></pre></div>
      ${
        success
          ? h`<div class="code"><div class="code-title">Response <span class="status ${statusClass(success[0])}">${success[0]}</span></div>${
              successJson
                ? h`<pre><code>${jsonBlock(successJson[1].example ?? exampleOf(doc, successJson[1].schema))}</code></pre>`
                : h`<pre><code class="muted">No content</code></pre>`
            }</div>`
          : ""
      }
    </div>
  </section>`;
}

function renderSchemas(doc: OpenApiDocument): Html {
  const schemas = Object.entries(doc.components?.schemas ?? {});
  if (schemas.length === 0) return h``;
  return h`<section class="group" id="schemas"><h2>Schemas</h2>${schemas.map(
    (
      [name, schema], // The anchor sits inside the closed <details>, so following a link to it opens the schema.
    ) =>
      h`<details class="model"><summary><code>${name}</code><span class="type">${typeLabel(doc, {
        ...schema,
        $ref: undefined,
      })}</span></summary><div class="model-body" id="${schemaAnchor(name)}">
      ${schema.description ? h`<div class="desc">${prose(schema.description)}</div>` : ""}
      ${fieldList(doc, arrayItems(doc, schema) ?? schema, new Set([name]))}
      ${constraints(schema).value ? h`<div class="chips">${constraints(schema)}</div>` : ""}
    </div></details>`,
  )}</section>`;
}

const LOCK_ICON = new Html(
  '<svg class="lock" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z"/></svg>',
);

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%234f46e5'/%3E%3Cpath d='M10 11h12M10 16h9M10 21h12' stroke='white' stroke-width='3' stroke-linecap='round'/%3E%3C/svg%3E";

export type DocsPageOptions = {
  /** Where the raw OpenAPI document is served, linked from the page. */
  openapiUrl: string;
  /** Origin (and base path) the examples call. */
  baseUrl: string;
};

/** The whole reference page for an OpenAPI document, as HTML. Its one <style> is DOCS_CSS (see docsCsp). */
export function renderDocsPage(doc: OpenApiDocument, options: DocsPageOptions): string {
  const title = doc.info?.title ?? "API reference";
  const groups = groupsOf(doc);
  const schemes = Object.entries(doc.components?.securitySchemes ?? {});
  const schemaNames = Object.keys(doc.components?.schemas ?? {});
  const operationCount = groups.reduce((n, g) => n + g.operations.length, 0);
  const page = h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="icon" href="${FAVICON}"><style>${new Html(DOCS_CSS)}</style></head>
<body><div class="layout">
<nav class="sidebar" aria-label="Operations">
  <a class="brand" href="#top">${title}</a>
  <div class="brand-meta">v${doc.info?.version ?? "?"} · OpenAPI ${doc.openapi ?? "3"}</div>
  <a class="navlink" href="#top">Introduction</a>
  ${schemes.length > 0 ? h`<a class="navlink" href="#authentication">Authentication</a>` : ""}
  ${groups.map(
    (g) =>
      h`<div class="navgroup">${g.name}</div>${g.operations.map(
        (o) =>
          h`<a class="navop" href="#${operationAnchor(o.method, o.path)}" title="${o.op.summary ?? ""}"><span class="method sm m-${o.method}">${
            o.method === "delete" ? "DEL" : o.method.toUpperCase()
          }</span><span class="navpath">${o.path}</span></a>`,
      )}`,
  )}
  ${
    schemaNames.length > 0
      ? h`<div class="navgroup">Schemas</div>${schemaNames.map((n) => h`<a class="navlink schema-link" href="#${schemaAnchor(n)}">${n}</a>`)}`
      : ""
  }
</nav>
<main id="top">
  <header class="intro">
    <h1>${title}</h1>
    <div class="pills"><span class="pill">v${doc.info?.version ?? "?"}</span><span class="pill">OpenAPI ${doc.openapi ?? "3"}</span><span class="pill">${operationCount} ${operationCount === 1 ? "operation" : "operations"}</span></div>
    ${prose(doc.info?.description)}
    <dl class="facts">
      <dt>Base URL</dt><dd><code>${options.baseUrl}</code></dd>
      <dt>OpenAPI document</dt><dd><a href="${options.openapiUrl}"><code>${options.openapiUrl}</code></a></dd>
    </dl>
  </header>
  ${
    schemes.length > 0
      ? h`<section class="group" id="authentication"><h2>Authentication</h2><ul class="fields">${schemes.map(([name, s]) => {
          const scheme = deref(doc, s);
          return h`<li class="field"><div class="field-head"><code class="name">${name}</code><span class="type">${scheme.type}${
            scheme.scheme ? ` · ${scheme.scheme}` : ""
          }${scheme.bearerFormat ? ` · ${scheme.bearerFormat}` : ""}</span></div><div class="desc">${prose(scheme.description)}<p>${describeScheme(scheme)}.</p></div></li>`;
        })}</ul></section>`
      : ""
  }
  ${groups.map(
    (g) =>
      h`<section class="group"><h2>${g.name}</h2>${g.description ? prose(g.description) : ""}${g.operations.map((o) =>
        renderOperation(doc, options.baseUrl, o),
      )}</section>`,
  )}
  ${renderSchemas(doc)}
  <footer>Rendered by this API from <a href="${options.openapiUrl}">${options.openapiUrl}</a>.</footer>
</main></div></body></html>`;
  return page.value;
}

export const DOCS_CSS = `
:root{--bg:#fff;--panel:#f7f8fa;--text:#1c2230;--muted:#667085;--line:#e4e7ec;--accent:#4f46e5;--code-bg:#0f172a;--code-text:#e2e8f0;
--get:#2563eb;--post:#16a34a;--put:#d97706;--patch:#9333ea;--delete:#dc2626;--other:#475569;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--panel:#161b22;--text:#e6edf3;--muted:#8b949e;--line:#30363d;--accent:#818cf8;--code-bg:#010409}}
*{box-sizing:border-box}
html{scroll-behavior:smooth;scroll-padding-top:16px}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
p{margin:.35em 0}
.layout{display:grid;grid-template-columns:290px minmax(0,1fr);min-height:100vh}
.sidebar{position:sticky;top:0;height:100vh;overflow-y:auto;padding:22px 14px 40px;background:var(--panel);border-right:1px solid var(--line);font-size:14px}
.brand{display:block;font-weight:700;font-size:16px;color:var(--text);padding:0 8px}
.brand-meta{color:var(--muted);font-size:12px;padding:2px 8px 14px}
.navgroup{margin:18px 8px 6px;font-size:11.5px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.navlink,.navop{display:flex;align-items:center;gap:8px;padding:4px 8px;border-radius:6px;color:var(--text)}
.navlink:hover,.navop:hover{background:var(--line);text-decoration:none}
.schema-link{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.navpath{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
main{padding:36px 48px 80px;max-width:1320px}
h1{font-size:30px;margin:0 0 8px}
h2{font-size:22px;margin:0 0 8px;padding-bottom:8px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:10px}
h4{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:22px 0 8px;display:flex;align-items:center;gap:8px}
.intro{margin-bottom:28px}
.pills{display:flex;gap:6px;margin:6px 0 12px}
.pill{font-size:12px;padding:2px 9px;border-radius:999px;background:var(--panel);border:1px solid var(--line);color:var(--muted)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:16px 0 0;padding:14px 18px;background:var(--panel);border:1px solid var(--line);border-radius:10px}
.facts dt{color:var(--muted);font-size:13px}.facts dd{margin:0}
.group{margin:44px 0 0}
.op{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,460px);gap:28px;padding:26px 0 30px;border-bottom:1px solid var(--line)}
.op:target h3 .path{background:color-mix(in srgb,var(--accent) 14%,transparent);border-radius:4px}
.op-side{display:flex;flex-direction:column;gap:14px;position:sticky;top:16px;align-self:start}
.method{display:inline-block;min-width:60px;text-align:center;font:700 12px/1 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:6px 8px;border-radius:6px;color:#fff;background:var(--other)}
.method.sm{min-width:40px;font-size:10px;padding:3px 5px;border-radius:4px}
.m-get{background:var(--get)}.m-post{background:var(--post)}.m-put{background:var(--put)}.m-patch{background:var(--patch)}.m-delete{background:var(--delete)}
.path{font-size:16px;font-weight:600;padding:1px 3px}
.summary{font-size:16px;margin:10px 0 4px}
.desc{color:var(--muted);font-size:14px}
.desc code,.summary code,.intro code,.rdesc code{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 4px}
.auth{margin:12px 0 0;padding:8px 12px;border-radius:8px;background:color-mix(in srgb,var(--put) 10%,transparent);border:1px solid color-mix(in srgb,var(--put) 35%,transparent);font-size:14px}
.auth.optional{background:color-mix(in srgb,var(--get) 8%,transparent);border-color:color-mix(in srgb,var(--get) 30%,transparent)}
.lock{vertical-align:-2px;margin-right:4px;color:var(--put)}
.auth.optional .lock{color:var(--get)}
.muted{color:var(--muted)}
.fields{list-style:none;margin:0;padding:0;border-top:1px solid var(--line)}
.fields.nested{margin:8px 0 2px 6px;padding-left:14px;border-top:0;border-left:2px solid var(--line)}
.field{padding:9px 0;border-bottom:1px solid var(--line)}
.fields.nested>.field:last-child{border-bottom:0}
.field-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px}
.name{font-weight:700;font-size:13.5px}
.type{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.fmt{opacity:.8}
.in{font-size:11px;padding:1px 6px;border-radius:4px;background:var(--panel);border:1px solid var(--line);color:var(--muted)}
.req{font-size:11px;font-weight:600;color:var(--delete);text-transform:lowercase}
.dep{font-size:11px;font-weight:600;color:var(--put);border:1px solid var(--put);border-radius:4px;padding:0 5px}
.ctype{font:500 11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-transform:none;letter-spacing:0;color:var(--muted);background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:1px 6px}
.chips{display:flex;flex-wrap:wrap;gap:5px;margin-top:4px}
.chip{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:1px 7px;border-radius:4px;background:var(--panel);border:1px solid var(--line);color:var(--muted);word-break:break-all}
.schema{border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.schema-type{font:600 13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin-bottom:6px}
.schema>.fields{border-top:0}
.schema>.fields>.field:last-child{border-bottom:0}
.ref{font-weight:600}
.responses{display:flex;flex-direction:column;gap:8px}
.response{border:1px solid var(--line);border-radius:10px;padding:8px 14px}
.response>summary{cursor:pointer;display:flex;align-items:center;gap:10px;flex-wrap:wrap;list-style-position:outside}
.response>summary::marker{color:var(--muted)}
.response[open]>summary{margin-bottom:10px}
.response .schema{border:0;padding:0}
.response.plain{display:flex;align-items:center;gap:10px;padding-left:30px}
.response.plain .rdesc{flex:1 1 auto;min-width:0}
.schema-ref{margin-left:auto;font:600 12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.rdesc p{margin:0;font-size:14px}
.status{font:700 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2px 8px;border-radius:999px;color:#fff;background:var(--other)}
.s2{background:var(--post)}.s3{background:var(--get)}.s4{background:var(--put)}.s5{background:var(--delete)}
.code{background:var(--code-bg);color:var(--code-text);border-radius:10px;overflow:hidden;border:1px solid #1e293b}
.code-title{display:flex;align-items:center;gap:8px;padding:8px 14px;font-size:12px;font-weight:600;color:#94a3b8;background:#1e293b}
.code pre{margin:0;padding:12px 14px;overflow-x:auto;max-height:420px;line-height:1.5}
.code pre.wrap{white-space:pre-wrap;word-break:break-all}
.code .k{color:#93c5fd}.code .s{color:#86efac}.code .n{color:#fca5a5}.code .l{color:#c4b5fd}
.model{border:1px solid var(--line);border-radius:10px;padding:10px 14px;margin:10px 0}
.model>summary{cursor:pointer;display:flex;gap:12px;align-items:baseline}
.model>summary code{font-weight:700;font-size:14px}
.model[open]>summary{margin-bottom:8px}
.model:has(:target){border-color:var(--accent)}
.model-body{scroll-margin-top:60px}
footer{margin-top:48px;color:var(--muted);font-size:13px}
@media (max-width:1180px){.op{grid-template-columns:minmax(0,1fr)}.op-side{position:static}}
@media (max-width:820px){.layout{grid-template-columns:1fr}.sidebar{position:static;height:auto;border-right:0;border-bottom:1px solid var(--line)}main{padding:24px 18px 60px}}
`;

let styleHash: Promise<string> | undefined;
/** The page's Content-Security-Policy: its own stylesheet (by hash), data: images, nothing else at all. */
export async function docsCsp(): Promise<string> {
  styleHash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(DOCS_CSS)).then((digest) => {
    let binary = "";
    for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
    return `'sha256-${btoa(binary)}'`;
  });
  return `default-src 'none'; style-src ${await styleHash}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/**
 * Serves `docsPath` (default /docs) as a reference for the OpenAPI document the same app serves at
 * `openapiPath`: the page asks the app for it, so the two never disagree.
 */
export function registerDocsPage<E extends HonoEnv, S extends Schema, P extends string>(
  app: Hono<E, S, P>,
  openapiPath: string,
  docsPath = "/docs",
): void {
  app.get(docsPath, async (c) => {
    const url = new URL(c.req.url);
    const res = await app.request(new URL(openapiPath, url).toString(), { headers: { accept: "application/json" } }, c.env);
    if (!res.ok) throw new Error(`${openapiPath} answered ${res.status}`);
    const doc = (await res.json()) as OpenApiDocument;
    const html = renderDocsPage(doc, { openapiUrl: openapiPath, baseUrl: url.origin });
    c.header("Content-Security-Policy", await docsCsp());
    c.header("Cache-Control", "no-cache");
    return c.html(html);
  });
}
