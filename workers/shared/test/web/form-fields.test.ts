import { describe, expect, it } from "vitest";
import type { Problem } from "#schema/problem.ts";
import { Field, ProblemBox } from "#shared/web/form-fields.tsx";

const html = async (node: unknown): Promise<string> => String(await node);
/** An element's attributes, from the first tag named `tag`. */
const attrs = (page: string, tag: string): Record<string, string> => {
  const open = new RegExp(`<${tag}\\b([^>]*)>`).exec(page)?.[1] ?? "";
  return Object.fromEntries([...open.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((m) => [m[1] ?? "", m[2] ?? ""]));
};

describe("Field", () => {
  it("labels its input by id, the name's when none is given", async () => {
    const page = await html(Field({ name: "email", label: "Email", type: "email", required: true }));
    expect(attrs(page, "label").for).toBe("email");
    expect(attrs(page, "input")).toMatchObject({ id: "email", name: "email", type: "email", value: "" });
    expect(attrs(page, "input")).toHaveProperty("required");
    expect(attrs(page, "input")).not.toHaveProperty("aria-invalid");
  });

  it("ties its message and hint to the input and says it is invalid", async () => {
    const page = await html(Field({ id: "zip", name: "postcode", label: "Postcode", error: "Five digits", hint: "As on your mail" }));
    expect(attrs(page, "input")).toMatchObject({ id: "zip", "aria-invalid": "true", "aria-describedby": "zip-hint zip-error" });
    expect(page).toContain('<p class="field-error" id="zip-error">Five digits</p>');
    expect(page).toContain('<span class="hint" id="zip-hint">As on your mail</span>');
  });

  it("points a flagged input at the form's problem box, and only when flagged", async () => {
    const flagged = await html(Field({ name: "email", label: "Email", invalid: true, describedBy: "account-error" }));
    expect(attrs(flagged, "input")).toMatchObject({ "aria-invalid": "true", "aria-describedby": "account-error" });
    const fine = await html(Field({ name: "email", label: "Email", invalid: false, describedBy: "account-error" }));
    expect(attrs(fine, "input")).not.toHaveProperty("aria-describedby");
  });

  it("passes the input's own settings through", async () => {
    const page = await html(
      Field({ id: "d-1", name: "delta", label: "Change by", type: "number", step: 1, min: -5, inputClass: "w-xs", class: "short" }),
    );
    expect(attrs(page, "div").class).toBe("field short");
    expect(attrs(page, "input")).toMatchObject({ step: "1", min: "-5", class: "w-xs" });
  });

  it("passes a password's minimum length through", async () => {
    const page = await html(Field({ name: "password", label: "Password", type: "password", minlength: 10 }));
    expect(attrs(page, "input")).toMatchObject({ type: "password", minlength: "10" });
  });

  it("offers a file input's types, with its hint and no value", async () => {
    const page = await html(
      Field({ id: "image-file", name: "file", label: "Image file", type: "file", accept: "image/png,image/webp", hint: "Up to 5 MiB." }),
    );
    expect(attrs(page, "input")).toMatchObject({ type: "file", accept: "image/png,image/webp", "aria-describedby": "image-file-hint" });
    expect(attrs(page, "input")).not.toHaveProperty("value");
  });
});

describe("ProblemBox", () => {
  const withErrors: Problem = {
    type: "about:blank",
    title: "Bad Request",
    status: 400,
    detail: "Some fields need another look.",
    errors: [
      { field: "variants.0.price", message: "must be positive" },
      { field: "title", message: "required" },
    ],
  };

  it("shows nothing without a problem", async () => {
    expect(ProblemBox({ problem: null, class: "notice bad" })).toBeNull();
  });

  it("without labelOf, is the problem's words in the site's box", async () => {
    const page = await html(ProblemBox({ problem: withErrors, class: "notice bad", id: "checkout-problem" }));
    expect(page).toBe('<div class="notice bad" role="alert" id="checkout-problem">Some fields need another look.</div>');
  });

  it("with labelOf, lists what to fix by the form's labels", async () => {
    const labelOf = (field: string) => (field === "title" ? "Title" : `Price (${field})`);
    const page = await html(ProblemBox({ problem: withErrors, class: "flash bad", labelOf }));
    expect(page).toContain('<div class="flash bad" role="alert">');
    expect(page).toContain("<strong>Please check these fields:</strong>");
    expect(page).toContain("<li>Price (variants.0.price): must be positive</li>");
    expect(page).toContain("<li>Title: required</li>");
  });

  it("with labelOf but no field errors, makes the problem's words the headline", async () => {
    const page = await html(
      ProblemBox({ problem: { type: "about:blank", title: "Conflict", status: 409 }, class: "flash bad", labelOf: String }),
    );
    expect(page).toContain("<strong>Conflict</strong>");
    expect(page).not.toContain("<ul");
  });
});
