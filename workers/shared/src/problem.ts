import type { FieldProblem, Problem } from "#schema/problem.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
const TYPE_BASE = "https://edge-commerce.dev/problems/";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  402: "Payment Required",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

const slugOf = (title: string): string => title.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export function problem(status: number, detail?: string, errors?: FieldProblem[]): Problem {
  const title = TITLES[status] ?? "Error";
  return {
    type: `${TYPE_BASE}${slugOf(title)}`,
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined || errors.length === 0 ? {} : { errors }),
  };
}

/** Thrown anywhere in a request; the app's onError turns it into a problem+json response. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problemOrStatus: Problem | number, detail?: string, errors?: FieldProblem[]) {
    const p = typeof problemOrStatus === "number" ? problem(problemOrStatus, detail, errors) : problemOrStatus;
    super(p.detail ?? p.title);
    this.name = "ProblemError";
    this.problem = p;
  }
}

export const badRequest = (field: string, message: string): ProblemError =>
  new ProblemError(400, `${field}: ${message}`, [{ field, message }]);

export const notFound = (detail: string): ProblemError => new ProblemError(404, detail);

export function problemResponse(p: Problem, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", PROBLEM_CONTENT_TYPE);
  const { extensions, ...members } = p;
  return new Response(JSON.stringify({ ...extensions, ...members }), { status: p.status, headers: h });
}
