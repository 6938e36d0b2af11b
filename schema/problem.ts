import { z } from "zod";

// RFC 9457 problem details: the one error shape every Worker answers with.
export const FieldProblem = z.object({
  field: z.string().describe("The input that needs fixing, e.g. `limit` or `shippingAddress.country`"),
  message: z.string(),
});
export type FieldProblem = z.infer<typeof FieldProblem>;

const ExtensionValue = z.union([z.string(), z.number(), z.boolean()]);

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(FieldProblem).optional(),
  // Extension members (RFC 9457 §3.2), e.g. `available` on an out-of-stock 409. They travel here between
  // Workers and are written as top-level members of the response.
  extensions: z.record(z.string(), ExtensionValue).optional(),
});
export type Problem = z.infer<typeof Problem>;

/** The problem as a client receives it (application/problem+json): extension members at the top level. */
export const ProblemResponse = Problem.omit({ extensions: true }).catchall(ExtensionValue).meta({ id: "Problem" });
export type ProblemExtension = string | number | boolean;
