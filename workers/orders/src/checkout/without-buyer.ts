import { ERASED_EMAIL, erasedAddress } from "#shared/erasure.ts";
import type { Progress } from "./flow.ts";

/**
 * A checkout's saved progress without the buyer: the request's email and address, and the same in the order
 * its answer carries, are replaced; ids, lines, amounts and the answer's status stay, so a replay of the key
 * still answers the same order, anonymous.
 */
export function progressWithoutBuyer(p: Progress): Progress {
  const request = { ...p.request, email: ERASED_EMAIL, shippingAddress: erasedAddress(p.request.shippingAddress) };
  const placed = p.answer !== undefined && "order" in p.answer.body ? p.answer.body : null;
  if (placed === null) return { ...p, request };
  const order = { ...placed.order, email: ERASED_EMAIL, shippingAddress: erasedAddress(placed.order.shippingAddress) };
  return { ...p, request, answer: { status: 201, body: { ...placed, order } } };
}
