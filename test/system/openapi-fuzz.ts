import fc from "fast-check";
import {
  type AuthChoice,
  authChoice,
  type Body,
  encodeLoose,
  headerText,
  hostileBody,
  hostileJson,
  hostileNumber,
  hostileQueryString,
  hostileSegment,
  hostileString,
  RAW_JSON_TOKENS,
} from "./hostile.ts";

/**
 * Turns the operations of an OpenAPI 3.1 document into fast-check arbitraries of HTTP requests: mostly
 * well-formed ones filled from the schemas (and from values seen in earlier responses, so ids and slugs
 * exist), mixed with hostile variants of every part of the request.
 */

// ---- The parts of OpenAPI 3.1 / JSON Schema this walker reads ----

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

export type Parameter = { name: string; in: "path" | "query" | "header" | "cookie"; required?: boolean; schema?: JsonSchema };
type Ref = { $ref: string };
type OperationObject = {
  parameters?: (Parameter | Ref)[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
};
type PathItem = Record<string, OperationObject | (Parameter | Ref)[] | string | undefined> & { parameters?: (Parameter | Ref)[] };
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, Parameter> };
  security?: Record<string, string[]>[];
};

export type ApiName = "shop" | "admin";

export type Operation = {
  api: ApiName;
  doc: OpenApiDocument;
  method: string;
  path: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
  secured: boolean;
};

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
export const ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Follows a local `$ref` (`#/components/...`); anything else comes back as it is. */
export function resolve<T extends object>(doc: OpenApiDocument, node: T | Ref): T {
  let current: unknown = node;
  for (let hops = 0; hops < 20 && typeof current === "object" && current !== null && "$ref" in current; hops++) {
    const ref = String(current.$ref);
    if (!ref.startsWith("#/")) break;
    current = ref
      .slice(2)
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((at, key) => (typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined), doc);
  }
  return (current ?? {}) as T;
}

/** Every path + method in the document, with path-level and operation-level parameters merged. */
export function operations(api: ApiName, doc: OpenApiDocument): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (op === undefined) continue;
      const byKey = new Map<string, Parameter>();
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])].map((ref) => resolve<Parameter>(doc, ref))) {
        byKey.set(`${p.in}:${p.name}`, p);
      }
      const security = op.security ?? doc.security ?? [];
      found.push({
        api,
        doc,
        method: method.toUpperCase(),
        path,
        parameters: [...byKey.values()],
        body: op.requestBody?.content?.["application/json"]?.schema,
        secured: security.some((requirement) => Object.keys(requirement).length > 0),
      });
    }
  }
  return found;
}

// ---- Values seen in responses, reused as inputs (real slugs, SKUs, cart ids, tokens) ----

type Primitive = string | number | boolean;

export class Harvest {
  private readonly byKey = new Map<string, Set<Primitive>>();
  /** Same-origin URL paths found in responses (e.g. image URLs), for routes the documents do not list. */
  readonly urlPaths = new Set<string>();

  /** Remembers every primitive in a JSON body under its property name; top-level ones also under `path:name`. */
  add(path: string, body: unknown): void {
    if (typeof body !== "object" || body === null) return;
    for (const [key, value] of Object.entries(body)) {
      if (isPrimitive(value)) this.remember(`${path}:${key}`, value);
    }
    this.walk(body, 0);
  }

  /** The values remembered under the first of `keys` that has any. */
  lookup(keys: string[]): Primitive[] {
    for (const key of keys) {
      const values = this.byKey.get(key);
      if (values !== undefined && values.size > 0) return [...values];
    }
    return [];
  }

  private walk(node: unknown, depth: number): void {
    if (depth > 8 || typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (isPrimitive(value)) {
        this.remember(key, value);
        if (typeof value === "string" && /^\/[^/]/.test(value)) this.urlPaths.add(value.split("?")[0] ?? value);
      } else {
        this.walk(value, depth + 1);
      }
    }
  }

  private remember(key: string, value: Primitive): void {
    const values = this.byKey.get(key) ?? new Set<Primitive>();
    if (values.size < 30) values.add(value);
    this.byKey.set(key, values);
  }
}

const isPrimitive = (value: unknown): value is Primitive => ["string", "number", "boolean"].includes(typeof value);

// ---- Values from a schema ----

/** A value the schema allows. */
export function validValue(doc: OpenApiDocument, node: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve<JsonSchema>(doc, node);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0) return fc.oneof(...alternatives.map((s) => validValue(doc, s, depth + 1)));
  if (schema.allOf !== undefined) return validValue(doc, mergeAll(doc, schema.allOf), depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? "object" : "any")];
  return fc.oneof(...types.map((type) => valueOfType(doc, schema, type, depth)));
}

function valueOfType(doc: OpenApiDocument, schema: JsonSchema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "string":
      return stringValue(schema);
    case "integer":
      return fc.integer({ min: lowerBound(schema, 1, -1_000_000), max: upperBound(schema, 1, 1_000_000) });
    case "number":
      return fc.double({ min: lowerBound(schema, 0, -1e6), max: upperBound(schema, 0, 1e6), noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return depth > 4
        ? fc.constant([])
        : fc.array(validValue(doc, schema.items ?? {}, depth + 1), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.min(schema.maxItems ?? 4, 4),
          });
    case "object": {
      const properties = schema.properties ?? {};
      if (depth > 4) return fc.constant({});
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validValue(doc, s, depth + 1)]));
      const required = (schema.required ?? []).filter((key) => key in properties);
      return fc.record(model, { requiredKeys: required });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function lowerBound(schema: JsonSchema, step: number, fallback: number): number {
  if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + step;
  return schema.minimum ?? fallback;
}

function upperBound(schema: JsonSchema, step: number, fallback: number): number {
  if (schema.exclusiveMaximum !== undefined) return schema.exclusiveMaximum - step;
  return schema.maximum ?? fallback;
}

function stringValue(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 80));
  const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  switch (schema.format) {
    case "date-time":
      return fc.date({ noInvalidDate: true, min: new Date("2000-01-01"), max: new Date("2100-01-01") }).map((d) => d.toISOString());
    case "email":
      return fc.emailAddress().filter(fits);
    case "uuid":
      return fc.uuid();
    case "uri":
    case "url":
      return fc.webUrl();
  }
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern), { size: "small" }).filter(fits);
  // Boundary values too: exactly the shortest and the longest string allowed, of one- and two-byte characters.
  const boundaries = fc
    .tuple(fc.constantFrom("a", "é", "9"), fc.constantFrom(minLength, schema.maxLength ?? 200))
    .map(([ch, length]) => ch.repeat(length));
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength, maxLength }) },
    { weight: 1, arbitrary: boundaries },
  );
}

function mergeAll(doc: OpenApiDocument, schemas: JsonSchema[]): JsonSchema {
  const merged: JsonSchema = { properties: {}, required: [] };
  for (const s of schemas.map((one) => resolve<JsonSchema>(doc, one))) {
    Object.assign(merged, s, {
      properties: Object.assign(merged.properties ?? {}, s.properties),
      required: merged.required?.concat(s.required ?? []),
    });
  }
  return merged;
}

/** A value the schema forbids: just past each bound, outside the enum, against the pattern, or of another kind. */
export function invalidValue(doc: OpenApiDocument, node: JsonSchema): fc.Arbitrary<unknown> {
  const schema = resolve<JsonSchema>(doc, node);
  const edges: unknown[] = [];
  if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 0.5);
  if (schema.maximum !== undefined) edges.push(schema.maximum + 1, schema.maximum + 0.5);
  if (schema.minLength !== undefined && schema.minLength > 0) edges.push("x".repeat(schema.minLength - 1));
  if (schema.maxLength !== undefined) edges.push("x".repeat(schema.maxLength + 1), "\u{1F600}".repeat(schema.maxLength));
  if (schema.pattern !== undefined) edges.push("NOT A MATCH!", "-", "a--b");
  if (schema.enum !== undefined) edges.push(...schema.enum.map((v) => `${String(v).toUpperCase()} `), "");
  if (schema.type === "integer" || schema.type === "number") edges.push(String(schema.minimum ?? 1), "1.5", "-1");
  const wrongKind = fc.oneof(hostileJson, hostileNumber, hostileString);
  return edges.length === 0
    ? wrongKind
    : fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...edges) }, { weight: 3, arbitrary: wrongKind });
}

/** Mostly values seen before under one of `keys` (so they exist), else values from the schema. */
function knownOrValid(ctx: FuzzContext, doc: OpenApiDocument, schema: JsonSchema, keys: string[]): fc.Arbitrary<unknown> {
  const known = ctx.harvest.lookup(keys);
  const valid = validValue(doc, schema);
  return known.length === 0 ? valid : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: valid });
}

// ---- Requests ----

export type Account = { label: string; token: string };

export type FuzzContext = {
  harvest: Harvest;
  /** Signed-in accounts whose tokens any request may carry. */
  accounts: Account[];
  /** Throwaway accounts: the only ones a DELETE may carry, so no request can erase the demo accounts. */
  throwaway: Account[];
};

export type FuzzRequest = {
  api: ApiName;
  /** Where it came from: the documented operation, or a stray path. */
  origin: string;
  method: string;
  /** Raw path and query, sent as they are (broken percent-encoding included). */
  path: string;
  headers: Record<string, string>;
  auth: string;
  body?: Body;
};

const clientIp: fc.Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6());

const text = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
const headerSafe = (value: string): string => (/^[\x20-\x7e\x80-\xff]*$/.test(value) ? value : encodeLoose(value));
const utf8 = (value: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(value);
const jsonBody = (value: unknown, note: string): Body => ({
  contentType: "application/json",
  bytes: utf8(JSON.stringify(value) ?? "null"),
  note,
});

/** A parameter's value: valid (most often), invalid or hostile, or left out. `undefined` leaves it out. */
function parameterValue(ctx: FuzzContext, op: Operation, p: Parameter): fc.Arbitrary<string | undefined> {
  const schema = p.schema ?? {};
  const prefix = op.path.slice(0, Math.max(0, op.path.indexOf(`{${p.name}}`) - 1));
  const keys = [`${prefix}:${p.name}`, p.name, p.name.split("-").at(-1) ?? p.name];
  const inPathOrQuery = p.in === "path" || p.in === "query";
  const encode = inPathOrQuery ? encodeLoose : headerSafe;
  const good = knownOrValid(ctx, op.doc, schema, keys).map((v) => encode(text(v)));
  const bad = invalidValue(op.doc, schema).map((v) => encode(text(v)));
  const raw = inPathOrQuery ? hostileSegment : headerText(300);
  return fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 2, arbitrary: bad },
    { weight: 2, arbitrary: raw },
    { weight: p.required === true ? 1 : 6, arbitrary: fc.constant(undefined) },
  );
}

/** The documented path with its parameters filled, now and then mangled (slashes, case, extra segments). */
function pathOf(template: string, values: Record<string, string | undefined>): fc.Arbitrary<string> {
  const filled = template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? "");
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(filled) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${filled}/`,
        filled.replace("/", "//"),
        filled.toUpperCase(),
        `/${filled.slice(1).replaceAll("/", "%2F")}`,
        `${filled}/..`,
        `${filled};x=1`,
      ),
    },
    { weight: 1, arbitrary: hostileSegment.map((s) => `${filled}/${s}`) },
  );
}

function queryOf(entries: [string, string | undefined][]): fc.Arbitrary<string> {
  const present = entries.filter((e): e is [string, string] => e[1] !== undefined);
  const base = present.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&");
  const joined = base === "" ? "" : `?${base}`;
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(joined) },
    { weight: 1, arbitrary: fc.constant(present.length > 0 ? `${joined}&${base}` : joined) }, // every parameter twice
    { weight: 1, arbitrary: fc.tuple(hostileSegment, hostileSegment).map(([k, v]) => `${joined}${joined === "" ? "?" : "&"}${k}=${v}`) },
    { weight: 1, arbitrary: hostileQueryString },
  );
}

/** A JSON body the schema almost allows: one property wrong, a required one missing, extras, or a raw token. */
function mutatedBody(ctx: FuzzContext, op: Operation, node: JsonSchema): fc.Arbitrary<Body> {
  const schema = resolve<JsonSchema>(op.doc, node);
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);
  if (keys.length === 0) return hostileJson.map((v) => jsonBody(v, "hostile JSON"));
  const valid = validBody(ctx, op, schema).map((v) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {}));
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    fc
      .tuple(valid, key)
      .chain(([obj, k]) => invalidValue(op.doc, properties[k] ?? {}).map((bad) => jsonBody({ ...obj, [k]: bad }, `${k} invalid`))),
    fc.tuple(valid, key).map(([obj, k]) => {
      const { [k]: _dropped, ...rest } = obj;
      return jsonBody(rest, `${k} missing`);
    }),
    fc.tuple(valid, hostileString, hostileJson).map(([obj, k, v]) => jsonBody({ ...obj, [k]: v }, "unknown property")),
    fc.tuple(valid, key, fc.constantFrom(...RAW_JSON_TOKENS)).map(([obj, k, token]) => {
      const marker = "\u0000RAW\u0000";
      const textBody = JSON.stringify({ ...obj, [k]: marker }).replace(JSON.stringify(marker), token);
      return { contentType: "application/json", bytes: utf8(textBody), note: `${k} = raw ${token}` };
    }),
  );
}

/** A body object from the schema, its properties filled from harvested values where their names match. */
function validBody(ctx: FuzzContext, op: Operation, schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length === 0) return validValue(op.doc, schema);
  const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, knownOrValid(ctx, op.doc, s, [key])]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
}

function bodyOf(ctx: FuzzContext, op: Operation): fc.Arbitrary<Body | undefined> {
  if (op.body === undefined) {
    return fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileBody });
  }
  const schema = resolve<JsonSchema>(op.doc, op.body);
  return fc.oneof(
    { weight: 6, arbitrary: validBody(ctx, op, schema).map((v) => jsonBody(v, "valid JSON")) },
    { weight: 3, arbitrary: mutatedBody(ctx, op, schema) },
    { weight: 3, arbitrary: hostileBody },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Occasional extra headers: conditional requests, odd Accept, an Origin, a request id of our choosing. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: headerText(100).map((v) => ({ "if-none-match": v })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { "if-none-match": "*" },
      { accept: "text/html" },
      { accept: "application/xml;q=2" },
      { origin: "https://evil.example" },
    ),
  },
  { weight: 1, arbitrary: headerText(200).map((v) => ({ "x-request-id": v })) },
);

/** Resolves the Authorization choice; a DELETE only ever carries a throwaway account's token. */
function authorize(ctx: FuzzContext, method: string, choice: AuthChoice): { header?: string; label: string } {
  if (choice.kind === "none") return { label: "none" };
  if (choice.kind === "raw") return { header: choice.value, label: choice.label };
  const pool = method === "DELETE" ? ctx.throwaway : ctx.accounts;
  const account = pool[choice.index % pool.length];
  return account === undefined ? { label: "none" } : { header: `Bearer ${account.token}`, label: `valid (${account.label})` };
}

function assemble(
  ctx: FuzzContext,
  parts: {
    api: ApiName;
    origin: string;
    method: string;
    path: string;
    auth: AuthChoice;
    body: Body | undefined;
    headers: Record<string, string>;
  },
): FuzzRequest {
  const auth = authorize(ctx, parts.method, parts.auth);
  const headers: Record<string, string> = { ...parts.headers };
  if (auth.header !== undefined) headers.authorization = auth.header;
  const body = parts.method === "GET" || parts.method === "HEAD" ? undefined : parts.body;
  if (body?.contentType !== undefined) headers["content-type"] = body.contentType;
  return { api: parts.api, origin: parts.origin, method: parts.method, path: parts.path, headers, auth: auth.label, body };
}

/** Requests for one documented operation. */
export function requestFor(ctx: FuzzContext, op: Operation): fc.Arbitrary<FuzzRequest> {
  const realTokens = ctx.accounts.map((a) => a.token);
  const byIn = (where: Parameter["in"]) => op.parameters.filter((p) => p.in === where);
  const valuesOf = (params: Parameter[]) =>
    fc
      .tuple(...params.map((p) => parameterValue(ctx, op, p)))
      .map((values) => params.map((p, i): [string, string | undefined] => [p.name, values[i]]));
  const path = valuesOf(byIn("path")).chain((values) => pathOf(op.path, Object.fromEntries(values)));
  const query = valuesOf(byIn("query")).chain(queryOf);
  const headerParams = valuesOf(byIn("header")).map((values) =>
    Object.fromEntries(values.filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== "")),
  );
  const method = fc.oneof({ weight: 12, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom(...ANY_METHOD) });
  return fc
    .record({
      method,
      path,
      query,
      headerParams,
      extra: extraHeaders,
      ip: clientIp,
      auth: authChoice(realTokens, op.secured ? 8 : 2),
      body: bodyOf(ctx, op),
    })
    .map((r) =>
      assemble(ctx, {
        api: op.api,
        origin: `${op.method} ${op.path}`,
        method: r.method,
        path: `${r.path}${r.query}`,
        auth: r.auth,
        body: r.body,
        headers: { ...r.extra, ...r.headerParams, "cf-connecting-ip": r.ip },
      }),
    );
}

/**
 * Requests to paths no document lists: random paths, documented paths cut short with garbage appended (so
 * `/v1/<garbage>`), and URL paths seen in responses (image URLs) as they are or with their tail replaced.
 */
export function strayRequests(ctx: FuzzContext, ops: Operation[]): fc.Arbitrary<FuzzRequest> {
  const realTokens = ctx.accounts.map((a) => a.token);
  const garbage = fc.array(hostileSegment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"));
  const sources: fc.Arbitrary<{ api: ApiName; path: string; origin: string }>[] = [
    fc.tuple(fc.constantFrom<ApiName>("shop", "admin"), garbage).map(([api, tail]) => ({ api, path: `/${tail}`, origin: "random path" })),
    fc.tuple(fc.constantFrom(...ops), fc.nat(), garbage).map(([op, n, tail]) => {
      const literal = op.path.split("/").filter((s) => s !== "" && !s.startsWith("{"));
      const keep = literal.slice(0, 1 + (n % literal.length));
      return { api: op.api, path: `/${[...keep, tail].join("/")}`, origin: `under /${keep.join("/")}` };
    }),
  ];
  const seen = [...ctx.harvest.urlPaths];
  if (seen.length > 0) {
    sources.push(
      fc.tuple(fc.constantFrom(...seen), fc.nat(), garbage).map(([url, n, tail]) => {
        const segments = url.split("/").filter((s) => s !== "");
        const keep = segments.slice(0, 1 + (n % segments.length));
        const origin = `under /${segments.slice(0, 2).join("/")}/… (a URL seen in a response)`;
        return { api: "shop" as const, path: `/${[...keep, tail].join("/")}`, origin };
      }),
      fc.constantFrom(...seen).map((url) => ({ api: "shop" as const, path: url, origin: "URL seen in a response" })),
    );
  }
  return fc
    .record({
      target: fc.oneof(...sources),
      method: fc.oneof({ weight: 4, arbitrary: fc.constant("GET") }, { weight: 1, arbitrary: fc.constantFrom(...ANY_METHOD) }),
      extra: extraHeaders,
      ip: clientIp,
      auth: authChoice(realTokens, 1),
      body: fc.option(hostileBody, { freq: 4, nil: undefined }),
    })
    .map((r) =>
      assemble(ctx, {
        api: r.target.api,
        origin: r.target.origin,
        method: r.method,
        path: r.target.path,
        auth: r.auth,
        body: r.body,
        headers: { ...r.extra, "cf-connecting-ip": r.ip },
      }),
    );
}

/** Every documented operation equally often, plus stray paths (about one request in eight). */
export function anyRequest(ctx: FuzzContext, ops: Operation[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...ops.map((op) => ({ weight: 2, arbitrary: requestFor(ctx, op) })), {
    weight: Math.max(1, Math.round(ops.length / 4)),
    arbitrary: strayRequests(ctx, ops),
  });
}
