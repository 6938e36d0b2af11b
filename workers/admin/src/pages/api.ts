import { apiClient, type CallApi as SharedCallApi } from "#shared/web/api.ts";
import { accessToken, type PageContext, refreshSession } from "./session.ts";

export { SignedOut } from "#shared/web/api.ts";
export type CallApi = SharedCallApi<AdminEnv>;

/** The merchant API as the signed-in user, in process: the dashboard can do nothing the API would not allow. */
export const apiFor = (c: PageContext, callApi: CallApi) =>
  apiClient(c, callApi, { token: accessToken(c), refresh: () => refreshSession(c) });
export type Api = ReturnType<typeof apiFor>;
