import { callerGuard } from "../../shared/src/auth.ts";

const MERCHANT_ROLES = ["merchant_staff", "merchant_owner", "platform_admin"] as const;

/** Every merchant route needs a merchant (or platform admin) token; a shopper's token gets 403. */
export const merchantOnly = callerGuard<AdminEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), roles: MERCHANT_ROLES });
