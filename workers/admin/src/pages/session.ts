import type { Context } from "hono";
import type { Session } from "#schema/identity/dto.ts";
import { CLIENT_IP_HEADER } from "#shared/client.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { webSession } from "#shared/web/session.ts";

export type { Flash, Who } from "#shared/web/session.ts";
export type PageContext = Context<EdgeEnv<AdminEnv>>;

// The dashboard's session: Strict (no other site's link or form ever arrives signed in), under /admin only,
// and a CSRF token on every form (workers/shared/src/web/session.ts).
const session = webSession<AdminEnv>({ prefix: "ec_admin", path: "/admin", sameSite: "Strict", refuseNullOrigin: true });

export const callOf = (c: PageContext) => ({ requestId: c.get("requestId"), clientIp: c.req.header(CLIENT_IP_HEADER) });
/** Signs the browser in, with the merchant's name for the dashboard's header (the session carries only its id). */
export async function startSession(c: PageContext, s: Session): Promise<void> {
  const merchantId = s.user.merchantId;
  const name = merchantId === null ? null : await c.env.IDENTITY.merchantName(merchantId, callOf(c));
  session.start(c, s, name?.ok ? name.value : null);
}
export const endSession = session.end;
export const whoIs = session.who;
export const accessToken = session.accessToken;
export const deviceToken = session.deviceToken;
export const csrfToken = session.csrfToken;
export const csrfValid = session.csrfValid;
export const flash = session.flash;
export const takeFlash = session.takeFlash;
export const refreshSession = (c: PageContext): Promise<string | null> =>
  session.refresh(c, (refreshToken) => c.env.IDENTITY.refresh({ refreshToken }, callOf(c)));
