import { z } from "zod";
import { Money } from "../money.ts";

const day = (name: string) =>
  z
    .string({ error: `${name} is required: YYYY-MM-DD` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} is a date: YYYY-MM-DD`)
    // Date.parse rolls 2026-02-30 over into March: a real day is one that comes back unchanged.
    .refine((d) => {
      const at = Date.parse(`${d}T00:00:00Z`);
      return !Number.isNaN(at) && new Date(at).toISOString().startsWith(d);
    }, `${name} is not a real date`);

export const MAX_REPORT_DAYS = 366;
export const ReportQuery = z
  .object({ from: day("from"), to: day("to") })
  .refine((q) => q.from <= q.to, { message: "from is after to", path: ["from"] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, {
    message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    path: ["to"],
  });
export type ReportQuery = z.infer<typeof ReportQuery>;

export const SalesDay = z
  .object({ date: z.string(), orders: z.number().int(), units: z.number().int(), revenue: Money })
  .meta({ id: "SalesDay" });
export const SalesReport = z
  .object({
    from: z.string(),
    to: z.string(),
    currency: z.string().describe("The merchant's currency (sales in others are listed under otherCurrencies)"),
    days: z.array(SalesDay).describe("Every day of the range, zeros included"),
    totals: z.object({ orders: z.number().int(), units: z.number().int(), revenue: Money, averageOrderValue: Money }),
    topProducts: z.array(z.object({ slug: z.string(), title: z.string(), units: z.number().int(), revenue: Money })),
    otherCurrencies: z.array(z.object({ currency: z.string(), orders: z.number().int(), revenue: z.number().int() })),
  })
  .meta({ id: "SalesReport" });
export type SalesReport = z.infer<typeof SalesReport>;

export const PlatformReport = z
  .object({
    from: z.string(),
    to: z.string(),
    merchants: z.array(
      z.object({
        merchantId: z.string(),
        currency: z.string(),
        orders: z.number().int(),
        units: z.number().int(),
        revenue: z.number().int(),
      }),
    ),
    orders: z.number().int().describe("Paid orders (an order with several merchants counts once)"),
    carts: z.number().int().describe("Carts created"),
    conversion: z.number().describe("orders / carts (0 when no carts)"),
  })
  .meta({ id: "PlatformReport" });
export type PlatformReport = z.infer<typeof PlatformReport>;
