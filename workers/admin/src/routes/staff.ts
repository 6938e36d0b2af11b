import { createRoute, z } from "@hono/zod-openapi";
import { Session } from "#schema/identity/dto.ts";
import {
  AcceptInviteBody,
  Invitation,
  InviteBody,
  Member,
  MemberList,
  MerchantBody,
  NewMerchant,
  RoleBody,
} from "#schema/identity/staff-dto.ts";
import { callerOf } from "#shared/auth.ts";
import { createRouter } from "#shared/edge-app.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly, ownerOnly, ownMerchant, platformAdminOnly } from "../guards.ts";
import { callOf } from "./context.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
const memberId = z.object({ id: z.string().max(64).describe("The member's user id") });
const badInput = problemDoc("Bad input: the problem names each field");
const noMember = problemDoc("No such member of this merchant");

const acceptLimit = perClientLimit<AdminEnv>({ what: "invitation attempts", limiter: (env) => env.LIMIT_INVITE_ACCEPT });

const routes = {
  list: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/staff",
      summary: "The merchant's owners and staff, invited or active",
      responses: { 200: json(MemberList, "Members") },
    }),
    merchantOnly,
    ownerOnly,
  ),
  invite: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/staff",
      summary: "Invite someone by email as owner or staff (the invitation token is shown once)",
      request: { body: body(InviteBody) },
      responses: { 201: json(Invitation, "The invitation"), 400: badInput, 409: problemDoc("This email has an account already") },
    }),
    merchantOnly,
    ownerOnly,
  ),
  setRole: guarded(
    createRoute({
      method: "patch",
      path: "/admin/v1/staff/{id}",
      summary: "Set a member's role",
      request: { params: memberId, body: body(RoleBody) },
      responses: {
        200: json(Member, "The member"),
        400: badInput,
        404: noMember,
        409: problemDoc("It would leave the merchant without an owner"),
      },
    }),
    merchantOnly,
    ownerOnly,
  ),
  remove: guarded(
    createRoute({
      method: "delete",
      path: "/admin/v1/staff/{id}",
      summary: "Remove a member (an open invitation is withdrawn; an account keeps only its shopper role, signed out)",
      request: { params: memberId },
      responses: { 204: { description: "Removed" }, 404: noMember, 409: problemDoc("It would leave the merchant without an owner") },
    }),
    merchantOnly,
    ownerOnly,
  ),
  accept: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/invitations/accept",
      summary: "Accept an invitation: choose a password, and be signed in",
      request: { body: body(AcceptInviteBody) },
      responses: {
        200: json(Session, "Signed in"),
        400: badInput,
        404: problemDoc("Not a valid invitation"),
        410: problemDoc("The invitation has expired"),
      },
    }),
    acceptLimit,
  ),
  createMerchant: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/merchants",
      summary: "Platform admins: open a merchant and invite its first owner",
      request: { body: body(MerchantBody) },
      responses: {
        201: json(NewMerchant, "The merchant and its owner's invitation"),
        400: badInput,
        409: problemDoc("The owner's email has an account"),
      },
    }),
    platformAdminOnly,
  ),
};

export const staffRoutes = createRouter<AdminEnv>()
  .openapi(routes.list, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.IDENTITY.listMembers(ownMerchant(callerOf(c)), callOf(c))), 200);
  })
  .openapi(routes.invite, async (c) =>
    c.json(unwrap(await c.env.IDENTITY.inviteMember(ownMerchant(callerOf(c)), c.req.valid("json"), callOf(c))), 201),
  )
  .openapi(routes.setRole, async (c) =>
    c.json(
      unwrap(await c.env.IDENTITY.setMemberRole(ownMerchant(callerOf(c)), c.req.valid("param").id, c.req.valid("json"), callOf(c))),
      200,
    ),
  )
  .openapi(routes.remove, async (c) => {
    unwrap(await c.env.IDENTITY.removeMember(ownMerchant(callerOf(c)), c.req.valid("param").id, callOf(c)));
    return c.body(null, 204);
  })
  .openapi(routes.accept, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.IDENTITY.acceptInvite(c.req.valid("json"), callOf(c))), 200);
  })
  .openapi(routes.createMerchant, async (c) => c.json(unwrap(await c.env.IDENTITY.createMerchant(c.req.valid("json"), callOf(c))), 201));
