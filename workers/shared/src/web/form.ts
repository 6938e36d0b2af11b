import type { Context } from "hono";
import type { z } from "zod";
import type { Problem } from "#schema/problem.ts";

/** A posted form's text fields (trimmed; a repeated name joined with commas) and its files, apart. */
export type PostedForm = { values: Record<string, string>; files: Record<string, File> };

/** Per field, what is wrong with it, in words a person can act on. */
export type FieldErrors = Record<string, string>;

/**
 * A form shown again with what went wrong answers 200: the page did its job, the problem is in it next to what
 * was typed. Browsers log a 4xx document as a console error, and the page is no error page (those are 404, 500).
 */
export const RESHOWN_FORM_STATUS = 200;

export async function readForm(c: Context): Promise<PostedForm> {
  const body = await c.req.parseBody({ all: true });
  const values: Record<string, string> = {};
  const files: Record<string, File> = {};
  for (const [name, value] of Object.entries(body)) {
    const all = Array.isArray(value) ? value : [value];
    const file = all.find((v): v is File => v instanceof File);
    if (file !== undefined) files[name] = file;
    values[name] = all
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.trim())
      .join(",");
  }
  return { values, files };
}

export type FormCheck<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; problem: Problem };

/**
 * A form's values checked with a zod schema before anything is asked of the API: the first message per field, and
 * the same failure as a problem (400), so a page shows either the way it shows the API's own.
 */
export function checkForm<S extends z.ZodType>(schema: S, values: Record<string, string>): FormCheck<z.infer<S>> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".") || "form";
    errors[field] ??= issue.message;
  }
  const list = Object.entries(errors).map(([field, message]) => ({ field, message }));
  const detail = list.length === 1 ? list[0]?.message : "Some fields need another look.";
  return { ok: false, errors, problem: { type: "about:blank", title: "Bad Request", status: 400, detail, errors: list } };
}

/**
 * The API's field errors (a problem's `errors`) by the form's own field names: `nameOf` maps an API path
 * (`shippingAddress.city`) to the input that holds it (`city`); the first message per input is kept.
 */
export function fieldErrorsOf(problem: Problem | null, nameOf: (field: string) => string = (field) => field): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of problem?.errors ?? []) errors[nameOf(e.field)] ??= e.message;
  return errors;
}

/** What a person reads of a problem: its detail when it has one. */
export const problemText = (p: Problem): string => p.detail ?? p.title;
