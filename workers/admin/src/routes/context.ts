import type { Context } from "hono";
import { callerOf } from "#shared/auth.ts";
import { CLIENT_IP_HEADER } from "#shared/client.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { merchantScope } from "../guards.ts";

type AdminContext = Context<EdgeEnv<AdminEnv>>;

/** Whose records this request may touch: the caller's merchant, or every merchant's (a platform admin): null. */
export const scopeOf = (c: AdminContext): string | null => merchantScope(callerOf(c));

/** What every RPC to another service carries: the request id (for the logs) and the client's address. */
export const callOf = (c: AdminContext) => ({ requestId: c.get("requestId"), clientIp: c.req.header(CLIENT_IP_HEADER) });
