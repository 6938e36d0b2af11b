import { importJWK, type JWK, SignJWT } from "jose";
import { z } from "zod";
import { ACCESS_TOKEN_TYPE, type VerificationKeys } from "#schema/identity/dto.ts";
import type { Role } from "../db/tables.ts";

// JWT_SIGNING_KEYS is a JSON array of ES256 private JWKs, each with a `kid`. The first one signs; every one
// is published in the JWKS. Rotation: put the new key first, keep the old one until the last token it
// signed has expired (the access-token TTL), then remove it.
const PrivateJwk = z.object({
  kty: z.literal("EC"),
  crv: z.literal("P-256"),
  x: z.string(),
  y: z.string(),
  d: z.string(),
  kid: z.string().min(1),
});
const SigningKeys = z.array(PrivateJwk).min(1, "JWT_SIGNING_KEYS must hold at least one key");

type Loaded = { kid: string; key: CryptoKey | Uint8Array; publicJwk: JsonWebKey };
let cache: { source: string; keys: Promise<Loaded[]> } | undefined;

function load(source: string): Promise<Loaded[]> {
  if (cache?.source === source) return cache.keys;
  const parsed = SigningKeys.parse(JSON.parse(source));
  const keys = Promise.all(
    parsed.map(async (jwk) => ({
      kid: jwk.kid,
      key: await importJWK(jwk as JWK, "ES256"),
      publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: "ES256", use: "sig" } as JsonWebKey,
    })),
  );
  cache = { source, keys };
  return keys;
}

export type TokenSettings = { signingKeys: string; issuer: string; audience: string; ttlSeconds: number };

export async function signAccessToken(
  settings: TokenSettings,
  claims: { sub: string; role: Role; merchantId: string | null },
): Promise<string> {
  const [signer] = await load(settings.signingKeys);
  if (signer === undefined) throw new Error("no signing key");
  return new SignJWT({ role: claims.role, ...(claims.merchantId ? { merchantId: claims.merchantId } : {}) })
    .setProtectedHeader({ alg: "ES256", kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(claims.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${settings.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(signer.key);
}

export async function verificationKeys(settings: TokenSettings): Promise<VerificationKeys> {
  const keys = await load(settings.signingKeys);
  return { issuer: settings.issuer, audience: settings.audience, keys: keys.map((k) => k.publicJwk) };
}
