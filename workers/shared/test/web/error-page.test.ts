import { describe, expect, it } from "vitest";
import { ErrorPage, errorPageTitle, type PageProblem } from "#shared/web/error-page.tsx";

const home = { href: "/", label: "Back to the shop" };
const html = async (problem: PageProblem): Promise<string> => String(await ErrorPage({ problem, requestId: "req-42", home }));

describe("errorPageTitle", () => {
  it("says not found for a 404, something went wrong for a 5xx, the title otherwise", () => {
    expect(errorPageTitle({ status: 404, title: "Not Found" })).toBe("Not found");
    expect(errorPageTitle({ status: 503, title: "Service Unavailable" })).toBe("Something went wrong");
    expect(errorPageTitle({ status: 409, title: "Conflict" })).toBe("Conflict");
  });
});

describe("ErrorPage", () => {
  it("shows a 4xx's own words, the reference and the way back", async () => {
    const page = await html({ status: 409, title: "Conflict", detail: "That order is already paid." });
    expect(page).toContain("<h1>Conflict</h1>");
    expect(page).toContain("That order is already paid.");
    expect(page).toContain("<code>req-42</code>");
    expect(page).toMatch(/<a class="btn primary" href="\/">Back to the shop<\/a>/);
  });

  it("keeps a 5xx's detail out of the page", async () => {
    const page = await html({ status: 500, title: "Internal Server Error", detail: "D1_ERROR: no such table: orders" });
    expect(page).toContain("Something went wrong on our side");
    expect(page).not.toContain("D1_ERROR");
    expect(page).toContain("req-42");
  });

  it("escapes what it shows", async () => {
    const page = await html({ status: 400, title: "Bad Request", detail: "<script>alert(1)</script>" });
    expect(page).not.toContain("<script>");
    expect(page).toContain("&lt;script&gt;");
  });
});
