import { z } from "zod";

// Money is always integer minor units plus an ISO 4217 code: never a float.
export const Money = z
  .object({
    amount: z.number().int().describe("Integer minor units (cents for USD)"),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .describe("ISO 4217 currency code"),
  })
  .meta({ id: "Money" });
export type Money = z.infer<typeof Money>;
