import { DurableObject } from "cloudflare:workers";
import type { ApiKeyScope, DailyUsage } from "#schema/operations/api-key-dto.ts";
import { timingSafeEqualText } from "#shared/crypto.ts";
import { objectLogger } from "#shared/object-logger.ts";
import { ObjectSchema } from "#shared/object-schema.ts";
import type { CallContext } from "#shared/request-id.ts";
import { METER_SCHEMA } from "./meter-schema.ts";

export type KeyRecord = { secretHash: string; merchantId: string; scope: ApiKeyScope; quotaPerMinute: number };

export type KeyUse =
  | { ok: true; merchantId: string; scope: ApiKeyScope }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "scope"; scope: ApiKeyScope }
  | { ok: false; reason: "quota"; retryAfter: number; quotaPerMinute: number };

type KeyRow = {
  secret_hash: string;
  merchant_id: string;
  scope: ApiKeyScope;
  quota: number;
  revoked_at: number | null;
  window_start: number;
  window_count: number;
};

const WINDOW_MS = 60_000;
const day = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * One API key (one object per key id): whether it is valid, its scope, its per-minute quota and its usage per
 * day. Checking the key, the quota and counting the request happen in one call on one object, so a revoked key
 * stops at its very next request and concurrent requests cannot both take the last unit of a window.
 */
export class ApiKeyMeter extends DurableObject<AdminEnv> {
  private readonly schema: ObjectSchema<SqlStorage>;

  constructor(ctx: DurableObjectState, env: AdminEnv) {
    super(ctx, env);
    this.schema = new ObjectSchema(ctx.storage, METER_SCHEMA);
  }

  // The first use brings the object's schema to the newest version.
  private get sql(): SqlStorage {
    return this.schema.sql;
  }

  /** Sets the key up once; a second call (a retried create) changes nothing. */
  init(record: KeyRecord): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO key (id, secret_hash, merchant_id, scope, quota) VALUES (1, ?, ?, ?, ?)",
      record.secretHash,
      record.merchantId,
      record.scope,
      record.quotaPerMinute,
    );
  }

  use(secretHash: string, needs: ApiKeyScope, call?: CallContext, now = Date.now()): KeyUse {
    // Under the request's id; never the key or its hash.
    const log = objectLogger("admin", "ApiKeyMeter", this.env.LOG_LEVEL, call);
    if (log.enabled("debug")) log.debug("object call", { method: "use", needs });
    return this.schema.transaction((): KeyUse => {
      const row = this.sql.exec<KeyRow>("SELECT * FROM key WHERE id = 1").toArray()[0];
      // A wrong secret for a real id is a stranger, not the key's owner: it is not counted against them.
      if (row === undefined || row.revoked_at !== null || !timingSafeEqualText(row.secret_hash, secretHash))
        return { ok: false, reason: "unknown" };
      const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      const used = row.window_start === windowStart ? row.window_count : 0;
      const refuse = used >= row.quota ? "quota" : needs === "write" && row.scope === "read" ? "scope" : null;
      this.sql.exec(
        `INSERT INTO usage (day, requests, refused) VALUES (?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET requests = requests + excluded.requests, refused = refused + excluded.refused`,
        day(now),
        refuse === null ? 1 : 0,
        refuse === null ? 0 : 1,
      );
      if (refuse === "quota") {
        return {
          ok: false,
          reason: "quota",
          retryAfter: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
          quotaPerMinute: row.quota,
        };
      }
      this.sql.exec("UPDATE key SET window_start = ?, window_count = ? WHERE id = 1", windowStart, used + 1);
      return refuse === "scope"
        ? { ok: false, reason: "scope", scope: row.scope }
        : { ok: true, merchantId: row.merchant_id, scope: row.scope };
    });
  }

  revoke(now = Date.now()): void {
    this.sql.exec("UPDATE key SET revoked_at = COALESCE(revoked_at, ?) WHERE id = 1", now);
  }

  /** Requests and refusals per UTC day, newest first. */
  usage(days = 14): DailyUsage[] {
    return this.sql
      .exec<{ day: string; requests: number; refused: number }>("SELECT day, requests, refused FROM usage ORDER BY day DESC LIMIT ?", days)
      .toArray()
      .map((r) => ({ date: r.day, requests: r.requests, refused: r.refused }));
  }
}
