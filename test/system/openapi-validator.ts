import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";

/**
 * Checks HTTP answers against an OpenAPI 3.1 document: the status is documented for the operation (or a
 * `NXX` range, or `default`), the content type is one documented for that status, and a JSON body is valid
 * against its schema (JSON Schema 2020-12, by ajv). The whole document is added to ajv under an `$id`, so a
 * response schema is validated as `{ $ref: "<id>#/paths/…/schema" }` and its `#/components/schemas/…`
 * references resolve inside the document.
 */

type Schema = Record<string, unknown>;
type ResponseObject = { $ref?: string; description?: string; content?: Record<string, { schema?: Schema }> };
type OperationObject = { responses?: Record<string, ResponseObject> };
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
};

export type DocumentedOperation = { method: string; path: string; key: string; pattern: RegExp; params: number };

/** What the test saw: one request and its answer. */
export type Exchange = { method: string; path: string; status: number; contentType: string | null; body: string };

export type Verdict = { operation: DocumentedOperation | undefined; problems: string[] };

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
// Document-level and schema keywords OpenAPI 3.1 adds to JSON Schema; every other unknown keyword is still an
// error (ajv's strict mode), so a misspelt keyword in a schema cannot pass silently.
const OPENAPI_KEYWORDS = [
  "openapi",
  "info",
  "jsonSchemaDialect",
  "servers",
  "paths",
  "webhooks",
  "components",
  "security",
  "tags",
  "externalDocs",
  "discriminator",
  "xml",
  "example",
];

const escapePointer = (part: string): string => part.replaceAll("~", "~0").replaceAll("/", "~1");
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const bareMediaType = (contentType: string): string => (contentType.split(";")[0] ?? "").trim().toLowerCase();
const isJson = (mediaType: string): boolean => mediaType === "application/json" || mediaType.endsWith("+json");

function mediaTypeMatches(documented: string, actual: string): boolean {
  const [type, subtype] = bareMediaType(documented).split("/");
  const [actualType, actualSubtype] = actual.split("/");
  return (type === "*" || type === actualType) && (subtype === "*" || subtype === actualSubtype);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `    at ${e.instancePath || "(body)"}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)} [schema ${e.schemaPath}]`)
    .join("\n");
}

export class OpenApiContract {
  readonly name: string;
  readonly doc: OpenApiDocument;
  readonly operations: DocumentedOperation[];
  private readonly ajv: Ajv2020;
  private readonly id: string;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(name: string, doc: OpenApiDocument) {
    this.name = name;
    this.doc = doc;
    if (!doc.openapi.startsWith("3.1")) throw new Error(`${name}: OpenAPI ${doc.openapi}, not 3.1`);
    this.id = `https://openapi.test/${encodeURIComponent(name)}.json`;
    this.ajv = new Ajv2020({ allErrors: true });
    this.ajv.addVocabulary(OPENAPI_KEYWORDS);
    formatsModule.default(this.ajv);
    this.ajv.addSchema(doc, this.id);
    this.operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m] !== undefined).map((m) => {
        const params = (path.match(/\{[^}]+\}/g) ?? []).length;
        const pattern = new RegExp(
          `^${path
            .split(/\{[^}]+\}/)
            .map(escapeRegExp)
            .join("[^/]+")}$`,
        );
        return { method: m.toUpperCase(), path, key: `${m.toUpperCase()} ${path}`, pattern, params };
      }),
    );
  }

  /** The documented operation a request reaches (a literal path wins over a templated one). */
  match(method: string, pathname: string): DocumentedOperation | undefined {
    return this.operations
      .filter((op) => op.method === method.toUpperCase() && op.pattern.test(pathname))
      .sort((a, b) => a.params - b.params)[0];
  }

  /** Validates a JSON value against the schema at a JSON pointer into the document (e.g. a component). */
  validate(pointer: string[], value: unknown): string | undefined {
    const ref = `${this.id}#/${pointer.map(escapePointer).join("/")}`;
    let validator = this.validators.get(ref);
    if (validator === undefined) {
      validator = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validator);
    }
    return validator(value) ? undefined : formatErrors(validator.errors);
  }

  private resolve(response: ResponseObject): ResponseObject {
    let current = response;
    for (let hops = 0; hops < 10 && typeof current.$ref === "string"; hops++) {
      const target = current.$ref
        .replace(/^#\//, "")
        .split("/")
        .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
        .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], this.doc);
      if (target === undefined) throw new Error(`${this.name}: unresolvable ${current.$ref}`);
      current = target as ResponseObject;
    }
    return current;
  }

  /** Every way the answer departs from the document; an exchange no operation matches is one problem. */
  check(exchange: Exchange): Verdict {
    const pathname = new URL(exchange.path, "http://x").pathname;
    const operation = this.match(exchange.method, pathname);
    if (operation === undefined) {
      return { operation, problems: [`no operation in the ${this.name} document for ${exchange.method} ${pathname}`] };
    }
    const op = this.doc.paths[operation.path]?.[operation.method.toLowerCase()] as OperationObject;
    const responses = op.responses ?? {};
    const status = String(exchange.status);
    const key = [status, `${status[0]}XX`, "default"].find((k) => responses[k] !== undefined);
    if (key === undefined) {
      return { operation, problems: [`status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`] };
    }
    const response = this.resolve(responses[key] as ResponseObject);
    const content = response.content ?? {};
    const documented = Object.keys(content);
    const mediaType = exchange.contentType === null ? "" : bareMediaType(exchange.contentType);
    if (documented.length === 0) {
      return {
        operation,
        problems: exchange.body === "" ? [] : [`a body (${mediaType || "no content-type"}) where response ${key} documents none`],
      };
    }
    if (exchange.method === "HEAD" || exchange.status === 304) return { operation, problems: [] };
    const mediaKey = documented.find((d) => mediaTypeMatches(d, mediaType));
    if (mediaKey === undefined) {
      return {
        operation,
        problems: [`content-type ${mediaType || "(none)"} is not documented for response ${key} (documented: ${documented.join(", ")})`],
      };
    }
    if (content[mediaKey]?.schema === undefined || !isJson(mediaType)) return { operation, problems: [] };
    let value: unknown;
    try {
      value = JSON.parse(exchange.body);
    } catch {
      return { operation, problems: [`the ${mediaType} body is not JSON: ${exchange.body.slice(0, 200)}`] };
    }
    const errors = this.validate(
      ["paths", operation.path, operation.method.toLowerCase(), "responses", key, "content", mediaKey, "schema"],
      value,
    );
    return {
      operation,
      problems:
        errors === undefined
          ? []
          : [`body does not match response ${key} ${mediaKey}:\n${errors}\n    body: ${exchange.body.slice(0, 600)}`],
    };
  }
}
