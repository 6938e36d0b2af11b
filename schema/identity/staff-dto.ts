import { z } from "zod";
import { Email, PASSWORD_MAX, type Role } from "./dto.ts";

export const MEMBER_ROLES = ["merchant_owner", "merchant_staff"] as const;
export const MemberRole = z.enum(MEMBER_ROLES, { error: 'role is "merchant_owner" or "merchant_staff"' });

export const InviteBody = z.object({ email: Email, role: MemberRole }).strict().meta({ id: "StaffInvite" });
export const RoleBody = z.object({ role: MemberRole }).strict().meta({ id: "StaffRole" });

export const Member = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: MemberRole,
    status: z.enum(["invited", "active"]),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "StaffMember" });
export type Member = z.infer<typeof Member>;
export const MemberList = z.object({ items: z.array(Member) }).meta({ id: "StaffList" });

export const Invitation = Member.extend({
  inviteToken: z.string().describe("Shown once: the invitee opens /admin/invite?token=… to choose a password"),
  expiresAt: z.iso.datetime(),
}).meta({ id: "StaffInvitation" });
export type Invitation = z.infer<typeof Invitation>;

export const AcceptInviteBody = z
  .object({
    token: z.string({ error: "token is required" }).min(16).max(200),
    password: z.string({ error: "password is required" }).max(PASSWORD_MAX * 4),
    name: z.string().trim().min(1, "name must not be empty").max(120, "name is at most 120 characters"),
  })
  .strict()
  .meta({ id: "AcceptInvite" });

export const MerchantBody = z
  .object({
    name: z.string({ error: "name is required" }).trim().min(1, "name must not be empty").max(120, "name is at most 120 characters"),
    ownerEmail: Email,
  })
  .strict()
  .meta({ id: "NewMerchant" });
export const NewMerchant = z.object({ id: z.string(), name: z.string(), owner: Invitation }).meta({ id: "Merchant" });
export type NewMerchant = z.infer<typeof NewMerchant>;

/** What an account may do right now: the admin Worker holds each access token's claims against it. */
export type Standing = { role: z.infer<typeof Role>; merchantId: string | null };
