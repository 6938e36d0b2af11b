import type { Caller } from "../../../schema/identity/dto.ts";
import { callerGuard } from "../../shared/src/auth.ts";
import { ProblemError } from "../../shared/src/problem.ts";

const MERCHANT_ROLES = ["merchant_staff", "merchant_owner", "platform_admin"] as const;

/** Every merchant route needs a merchant (or platform admin) token; a shopper's token gets 403. */
export const merchantOnly = callerGuard<AdminEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), roles: MERCHANT_ROLES });

/** Dead letters and their replay are the platform's operators' business, not a merchant's. */
export const platformAdminOnly = callerGuard<AdminEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), roles: ["platform_admin"] });

/** Which merchant's records the caller acts on: its own, or (a platform admin) any: null. */
export function merchantScope(caller: Caller): string | null {
  if (caller.role === "platform_admin") return null;
  if (caller.merchantId === null) throw new ProblemError(403, "your account belongs to no merchant");
  return caller.merchantId;
}
