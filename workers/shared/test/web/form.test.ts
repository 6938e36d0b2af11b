import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkForm, fieldErrorsOf, type PostedForm, problemText, readForm } from "#shared/web/form.ts";

/** What readForm makes of a posted multipart body. */
async function posted(body: FormData): Promise<PostedForm> {
  const app = new Hono().post("/", async (c) => {
    const form = await readForm(c);
    const files = Object.fromEntries(Object.entries(form.files).map(([name, f]) => [name, { name: f.name, size: f.size }]));
    return c.json({ values: form.values, files });
  });
  const res = await app.request("/", { method: "POST", body });
  return (await res.json()) as PostedForm;
}

describe("readForm", () => {
  it("trims text fields and joins a repeated name with commas", async () => {
    const body = new FormData();
    body.append("title", "  Trail shoe  ");
    body.append("tag", " red");
    body.append("tag", "blue ");
    const form = await posted(body);
    expect(form.values).toEqual({ title: "Trail shoe", tag: "red,blue" });
    expect(form.files).toEqual({});
  });

  it("keeps a file apart from the text fields", async () => {
    const body = new FormData();
    body.append("alt", "Front view");
    body.append("image", new File([new Uint8Array(5)], "shoe.png", { type: "image/png" }));
    const form = await posted(body);
    expect(form.values).toEqual({ alt: "Front view", image: "" });
    expect(form.files).toEqual({ image: { name: "shoe.png", size: 5 } });
  });
});

const Address = z.object({
  name: z.string().min(1, "Enter your name"),
  postcode: z.string().regex(/^\d{5}$/, "A postcode is five digits"),
  city: z.string().min(1, "Enter a city").max(3, "Too long"),
});

describe("checkForm", () => {
  it("passes the parsed data through when the form is good", () => {
    expect(checkForm(Address, { name: "Ada", postcode: "12345", city: "Rom", extra: "x" })).toEqual({
      ok: true,
      data: { name: "Ada", postcode: "12345", city: "Rom" },
    });
  });

  it("keeps the first message per field and says so as a 400 problem", () => {
    const check = checkForm(Address, { name: "", postcode: "12", city: "" });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors).toEqual({ name: "Enter your name", postcode: "A postcode is five digits", city: "Enter a city" });
    expect(check.problem).toMatchObject({ status: 400, title: "Bad Request", detail: "Some fields need another look." });
    expect(check.problem.errors).toEqual([
      { field: "name", message: "Enter your name" },
      { field: "postcode", message: "A postcode is five digits" },
      { field: "city", message: "Enter a city" },
    ]);
  });

  it("makes a single field's message the problem's detail", () => {
    const check = checkForm(Address, { name: "Ada", postcode: "1234", city: "Rom" });
    expect(check.ok ? null : check.problem.detail).toBe("A postcode is five digits");
  });

  it("names a nested field by its path and a form-wide failure `form`", () => {
    const Nested = z.object({ address: z.object({ city: z.string().min(1, "Enter a city") }) });
    const nested = checkForm(Nested, { address: "" } as unknown as Record<string, string>);
    expect(nested.ok ? null : Object.keys(nested.errors)).toEqual(["address"]);
    const Whole = z.object({ a: z.string(), b: z.string() }).refine((v) => v.a === v.b, "The two must match");
    const whole = checkForm(Whole, { a: "x", b: "y" });
    expect(whole.ok ? null : whole.errors).toEqual({ form: "The two must match" });
  });
});

describe("fieldErrorsOf", () => {
  const problem = {
    type: "about:blank",
    title: "Bad Request",
    status: 400,
    errors: [
      { field: "shippingAddress.city", message: "Enter a city" },
      { field: "shippingAddress.city", message: "second message" },
      { field: "email", message: "Not an email" },
    ],
  };

  it("keeps the first message per field, under the API's names by default", () => {
    expect(fieldErrorsOf(problem)).toEqual({ "shippingAddress.city": "Enter a city", email: "Not an email" });
  });

  it("maps the API's paths to the form's own names", () => {
    expect(fieldErrorsOf(problem, (f) => f.split(".").at(-1) ?? f)).toEqual({ city: "Enter a city", email: "Not an email" });
  });

  it("has nothing for no problem, or one without field errors", () => {
    expect(fieldErrorsOf(null)).toEqual({});
    expect(fieldErrorsOf({ type: "about:blank", title: "Conflict", status: 409 })).toEqual({});
  });
});

describe("problemText", () => {
  it("reads the detail, or the title when there is none", () => {
    expect(problemText({ type: "about:blank", title: "Conflict", status: 409, detail: "Sold out" })).toBe("Sold out");
    expect(problemText({ type: "about:blank", title: "Conflict", status: 409 })).toBe("Conflict");
  });
});
