import { z } from "zod";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

export const Email = z
  .string({ error: "email is required" })
  .trim()
  .max(254, "email is at most 254 characters")
  .pipe(z.email({ error: "email must be an address like name@example.com" }));

const COMMON = new Set([
  "password",
  "password1",
  "password123",
  "1234567890",
  "qwertyuiop",
  "letmein123",
  "iloveyou12",
  "welcome123",
  "changeme123",
]);

/** Password rules with messages that say what to fix; `email` is checked against so it is not reused. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  const lower = password.toLowerCase();
  const local = email.trim().toLowerCase().split("@")[0] ?? "";
  if (lower === email.trim().toLowerCase() || (local.length >= 4 && lower.includes(local))) return "password must not contain your email";
  if (new Set(password).size < 4) return "password must use at least 4 different characters";
  if (COMMON.has(lower)) return "password is too common; pick something less guessable";
  return null;
}

export const RegisterBody = z
  .object({
    email: Email,
    password: z.string({ error: "password is required" }),
    name: z.string({ error: "name is required" }).trim().min(1, "name is required").max(120, "name is at most 120 characters"),
  })
  .meta({ id: "Register" });
/** A known device's token (`dv_…`), as a sign-in answered it; opaque to clients. */
export const DeviceToken = z.string().max(200, "deviceToken is at most 200 characters");
export const LoginBody = z
  .object({
    email: z.string({ error: "email is required" }).max(254),
    password: z.string({ error: "password is required" }).max(PASSWORD_MAX * 4),
    deviceToken: DeviceToken.optional().describe(
      "The deviceToken an earlier sign-in on this device answered: strangers' failed guesses on the account do not lock this device out",
    ),
  })
  .meta({ id: "Login" });
export const RefreshBody = z
  .object({ refreshToken: z.string({ error: "refreshToken is required" }).min(1).max(200) })
  .meta({ id: "Refresh" });

/** Every role an account can hold (the identity database stores one per user). */
export const ROLES = ["shopper", "merchant_staff", "merchant_owner", "platform_admin"] as const;
export const Role = z.enum(ROLES);

/** The JOSE `typ` of an access token (RFC 9068): a token of another kind is never taken for one. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: Role,
    merchantId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

export const Session = z
  .object({
    accessToken: z.string().describe("Bearer token (ES256 JWT), short-lived"),
    refreshToken: z.string().describe("Opaque; rotated on every use"),
    expiresIn: z.number().int().describe("Seconds until the access token expires"),
    user: User,
    deviceToken: DeviceToken.optional().describe(
      "After a sign-in (not a refresh): this device's long-lived token; keep it and send it with later sign-ins",
    ),
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof Session>;

/** What a verified access token says about its bearer. */
export type Caller = { userId: string; role: z.infer<typeof Role>; merchantId: string | null; issuedAt: number };

export type VerificationKeys = { issuer: string; audience: string; keys: JsonWebKey[] };
