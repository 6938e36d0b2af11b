import { createRoute, z } from "@hono/zod-openapi";
import { ApiKeyBody, ApiKeyList, CreatedApiKey } from "#schema/operations/api-key-dto.ts";
import { callerOf } from "#shared/auth.ts";
import { createRouter } from "#shared/edge-app.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { createKey, listKeys, revokeKey } from "../api-keys/store.ts";
import { merchantOnly, ownerOnly, ownMerchant } from "../guards.ts";

const routes = {
  create: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/api-keys",
      summary: "Create a third-party API key (read or write) with its own quota per minute; the key is shown only now",
      request: { body: { required: true, content: { "application/json": { schema: ApiKeyBody } } } },
      responses: {
        201: { description: "The key", content: { "application/json": { schema: CreatedApiKey } } },
        400: problemDoc("Bad input, naming the field"),
        409: problemDoc("Too many live keys"),
      },
    }),
    merchantOnly,
    ownerOnly,
  ),
  list: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/api-keys",
      summary: "The merchant's keys (never the secret), with requests and refusals per day",
      responses: { 200: { description: "Keys", content: { "application/json": { schema: ApiKeyList } } } },
    }),
    merchantOnly,
    ownerOnly,
  ),
  revoke: guarded(
    createRoute({
      method: "delete",
      path: "/admin/v1/api-keys/{id}",
      summary: "Revoke a key: its next request is refused",
      request: { params: z.object({ id: z.string().max(40) }) },
      responses: { 204: { description: "Revoked" }, 404: problemDoc("No such key of this merchant") },
    }),
    merchantOnly,
    ownerOnly,
  ),
};

export const apiKeyRoutes = createRouter<AdminEnv>()
  .openapi(routes.create, async (c) => {
    const caller = callerOf(c);
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await createKey(c.env, ownMerchant(caller), caller.userId, c.req.valid("json"))), 201);
  })
  .openapi(routes.list, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ items: await listKeys(c.env, ownMerchant(callerOf(c))) }, 200);
  })
  .openapi(routes.revoke, async (c) => {
    unwrap(await revokeKey(c.env, ownMerchant(callerOf(c)), c.req.valid("param").id));
    return c.body(null, 204);
  });
