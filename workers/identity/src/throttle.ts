import { DurableObject } from "cloudflare:workers";
import { objectLogger } from "#shared/object-logger.ts";
import { ObjectSchema } from "#shared/object-schema.ts";
import type { CallContext } from "#shared/request-id.ts";
import { THROTTLE_SCHEMA } from "./throttle-schema.ts";

export type ThrottleLimits = {
  /**
   * Attempts allowed for this key (an account, or a client) within the window, from everyone together: from
   * devices the account does not know. An attempt from a known device is not held to it (strangers who spent
   * it do not lock the owner out); absent, none.
   */
  total?: number;
  /** Attempts allowed per client within the key (an account guessed from one address); none if absent. */
  perClient?: number;
  /** Attempts allowed per known device within the key (a stolen device token buys no more guesses). */
  perDevice?: number;
  windowMs: number;
};
export type ThrottleVerdict = { allowed: true; ticket: string } | { allowed: false; retryAfterSeconds: number };

/**
 * Sign-in attempts for one key (`account:<email>` or `client:<address>`) in a sliding window. An attempt is
 * counted in the same call that checks the count (a Durable Object runs one call's synchronous code at a
 * time), so N parallel guesses see each other and at most the limit get as far as the password hash.
 * A sign-in that succeeds gives its attempt back, so only failures (and attempts still running) count.
 * An attempt from a known device (`device`, its id) counts against that device and its client, not the total.
 * Lives with identity: it is identity's state.
 */
export class LoginThrottle extends DurableObject<IdentityEnv> {
  private readonly schema: ObjectSchema<SqlStorage>;

  constructor(ctx: DurableObjectState, env: IdentityEnv) {
    super(ctx, env);
    this.schema = new ObjectSchema(ctx.storage, THROTTLE_SCHEMA);
  }

  // The schema is made on first use: the alarm deletes everything, tables included, and the same instance may
  // be called again afterwards.
  private get sql(): SqlStorage {
    return this.schema.sql;
  }

  async attempt(client: string, limits: ThrottleLimits, device: string | null = null, call?: CallContext): Promise<ThrottleVerdict> {
    // Under the sign-in's request id; the object's name (a hash, or the client key) is not logged.
    const log = objectLogger("identity", "LoginThrottle", this.env.LOG_LEVEL, call);
    if (log.enabled("debug")) log.debug("object call", { method: "attempt", knownDevice: device !== null });
    const now = Date.now();
    const since = now - limits.windowMs;
    this.sql.exec("DELETE FROM attempts WHERE at <= ?", since);
    const checks: [query: string, limit: number | undefined, ...args: string[]][] =
      device === null
        ? [["SELECT at FROM attempts WHERE device IS NULL ORDER BY at DESC LIMIT 1 OFFSET ?", limits.total]]
        : [["SELECT at FROM attempts WHERE device = ? ORDER BY at DESC LIMIT 1 OFFSET ?", limits.perDevice, device]];
    checks.push(["SELECT at FROM attempts WHERE client = ? ORDER BY at DESC LIMIT 1 OFFSET ?", limits.perClient, client]);
    for (const [query, limit, ...args] of checks) {
      const refusal = limit === undefined ? null : this.refusal(query, limit, limits.windowMs, now, ...args);
      if (refusal !== null) return refusal;
    }
    const ticket = crypto.randomUUID();
    this.sql.exec("INSERT INTO attempts (ticket, client, at, device) VALUES (?, ?, ?, ?)", ticket, client, now, device);
    // The object forgets everything once the window has passed since the last attempt.
    await this.ctx.storage.setAlarm(now + limits.windowMs);
    return { allowed: true, ticket };
  }

  /** The `limit`-th most recent attempt, if there is one, decides when a slot frees up: the Retry-After. */
  private refusal(query: string, limit: number, windowMs: number, now: number, ...args: string[]): ThrottleVerdict | null {
    const row = this.sql.exec<{ at: number }>(query, ...args, limit - 1).toArray()[0];
    if (row === undefined) return null;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((row.at + windowMs - now) / 1000)) };
  }

  /** The attempt succeeded: it stops counting, and so do the client's (and the known device's) earlier failures on this key. */
  succeeded(ticket: string, client: string, device: string | null = null): void {
    this.sql.exec("DELETE FROM attempts WHERE ticket = ? OR client = ? OR device = ?", ticket, client, device);
  }

  /** The attempt never reached a verdict (another throttle refused it): it stops counting. */
  refund(ticket: string): void {
    this.sql.exec("DELETE FROM attempts WHERE ticket = ?", ticket);
  }

  /** Set a window after the latest attempt: every attempt is spent by now, so the object keeps nothing. */
  override async alarm(): Promise<void> {
    await this.schema.deleteAll();
  }
}
