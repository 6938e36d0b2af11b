import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseDateRange } from "#shared/web/date-range.tsx";

describe("parseDateRange", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-03-10T22:30:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("keeps real days as given", () => {
    expect(parseDateRange({ from: "2026-01-01", to: "2026-01-31" })).toEqual({ from: "2026-01-01", to: "2026-01-31" });
    expect(parseDateRange({ from: "2026-01-01", to: "2026-01-31" }, { lastDays: 7 })).toEqual({ from: "2026-01-01", to: "2026-01-31" });
  });

  it("without lastDays, leaves a missing or broken end unbounded", () => {
    expect(parseDateRange({})).toEqual({ from: "", to: "" });
    expect(parseDateRange({ from: "2026-02-30", to: "yesterday" })).toEqual({ from: "", to: "" });
  });

  it("with lastDays, ends today (UTC) and starts that many days back, both ends counted", () => {
    expect(parseDateRange({}, { lastDays: 7 })).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(parseDateRange({}, { lastDays: 1 })).toEqual({ from: "2026-03-10", to: "2026-03-10" });
  });

  it("counts the default start back from the given end, across a month", () => {
    expect(parseDateRange({ to: "2026-03-02" }, { lastDays: 3 })).toEqual({ from: "2026-02-28", to: "2026-03-02" });
  });

  it("treats a day that does not exist as missing", () => {
    expect(parseDateRange({ from: "2026-02-30", to: "2026-13-01" }, { lastDays: 30 })).toEqual({ from: "2026-02-09", to: "2026-03-10" });
  });
});
