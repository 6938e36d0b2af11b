/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { z } from "zod";
import { Field } from "./form-fields.tsx";

const DAY_MS = 86_400_000;
/** A calendar day as a date input sends it; one that does not exist (2026-02-30) is no day at all. */
const Day = z.iso.date();

export type DateRange = { from: string; to: string };

const dayOr = (text: string | undefined, fallback: string): string => (Day.safeParse(text).success ? (text as string) : fallback);

/**
 * A range of days from a page's query (`from`, `to`, both YYYY-MM-DD, in UTC). With `lastDays`, a missing end is
 * today and a missing start that many days back (both ends counted); without it a missing end stays "" (no bound).
 * A day that is not a real date counts as missing, so a mistyped URL shows the default rather than an error.
 */
export function parseDateRange(
  query: { from?: string | undefined; to?: string | undefined },
  options: { lastDays?: number } = {},
): DateRange {
  if (options.lastDays === undefined) return { from: dayOr(query.from, ""), to: dayOr(query.to, "") };
  const to = dayOr(query.to, new Date().toISOString().slice(0, 10));
  const from = dayOr(query.from, new Date(Date.parse(to) - (options.lastDays - 1) * DAY_MS).toISOString().slice(0, 10));
  return { from, to };
}

/** The two date inputs of a range, for a GET form that filters a page by it. */
export const DateRangeFields: FC<{ range: DateRange }> = ({ range }) => (
  <>
    <Field name="from" label="From" type="date" value={range.from} />
    <Field name="to" label="To" type="date" value={range.to} />
  </>
);
