import fc from "fast-check";

/**
 * Hostile inputs for the fuzz test, independent of any schema: strings, JSON values, path segments, query
 * strings, request bodies and Authorization headers that a careless client or an attacker might send.
 */

/** Strings that have broken parsers before: encodings, injections, special words, control characters. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800", // lone high surrogate
  "\uDFFF", // lone low surrogate
  "x\uD83D", // a truncated emoji
  "\u202Egnp.exe", // right-to-left override
  "\u200F\u0627\u0644\u0639\u0631\u0628\u064A\u0629", // RTL mark + Arabic
  "\uFEFF", // byte order mark
  "\u200B\u200C\u200D", // zero-width characters
  "👍🏽👨‍👩‍👧‍👦🏳️‍🌈",
  "e\u0301\u0301\u0301\u0301\u0301", // stacked combining marks
  "\r\n",
  "\t",
  "../../../etc/passwd",
  "..",
  ".",
  "/",
  "%00",
  "%ZZ",
  "%",
  "%C0%AF",
  "' OR '1'='1' --",
  '"; DROP TABLE products; --',
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  "${7*7}{{7*7}}",
  "__proto__",
  "constructor",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "-0",
  "1e999",
  "0x1F",
  "9007199254740993",
  "１２３", // full-width digits
];

const SPECIAL_UNITS = ["\u0000", "\uD800", "\uDC00", "\u202E", "\u200F", "\uFEFF", "😀", "\u0301", "%", "/", "\\", '"', "'", "\n"];

/** A hostile string (any Unicode, including lone surrogates, RTL, NUL and emoji), at most a few KiB. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL_UNITS), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 30 }),
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 200, maxLength: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 10_000 }).map((n) => "a".repeat(n)) },
);

/** Numbers a validator should reject or clamp: negative, zero, fractional, beyond 2^53, the extremes of a double. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, -0.000001, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 53) - 2, 1e308, -1e308, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON value of the wrong kind: hostile strings and numbers, booleans, null, arrays, objects, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], { "": "" }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2_000 }).map(nested) },
);

/** `[[[...]]]` nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Raw JSON tokens that JSON.stringify can never produce; spliced into otherwise valid bodies. */
export const RAW_JSON_TOKENS = [
  "1e999",
  "-1e999",
  "NaN",
  "Infinity",
  "-0",
  "01",
  "1.0e-400",
  "0x10",
  "1_000",
  "undefined",
  "'x'",
  "9999999999999999999999",
];

/**
 * Percent-encodes a string like encodeURIComponent, but never throws: a lone surrogate becomes the bytes
 * UTF-8 would have for it (`%ED%A0%80`), which is exactly the kind of invalid UTF-8 a server must survive.
 */
export function encodeLoose(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** Path segments sent as they are (not encoded again): broken percent-encoding, overlong UTF-8, traversal. */
export const RAW_PATH_SEGMENTS = [
  "%ZZ",
  "%",
  "%%",
  "%C0%AF",
  "%E2%82",
  "%ED%A0%80",
  "%FF%FE",
  "%u0041",
  "%00",
  "%2F",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "a%ZZb",
  "%F0%9F%98",
  "%C3%28",
  ";jsessionid=x",
];

/** One path segment: raw broken percent-encoding, or a hostile string percent-encoded (loosely). */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...RAW_PATH_SEGMENTS), fc.string({ maxLength: 8 })).map(([raw, s]) => `${encodeLoose(s)}${raw}`),
  },
  { weight: 2, arbitrary: hostileString.map(encodeLoose) },
);

/** A whole query string (with its `?`) that no API expects. */
export const hostileQueryString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("?", "?&&&", "?=x", "?%ZZ=1", "?a=%", "?a=%C0%AF", "?a[b][c]=1", "?__proto__[x]=1", "?a=1;b=2", "?%00=%00"),
  fc.array(fc.tuple(hostileSegment, hostileSegment), { maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
);

/** Latin-1 printable text only: fetch refuses anything else in a header value. */
export const headerText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT with `alg: none` and no signature, claiming to be a platform admin. */
export function unsignedJwt(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, role: "platform_admin", iss: "https://identity.edge-commerce.dev", aud: "edge-commerce", iat: now, exp: now + 600 };
  return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
}

export type AuthChoice = { kind: "none" } | { kind: "valid"; index: number } | { kind: "raw"; value: string; label: string };

/**
 * An Authorization header: none, a real token of one of the signed-in accounts (`index` into them), or a bad
 * one: garbage, `Bearer ` + garbage, other schemes, an alg-none JWT, a real token truncated or tampered with.
 */
export function authChoice(realTokens: string[], validWeight: number): fc.Arbitrary<AuthChoice> {
  const real = fc.constantFrom(...realTokens);
  const raw = (arb: fc.Arbitrary<string>, label: string) => arb.map((value): AuthChoice => ({ kind: "raw", value, label }));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<AuthChoice>({ kind: "none" }) },
    { weight: validWeight, arbitrary: fc.nat().map((index): AuthChoice => ({ kind: "valid", index })) },
    { weight: 1, arbitrary: raw(headerText(200), "garbage") },
    {
      weight: 1,
      arbitrary: raw(
        headerText(300).map((s) => `Bearer ${s}`),
        "Bearer + garbage",
      ),
    },
    {
      weight: 1,
      arbitrary: raw(
        fc.constantFrom("Bearer", "Bearer ", "bearer x.y.z", "Bearer a.b.c", "Basic YWRtaW46YWRtaW4=", "Bearer ..."),
        "malformed",
      ),
    },
    {
      weight: 1,
      arbitrary: raw(
        real.map((t) => `Bearer ${unsignedJwt(subjectOf(t))}`),
        "alg none JWT",
      ),
    },
    {
      weight: 1,
      arbitrary: raw(
        fc.tuple(real, fc.nat()).map(([t, n]) => `Bearer ${t.slice(0, n % t.length)}`),
        "truncated JWT",
      ),
    },
    {
      weight: 1,
      arbitrary: raw(
        fc.tuple(real, fc.nat()).map(([t, n]) => `Bearer ${tamper(t, n)}`),
        "tampered JWT",
      ),
    },
  );
}

/** The `sub` claim of a JWT (not verified). */
function subjectOf(token: string): string {
  const claims: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString() || "{}");
  return typeof claims === "object" && claims !== null && "sub" in claims && typeof claims.sub === "string" ? claims.sub : "usr_unknown";
}

/** Changes one character of a token's payload or signature, so the signature no longer matches. */
function tamper(token: string, n: number): string {
  const start = token.indexOf(".") + 1;
  const at = start + (n % Math.max(1, token.length - start));
  const swapped = token[at] === "A" ? "B" : "A";
  return token.slice(0, at) + swapped + token.slice(at + 1);
}

export type Body = { contentType?: string; bytes: Uint8Array<ArrayBuffer>; note: string };

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);
const json = (note: string, text: string, contentType = "application/json"): Body => ({ contentType, bytes: utf8(text), note });

/** A body that is wrong whatever the route expects: bad JSON, the wrong JSON kind, wrong content types, too big, bad UTF-8. */
export const hostileBody: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom(
    json("invalid JSON", '{"a":'),
    json("invalid JSON", "{'a': 1}"),
    json("invalid JSON", "{,}"),
    json("empty JSON body", ""),
    json("JSON null", "null"),
    json("JSON array", "[]"),
    json("JSON array of objects", '[{"a":1}]'),
    json("JSON string", '"x"'),
    json("JSON number", "42"),
    json("JSON true", "true"),
    json("__proto__ pollution", '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}'),
    json("duplicate keys", '{"a":1,"a":"b"}'),
    json("utf-16 charset", '{"a":1}', "application/json; charset=utf-16"),
    json("weird JSON type", '{"a":1}', "application/jsonx"),
    json("upper-case JSON type", '{"a":1}', "APPLICATION/JSON"),
    json("merge-patch JSON type", '{"a":1}', "application/merge-patch+json"),
    json("text/plain", '{"a":1}', "text/plain"),
    json("form", "a=1&b=%ZZ&c", "application/x-www-form-urlencoded"),
    json("multipart", "--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n", "multipart/form-data; boundary=x"),
    json("multipart without boundary", "garbage", "multipart/form-data"),
    json("garbage content type", "\u0000\u0001", "\u00ff/\u00fe"),
    { bytes: utf8('{"a":1}'), note: "no content type" },
    {
      contentType: "application/json",
      bytes: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
      note: "invalid UTF-8",
    },
    { contentType: "application/json", bytes: Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), note: "UTF-8 BOM" },
  ),
  fc.integer({ min: 65 * 1024, max: 1024 * 1024 }).map((n) => json(`oversized JSON (${n} B)`, JSON.stringify({ pad: "x".repeat(n) }))),
  fc.integer({ min: 65 * 1024, max: 256 * 1024 }).map((n) => json(`oversized text/plain (${n} B)`, "y".repeat(n), "text/plain")),
  fc
    .integer({ min: 65 * 1024, max: 256 * 1024 })
    .map((n) => ({ bytes: new Uint8Array(n), note: `oversized, no content type (${n} B of NUL)` })),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => json(`JSON nested ${n} deep`, `${'{"a":'.repeat(n)}1${"}".repeat(n)}`)),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ contentType: "application/json", bytes: b, note: "random bytes" })),
);
